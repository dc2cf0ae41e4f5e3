using CultureProbe.Reports.Charts;

namespace CultureProbe.Reports.Tests.Charts;

public sealed class BoxStatisticsTests
{
    [Fact]
    public void Quartiles_interpolate_and_far_values_become_outliers()
    {
        // Hyndman & Fan type 7 (R's quantile() default) by hand: sorted -0.4 -0.02 0.05 0.12 0.18 0.33 0.91;
        // Q1 at h = 1.5 → 0.015, median at h = 3 → 0.12, Q3 at h = 4.5 → 0.255; IQR 0.24, fences -0.345 and 0.615.
        var box = BoxStatistics.Of([0.12, -0.4, 0.33, 0.05, 0.91, -0.02, 0.18, double.NaN])!;

        box.Count.ShouldBe(7);
        box.Q1.ShouldBe(0.015, 1e-12);
        box.Median.ShouldBe(0.12, 1e-12);
        box.Q3.ShouldBe(0.255, 1e-12);
        box.WhiskerLow.ShouldBe(-0.02);
        box.WhiskerHigh.ShouldBe(0.33);
        box.Outliers.ShouldBe([-0.4, 0.91]);
    }

    [Fact]
    public void A_single_value_is_its_own_box_and_no_values_is_none()
    {
        var one = BoxStatistics.Of([0.3])!;

        (one.Q1, one.Median, one.Q3, one.WhiskerLow, one.WhiskerHigh).ShouldBe((0.3, 0.3, 0.3, 0.3, 0.3));
        BoxStatistics.Of([double.NaN]).ShouldBeNull();
    }
}
