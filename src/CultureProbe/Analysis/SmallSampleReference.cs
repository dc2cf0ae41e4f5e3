namespace CultureProbe.Analysis;

/// <summary>How well two small random samples of one country's people agree with each other across questions.</summary>
/// <param name="Country">Country code.</param>
/// <param name="Questions">Questions of the country.</param>
/// <param name="SampleSize">Respondents per sample.</param>
/// <param name="Mean">Mean over the defined draws of Pearson's r between the two samples' mean scores; NaN when none was defined.</param>
/// <param name="Lower">The (1 − level)/2 quantile of the draws' r (type 7); NaN when none was defined.</param>
/// <param name="Upper">The (1 + level)/2 quantile of the draws' r; NaN when none was defined.</param>
/// <param name="Used">Draws whose r was defined (neither sample's means all equal).</param>
/// <param name="Requested">Draws made.</param>
public sealed record CountrySampleAgreement(
    string Country,
    int Questions,
    int SampleSize,
    double Mean,
    double Lower,
    double Upper,
    int Used,
    int Requested);

/// <summary>
/// A human reference for per-country correlations after Rystrøm, Kirk &amp; Hale (2025): the
/// agreement of two independent groups of 10 respondents of the same country, applied to mean
/// scores across questions (CultureProbe's per-country r) rather than to the study's pro shares.
/// </summary>
/// <remarks>
/// <para>
/// For each draw and each question, two samples of <c>sampleSize</c> respondents are drawn
/// independently from the population's weighted distribution (multinomial on the shares, i.e.
/// with replacement from an infinite population), and each sample's mean score is taken. The
/// draw's value is Pearson's r of the two samples' means across the country's questions. A draw
/// in which either side is constant has no r; it is skipped and counted.
/// </para>
/// <para>
/// Draws: one <c>new Random(AlignmentTable.CellSeed(seed, "small-sample-reference", country, null))</c>
/// per country, so a country's result does not depend on the others; for each draw, for each
/// question in ordinal order, the first sample's respondents then the second's, each one
/// <c>NextDouble()</c> u picking the first option whose cumulative share exceeds u.
/// </para>
/// <para>
/// Under independent sampling the expected r is close to the reliability of a 10-respondent mean,
/// T / (T + mean σ²/10), with T the variance of the true means across questions and σ² each
/// question's score variance. This differs from the study's <c>HumanConsistency</c>, which follows
/// the paper's code on binarised answers (respondents drawn without replacement, all pairs of
/// draws pooled).
/// </para>
/// </remarks>
public static class SmallSampleReference
{
    /// <summary>Respondents per sample: the ten of the paper.</summary>
    public const int DefaultSampleSize = 10;

    /// <summary>Draws per country unless told otherwise.</summary>
    public const int DefaultDraws = 1000;

    /// <summary>The reference per country, in ordinal order of country.</summary>
    /// <param name="cells">The population's distributions per (country, question); the effective sample size is not used.</param>
    /// <param name="seed">Base seed; each country mixes in its code.</param>
    /// <param name="draws">D, the draws per country (≥ 1).</param>
    /// <param name="sampleSize">Respondents per sample (≥ 1).</param>
    /// <param name="level">Central share of the draws the bounds enclose, in (0, 1); 0.95 gives the 2.5 and 97.5 percentiles.</param>
    /// <exception cref="ArgumentException">A (country, question) occurs twice or a cell is malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is below 1 or the level is outside (0, 1).</exception>
    public static IReadOnlyList<CountrySampleAgreement> PerCountry(
        IEnumerable<PopulationCell> cells,
        int seed,
        int draws = DefaultDraws,
        int sampleSize = DefaultSampleSize,
        double level = BootstrapCorrelation.DefaultLevel)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentOutOfRangeException.ThrowIfLessThan(draws, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleSize, 1);
        if (!(level > 0.0 && level < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "the level must lie strictly between 0 and 1");
        }
        var result = new List<CountrySampleAgreement>();
        foreach (var (country, countryCells) in NoiseCeiling.ByCountry(cells))
        {
            var cumulative = countryCells.Select(c => Cumulative(c.NormalisedShares())).ToArray();
            var scores = countryCells.Select(c => c.Scores.ToArray()).ToArray();
            var q = countryCells.Count;
            var random = new Random(AlignmentTable.CellSeed(seed, "small-sample-reference", country, null));
            var first = new double[q];
            var second = new double[q];
            var values = new List<double>(draws);
            for (var d = 0; d < draws; d++)
            {
                for (var i = 0; i < q; i++)
                {
                    first[i] = SampleMean(cumulative[i], scores[i], sampleSize, random);
                    second[i] = SampleMean(cumulative[i], scores[i], sampleSize, random);
                }
                var r = Correlation.PearsonCore(first, second);
                if (!double.IsNaN(r))
                {
                    values.Add(r);
                }
            }
            var tail = (1.0 - level) / 2.0;
            result.Add(values.Count == 0
                ? new CountrySampleAgreement(country, q, sampleSize, double.NaN, double.NaN, double.NaN, 0, draws)
                : new CountrySampleAgreement(country, q, sampleSize, Correlation.Mean(values), Quantiles.Linear(values, tail), Quantiles.Linear(values, 1.0 - tail), values.Count, draws));
        }
        return result;
    }

    private static double[] Cumulative(double[] shares)
    {
        var cumulative = new double[shares.Length];
        var sum = 0.0;
        for (var k = 0; k < shares.Length; k++)
        {
            sum += shares[k];
            cumulative[k] = sum;
        }
        return cumulative;
    }

    private static double SampleMean(double[] cumulative, double[] scores, int size, Random random)
    {
        var sum = 0.0;
        for (var j = 0; j < size; j++)
        {
            sum += scores[Pick(cumulative, random.NextDouble())];
        }
        return sum / size;
    }

    /// <summary>The first option whose cumulative share exceeds u; an option with share 0 is never picked.</summary>
    private static int Pick(double[] cumulative, double u)
    {
        for (var k = 0; k < cumulative.Length; k++)
        {
            if (u < cumulative[k])
            {
                return k;
            }
        }
        // The cumulative total can fall short of 1 by rounding: fall back to the last option with a positive share.
        var last = cumulative.Length - 1;
        while (last > 0 && cumulative[last] == cumulative[last - 1])
        {
            last--;
        }
        return last;
    }
}
