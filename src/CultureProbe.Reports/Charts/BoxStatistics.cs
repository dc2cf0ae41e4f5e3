using CultureProbe.Analysis;

namespace CultureProbe.Reports.Charts;

/// <summary>
/// Tukey box-plot statistics: quartiles by linear interpolation between order statistics (the
/// default of R, NumPy and Excel's QUARTILE.INC), whiskers at the most extreme values within 1.5 IQR
/// of the box, and everything beyond them as outliers.
/// </summary>
internal sealed record BoxStatistics(
    int Count,
    double Q1,
    double Median,
    double Q3,
    double WhiskerLow,
    double WhiskerHigh,
    IReadOnlyList<double> Outliers)
{
    /// <summary>The statistics of the finite values, or null when there are none.</summary>
    public static BoxStatistics? Of(IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }
        var q1 = Quantiles.LinearOfSorted(sorted, 0.25);
        var median = Quantiles.LinearOfSorted(sorted, 0.5);
        var q3 = Quantiles.LinearOfSorted(sorted, 0.75);
        var reach = 1.5 * (q3 - q1);
        var inside = sorted.Where(v => v >= q1 - reach && v <= q3 + reach).ToArray();
        var outliers = sorted.Where(v => v < q1 - reach || v > q3 + reach).ToArray();
        return new BoxStatistics(sorted.Length, q1, median, q3, inside.Min(), inside.Max(), outliers);
    }
}
