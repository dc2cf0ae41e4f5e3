namespace CultureProbe.Analysis;

/// <summary>Whether a country's noise ceiling could be estimated, and if not, why.</summary>
public enum CeilingStatus
{
    /// <summary>The reliability is positive and the ceiling is its square root.</summary>
    Estimable,

    /// <summary>Fewer than 3 questions (the fewest a correlation is reported on).</summary>
    TooFewQuestions,

    /// <summary>A question's effective sample size is at most 1, so its standard error is undefined.</summary>
    SampleTooSmall,

    /// <summary>
    /// The mean error variance is at least the observed variance of the means (reliability ≤ 0, or
    /// every mean equal): sampling noise could explain all the spread between questions.
    /// </summary>
    NoTrueVariance,
}

/// <summary>The human noise ceiling of one country's correlations across questions.</summary>
/// <param name="Country">Country code.</param>
/// <param name="Questions">Questions of the country.</param>
/// <param name="ObservedVariance">V: the sample variance (divisor Q − 1) of the population's mean scores across questions.</param>
/// <param name="MeanErrorVariance">E: the mean over questions of SE² of the mean score; NaN when a SE is undefined.</param>
/// <param name="Reliability">
/// ρ_h = 1 − E / V, reported as computed even when ≤ 0 (then <see cref="Status"/> says
/// <see cref="CeilingStatus.NoTrueVariance"/>); NaN when it cannot be computed.
/// </param>
/// <param name="Ceiling">r_max = sqrt(ρ_h · ρ_m) when estimable, else NaN (never clipped to 0).</param>
/// <param name="Status">Whether the ceiling was estimable.</param>
public sealed record CountryNoiseCeiling(
    string Country,
    int Questions,
    double ObservedVariance,
    double MeanErrorVariance,
    double Reliability,
    double Ceiling,
    CeilingStatus Status)
{
    /// <summary>Whether <see cref="Ceiling"/> is a number.</summary>
    public bool IsEstimable => Status == CeilingStatus.Estimable;
}

/// <summary>
/// How high a model's per-country correlation with the population's mean scores can be expected
/// to go when the population's means are themselves estimated from samples (Spearman 1904's
/// attenuation).
/// </summary>
/// <remarks>
/// <para>
/// Each question's observed mean is its true mean plus a sampling error of variance SE²
/// (<see cref="PopulationCell.StandardError"/>; Kish's n_eff accounts for unequal weights, not
/// for clustering or strata). With independent errors, the sample variance V of the observed
/// means across a country's questions has expectation (true variance) + E, E = mean SE². The
/// reliability ρ_h = 1 − E / V is the share of V that is true variance, and a model whose scores
/// equal the true means, up to a linear map, has an expected correlation of about sqrt(ρ_h)
/// with the observed means. With a model whose own scores are noisy (reliability ρ_m), the
/// ceiling is sqrt(ρ_h · ρ_m); a model scored from its own token probabilities is deterministic,
/// so ρ_m = 1 by default.
/// </para>
/// <para>
/// The estimate is a ratio of estimates and so is biased slightly low for few questions (the
/// bias of 1 / V, of order (1 − ρ_h) / Q in ρ_h).
/// </para>
/// </remarks>
public static class NoiseCeiling
{
    /// <summary>One ceiling per country, in ordinal order of country.</summary>
    /// <param name="cells">The population's distributions per (country, question).</param>
    /// <param name="modelReliability">ρ_m in (0, 1]: 1 for a deterministic model.</param>
    /// <exception cref="ArgumentException">A (country, question) occurs twice or a cell is malformed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="modelReliability"/> is outside (0, 1].</exception>
    public static IReadOnlyList<CountryNoiseCeiling> PerCountry(IEnumerable<PopulationCell> cells, double modelReliability = 1.0)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (!(modelReliability > 0.0 && modelReliability <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(modelReliability), modelReliability, "the model's reliability must lie in (0, 1]");
        }
        var result = new List<CountryNoiseCeiling>();
        foreach (var (country, countryCells) in ByCountry(cells))
        {
            result.Add(ForCountry(country, countryCells, modelReliability));
        }
        return result;
    }

    /// <summary>
    /// The correlation corrected for attenuation, r / ceiling; NaN when the ceiling is not
    /// estimable. It can exceed 1 in a finite sample.
    /// </summary>
    public static double Disattenuated(double r, CountryNoiseCeiling ceiling)
    {
        ArgumentNullException.ThrowIfNull(ceiling);
        return ceiling.IsEstimable ? r / ceiling.Ceiling : double.NaN;
    }

    /// <summary>The cells grouped by country (ordinal order) and within a country by question (ordinal order).</summary>
    /// <exception cref="ArgumentException">A (country, question) occurs twice.</exception>
    internal static SortedDictionary<string, List<PopulationCell>> ByCountry(IEnumerable<PopulationCell> cells)
    {
        var byCountry = new SortedDictionary<string, List<PopulationCell>>(StringComparer.Ordinal);
        var seen = new HashSet<(string, string)>();
        foreach (var cell in cells)
        {
            ArgumentNullException.ThrowIfNull(cell);
            if (!seen.Add((cell.Country, cell.Question)))
            {
                throw new ArgumentException($"{cell.Country} / {cell.Question} occurs more than once", nameof(cells));
            }
            if (!byCountry.TryGetValue(cell.Country, out var list))
            {
                list = [];
                byCountry[cell.Country] = list;
            }
            list.Add(cell);
        }
        foreach (var list in byCountry.Values)
        {
            list.Sort((a, b) => string.CompareOrdinal(a.Question, b.Question));
        }
        return byCountry;
    }

    private static CountryNoiseCeiling ForCountry(string country, List<PopulationCell> cells, double modelReliability)
    {
        var means = cells.Select(c => c.MeanScore()).ToArray();
        var errors = cells.Select(c => c.StandardError()).ToArray();
        var q = cells.Count;
        if (q < Correlation.MinimumPairs)
        {
            return new CountryNoiseCeiling(country, q, double.NaN, double.NaN, double.NaN, double.NaN, CeilingStatus.TooFewQuestions);
        }
        var mean = Correlation.Mean(means);
        var observed = means.Sum(m => (m - mean) * (m - mean)) / (q - 1);
        if (errors.Any(double.IsNaN))
        {
            return new CountryNoiseCeiling(country, q, observed, double.NaN, double.NaN, double.NaN, CeilingStatus.SampleTooSmall);
        }
        var error = errors.Sum(se => se * se) / q;
        if (!(observed > 0.0))
        {
            return new CountryNoiseCeiling(country, q, observed, error, double.NaN, double.NaN, CeilingStatus.NoTrueVariance);
        }
        var reliability = 1.0 - (error / observed);
        return reliability > 0.0
            ? new CountryNoiseCeiling(country, q, observed, error, reliability, Math.Sqrt(reliability * modelReliability), CeilingStatus.Estimable)
            : new CountryNoiseCeiling(country, q, observed, error, reliability, double.NaN, CeilingStatus.NoTrueVariance);
    }
}
