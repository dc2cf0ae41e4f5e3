namespace CultureProbe.Analysis;

/// <summary>A percentile bootstrap confidence interval.</summary>
/// <param name="Lower">Lower bound, NaN when no resample gave a defined value.</param>
/// <param name="Upper">Upper bound, NaN when no resample gave a defined value.</param>
/// <param name="Level">Confidence level, e.g. 0.95.</param>
/// <param name="Used">Resamples whose statistic was defined and entered the percentiles.</param>
/// <param name="Requested">Resamples drawn.</param>
public sealed record BootstrapInterval(double Lower, double Upper, double Level, int Used, int Requested)
{
    /// <summary>An interval with no defined bounds (nothing to resample).</summary>
    public static BootstrapInterval Undefined(double level, int requested) => new(double.NaN, double.NaN, level, 0, requested);
}

/// <summary>Bootstrap intervals of Pearson's and Spearman's correlation from the same resamples.</summary>
/// <param name="Pearson">Interval of Pearson's r.</param>
/// <param name="Spearman">Interval of Spearman's ρ.</param>
/// <param name="Seed">Seed of the <see cref="Random"/> that drew the resamples.</param>
public sealed record BootstrapCorrelationResult(BootstrapInterval Pearson, BootstrapInterval Spearman, int Seed);

/// <summary>
/// Percentile bootstrap of correlations over paired observations (in CultureProbe: over the
/// questions of one country).
/// </summary>
/// <remarks>
/// Each resample draws n indices with replacement from <c>new Random(seed)</c>, in order
/// <c>for b in 0..B-1: for i in 0..n-1: rng.Next(n)</c>, so a seed fixes every interval
/// (the seeded <see cref="Random"/> algorithm is kept stable by .NET for this reason).
/// A resample whose correlation is undefined (e.g. every drawn pair has the same x) is skipped
/// and not redrawn; <see cref="BootstrapInterval.Used"/> says how many counted. Bounds are the
/// (1 − level)/2 and (1 + level)/2 quantiles with linear interpolation between order statistics
/// (numpy's default percentile method).
/// </remarks>
public static class BootstrapCorrelation
{
    /// <summary>Resamples drawn unless told otherwise.</summary>
    public const int DefaultResamples = 1000;

    /// <summary>Confidence level unless told otherwise.</summary>
    public const double DefaultLevel = 0.95;

    /// <summary>Bootstrap intervals of Pearson and Spearman correlation of <paramref name="x"/> and <paramref name="y"/>.</summary>
    /// <param name="x">First sample.</param>
    /// <param name="y">Second sample, paired with <paramref name="x"/>.</param>
    /// <param name="seed">Seed for <see cref="Random"/>; equal inputs and seed give equal intervals.</param>
    /// <param name="resamples">B, the number of resamples (≥ 1).</param>
    /// <param name="level">Confidence level in (0, 1).</param>
    /// <param name="tieTolerance">Tie tolerance passed to <see cref="Correlation.AverageRanks"/> for Spearman.</param>
    public static BootstrapCorrelationResult Compute(
        IReadOnlyList<double> x,
        IReadOnlyList<double> y,
        int seed,
        int resamples = DefaultResamples,
        double level = DefaultLevel,
        double tieTolerance = 0.0)
    {
        Correlation.Validate(x, y);
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        if (!(level > 0.0 && level < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(level), level, "the confidence level must lie strictly between 0 and 1");
        }
        var n = x.Count;
        if (n < Correlation.MinimumPairs)
        {
            return new BootstrapCorrelationResult(BootstrapInterval.Undefined(level, resamples), BootstrapInterval.Undefined(level, resamples), seed);
        }
        var random = new Random(seed);
        var pearsons = new List<double>(resamples);
        var spearmans = new List<double>(resamples);
        var xs = new double[n];
        var ys = new double[n];
        for (var b = 0; b < resamples; b++)
        {
            for (var i = 0; i < n; i++)
            {
                var index = random.Next(n);
                xs[i] = x[index];
                ys[i] = y[index];
            }
            var pearson = Correlation.PearsonCore(xs, ys);
            if (!double.IsNaN(pearson))
            {
                pearsons.Add(pearson);
            }
            var spearman = Correlation.PearsonCore(Correlation.AverageRanks(xs, tieTolerance), Correlation.AverageRanks(ys, tieTolerance));
            if (!double.IsNaN(spearman))
            {
                spearmans.Add(spearman);
            }
        }
        return new BootstrapCorrelationResult(Interval(pearsons, level, resamples), Interval(spearmans, level, resamples), seed);
    }

    /// <summary>The percentile interval of the defined resample statistics in <paramref name="values"/>.</summary>
    internal static BootstrapInterval Interval(List<double> values, double level, int requested)
    {
        if (values.Count == 0)
        {
            return BootstrapInterval.Undefined(level, requested);
        }
        var tail = (1.0 - level) / 2.0;
        return new BootstrapInterval(Quantiles.Linear(values, tail), Quantiles.Linear(values, 1.0 - tail), level, values.Count, requested);
    }
}
