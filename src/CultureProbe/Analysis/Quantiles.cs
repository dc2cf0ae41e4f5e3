namespace CultureProbe.Analysis;

/// <summary>
/// Sample quantiles by linear interpolation between order statistics: Hyndman &amp; Fan type 7, the
/// default of R, numpy (<c>percentile(..., method="linear")</c>) and Excel's QUARTILE.INC. Every
/// quantile in CultureProbe (bootstrap intervals, box plots) is this one.
/// </summary>
public static class Quantiles
{
    /// <summary>The <paramref name="fraction"/> quantile of <paramref name="values"/> (any order); NaN for an empty list.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is outside [0, 1].</exception>
    public static double Linear(IReadOnlyList<double> values, double fraction)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return LinearOfSorted(sorted, fraction);
    }

    /// <summary>The <paramref name="fraction"/> quantile of values already sorted ascending; NaN for an empty list.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fraction"/> is outside [0, 1].</exception>
    public static double LinearOfSorted(IReadOnlyList<double> sorted, double fraction)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (!(fraction >= 0.0 && fraction <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "the quantile must lie in [0, 1]");
        }
        if (sorted.Count == 0)
        {
            return double.NaN;
        }
        var position = fraction * (sorted.Count - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Count - 1);
        var weight = position - below;
        // numpy's lerp form: exact at both ends, monotone in the weight.
        var difference = sorted[above] - sorted[below];
        return weight >= 0.5 ? sorted[above] - (difference * (1.0 - weight)) : sorted[below] + (difference * weight);
    }
}
