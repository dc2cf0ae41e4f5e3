using CultureProbe.Analysis;
using Shouldly;

namespace CultureProbe.Tests.Analysis;

public sealed class EffectSizeTests
{
    [Fact]
    public void Two_group_effect_sizes_match_numpy_and_statsmodels()
    {
        var root = OracleFixture.Cases("effect_sizes.json", "significance").Single();
        foreach (var c in root.GetProperty("independent").EnumerateArray())
        {
            var a = c.Doubles("a");
            var b = c.Doubles("b");
            // Same formula, different summation order (numpy's pairwise sums): 1e-12 relative is
            // far above the rounding of sums of ≤ 40 values and far below any formula difference
            // (the exact gamma-function J differs from the approximation by ≥ 1e-5 at these sizes).
            EffectSize.CohensD(a, b).ShouldBe(c.Number("cohen_d"), 1e-12 * Math.Abs(c.Number("cohen_d")));
            EffectSize.HedgesG(a, b).ShouldBe(c.Number("hedges_g"), 1e-12 * Math.Abs(c.Number("hedges_g")));
        }
        foreach (var c in root.GetProperty("paired").EnumerateArray())
        {
            var d = c.Doubles("a").Zip(c.Doubles("b"), (x, y) => x - y).ToArray();
            EffectSize.CohensDz(d).ShouldBe(c.Number("dz"), 1e-12 * Math.Abs(c.Number("dz")));
        }
    }

    [Fact]
    public void Effect_sizes_by_hand()
    {
        // first (1, 3): mean 2, s² = 2; second (2, 4, 6): mean 4, s² = 4.
        // s_p² = (1·2 + 2·4) / 3 = 10/3; d = −2 / sqrt(10/3); J(df = 3) = 1 − 3/11 = 8/11.
        var d = -2.0 / Math.Sqrt(10.0 / 3.0);
        EffectSize.CohensD([1.0, 3.0], [2.0, 4.0, 6.0]).ShouldBe(d, 1e-15);
        EffectSize.HedgesG([1.0, 3.0], [2.0, 4.0, 6.0]).ShouldBe(d * 8.0 / 11.0, 1e-15);
        // d = (1, 2, 3): mean 2, sd 1.
        EffectSize.CohensDz([1.0, 2.0, 3.0]).ShouldBe(2.0);
    }

    [Fact]
    public void Undefined_when_the_spread_is_zero_or_too_few_values()
    {
        EffectSize.CohensDz([0.1]).ShouldBe(double.NaN);
        EffectSize.CohensDz([0.1, 0.1, 0.1]).ShouldBe(double.NaN);
        EffectSize.CohensD([0.5], [0.5]).ShouldBe(double.NaN);
        EffectSize.CohensD([0.5, 0.5], [0.2, 0.2]).ShouldBe(double.NaN);
        EffectSize.HedgesG([], [0.2, 0.3]).ShouldBe(double.NaN);
        Should.Throw<ArgumentOutOfRangeException>(() => EffectSize.HedgesCorrection(0));
    }
}
