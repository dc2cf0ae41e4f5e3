namespace CultureProbe.Analysis;

/// <summary>One model's per-country values compared between two independent groups of countries.</summary>
/// <param name="FirstCountries">Countries of the first group that entered, in ordinal order.</param>
/// <param name="SecondCountries">Countries of the second group that entered, in ordinal order.</param>
/// <param name="LeftOut">Countries whose value is undefined (NaN), in ordinal order.</param>
/// <param name="MeanFirst">Mean over the first group; NaN when it is empty.</param>
/// <param name="MeanSecond">Mean over the second group; NaN when it is empty.</param>
/// <param name="Difference">MeanFirst − MeanSecond.</param>
/// <param name="Interval">Percentile bootstrap interval of <see cref="Difference"/>, each group resampled within itself.</param>
/// <param name="Test">Two-sided permutation test of <see cref="Difference"/> (group labels exchanged).</param>
/// <param name="CohensD">Cohen's d with the pooled sample standard deviation.</param>
/// <param name="HedgesG">Hedges' g = J · d, J = 1 − 3 / (4 (n₁ + n₂) − 9).</param>
public sealed record TwoGroupComparison(
    IReadOnlyList<string> FirstCountries,
    IReadOnlyList<string> SecondCountries,
    IReadOnlyList<string> LeftOut,
    double MeanFirst,
    double MeanSecond,
    double Difference,
    BootstrapInterval Interval,
    PermutationTestResult Test,
    double CohensD,
    double HedgesG);

/// <summary>
/// Does one model align better with one group of countries than another (e.g. Western vs
/// non-Western)? The groups are independent samples of countries.
/// </summary>
public static class GroupComparison
{
    /// <summary>
    /// The difference of the group means of per-country values, with a bootstrap interval, a
    /// permutation p-value and two effect sizes.
    /// </summary>
    /// <remarks>
    /// Each group's countries are taken in ordinal order. Bootstrap draws:
    /// <c>new Random(options.Seed)</c>, for each resample, n₁ draws <c>Next(n₁)</c> from the first
    /// group, then n₂ draws <c>Next(n₂)</c> from the second; the statistic is the difference of the
    /// resampled means, and the bounds are <see cref="Quantiles.Linear"/> percentiles (what
    /// <c>scipy.stats.bootstrap(..., paired=False, method='percentile')</c> computes). The
    /// permutation test is <see cref="PermutationTest.Independent"/> on the two groups.
    /// </remarks>
    /// <param name="values">Per-country value (e.g. Pearson r), keyed by country; NaN values are left out and listed.</param>
    /// <param name="inFirstGroup">Whether a country belongs to the first group (else it is in the second).</param>
    /// <param name="options">Resamples, budget, level and seed; <see cref="ComparisonOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentException">A value is infinite.</exception>
    public static TwoGroupComparison Compute(
        IReadOnlyDictionary<string, double> values,
        Func<string, bool> inFirstGroup,
        ComparisonOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(inFirstGroup);
        options ??= ComparisonOptions.Default;
        options.Validate();
        var firstCountries = new List<string>();
        var secondCountries = new List<string>();
        var leftOut = new List<string>();
        var first = new List<double>();
        var second = new List<double>();
        foreach (var (country, value) in values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (double.IsInfinity(value))
            {
                throw new ArgumentException($"{country}: the value is {value}; a correlation is a number in [−1, 1] or NaN", nameof(values));
            }
            if (double.IsNaN(value))
            {
                leftOut.Add(country);
            }
            else if (inFirstGroup(country))
            {
                firstCountries.Add(country);
                first.Add(value);
            }
            else
            {
                secondCountries.Add(country);
                second.Add(value);
            }
        }
        var meanFirst = first.Count == 0 ? double.NaN : PermutationTest.Mean(first);
        var meanSecond = second.Count == 0 ? double.NaN : PermutationTest.Mean(second);
        BootstrapInterval interval;
        if (first.Count == 0 || second.Count == 0)
        {
            interval = BootstrapInterval.Undefined(options.Level, options.BootstrapResamples);
        }
        else
        {
            var random = new Random(options.Seed);
            var drawnFirst = new double[first.Count];
            var drawnSecond = new double[second.Count];
            var differences = new List<double>(options.BootstrapResamples);
            for (var r = 0; r < options.BootstrapResamples; r++)
            {
                for (var i = 0; i < drawnFirst.Length; i++)
                {
                    drawnFirst[i] = first[random.Next(drawnFirst.Length)];
                }
                for (var i = 0; i < drawnSecond.Length; i++)
                {
                    drawnSecond[i] = second[random.Next(drawnSecond.Length)];
                }
                differences.Add(PermutationTest.Mean(drawnFirst) - PermutationTest.Mean(drawnSecond));
            }
            interval = BootstrapCorrelation.Interval(differences, options.Level, options.BootstrapResamples);
        }
        return new TwoGroupComparison(
            firstCountries,
            secondCountries,
            leftOut,
            meanFirst,
            meanSecond,
            meanFirst - meanSecond,
            interval,
            PermutationTest.Independent(first, second, options.PermutationSeed, options.PermutationResamples),
            EffectSize.CohensD(first, second),
            EffectSize.HedgesG(first, second));
    }
}
