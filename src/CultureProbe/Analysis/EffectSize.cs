namespace CultureProbe.Analysis;

/// <summary>Standardised mean differences: Cohen's d_z (paired), Cohen's d and Hedges' g (two groups).</summary>
/// <remarks>
/// Every standard deviation here is the sample one (divisor n − 1). A value is NaN when its
/// standard deviation is undefined (too few values) or zero.
/// </remarks>
public static class EffectSize
{
    /// <summary>Cohen's d_z = mean(d) / sd(d) of paired differences; NaN for fewer than 2 differences or sd = 0.</summary>
    /// <exception cref="ArgumentException">A difference is not finite.</exception>
    public static double CohensDz(IReadOnlyList<double> differences)
    {
        PermutationTest.ValidateSample(differences, nameof(differences));
        if (differences.Count < 2)
        {
            return double.NaN;
        }
        var mean = Correlation.Mean(differences);
        var sd = Math.Sqrt(SumOfSquares(differences, mean) / (differences.Count - 1));
        return sd > 0.0 ? mean / sd : double.NaN;
    }

    /// <summary>
    /// Cohen's d = (mean₁ − mean₂) / s_p with the pooled standard deviation
    /// s_p = sqrt(((n₁ − 1) s₁² + (n₂ − 1) s₂²) / (n₁ + n₂ − 2)); NaN when n₁ + n₂ &lt; 3, a group is
    /// empty, or s_p = 0.
    /// </summary>
    /// <exception cref="ArgumentException">A value is not finite.</exception>
    public static double CohensD(IReadOnlyList<double> first, IReadOnlyList<double> second)
    {
        PermutationTest.ValidateSample(first, nameof(first));
        PermutationTest.ValidateSample(second, nameof(second));
        var n1 = first.Count;
        var n2 = second.Count;
        if (n1 == 0 || n2 == 0 || n1 + n2 < 3)
        {
            return double.NaN;
        }
        var mean1 = Correlation.Mean(first);
        var mean2 = Correlation.Mean(second);
        var pooled = Math.Sqrt((SumOfSquares(first, mean1) + SumOfSquares(second, mean2)) / (n1 + n2 - 2));
        return pooled > 0.0 ? (mean1 - mean2) / pooled : double.NaN;
    }

    /// <summary>
    /// Hedges' g = J · d: Cohen's d times the small-sample correction
    /// J = 1 − 3 / (4 (n₁ + n₂) − 9) = 1 − 3 / (4 df − 1), df = n₁ + n₂ − 2 (Hedges 1981's
    /// approximation, as in Borenstein et al. 2009 and statsmodels' <c>effectsize_smd</c>).
    /// </summary>
    /// <exception cref="ArgumentException">A value is not finite.</exception>
    public static double HedgesG(IReadOnlyList<double> first, IReadOnlyList<double> second)
    {
        var d = CohensD(first, second);
        return double.IsNaN(d) ? double.NaN : HedgesCorrection(first.Count + second.Count - 2) * d;
    }

    /// <summary>The correction factor J = 1 − 3 / (4 df − 1) for <paramref name="degreesOfFreedom"/> ≥ 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="degreesOfFreedom"/> is below 1.</exception>
    public static double HedgesCorrection(int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        return 1.0 - (3.0 / ((4.0 * degreesOfFreedom) - 1.0));
    }

    private static double SumOfSquares(IReadOnlyList<double> values, double mean)
    {
        var sum = 0.0;
        for (var i = 0; i < values.Count; i++)
        {
            var deviation = values[i] - mean;
            sum += deviation * deviation;
        }
        return sum;
    }
}
