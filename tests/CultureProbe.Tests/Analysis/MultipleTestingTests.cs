using CsCheck;
using CultureProbe.Analysis;
using Shouldly;

namespace CultureProbe.Tests.Analysis;

public sealed class MultipleTestingTests
{
    [Fact]
    public void Holm_matches_statsmodels_multipletests()
    {
        var cases = OracleFixture.Cases("holm.json", "significance");
        cases.Count.ShouldBeGreaterThan(20);
        foreach (var c in cases)
        {
            var p = c.Doubles("p");
            // Each adjusted value is one product (integer × double, one rounding) passed through
            // max and min, which round nothing: equal to the last bit.
            MultipleTesting.HolmAdjusted(p).ShouldBe(c.Doubles("adjusted"));
            MultipleTesting.HolmRejected(p, 0.05).ShouldBe(c.Bools("reject"));
        }
    }

    [Fact]
    public void Holm_by_hand()
    {
        // Sorted: 0.005, 0.01, 0.03, 0.04 with factors 4, 3, 2, 1 → 0.02, 0.03, 0.06, 0.04;
        // the running maximum lifts the last to 0.06. Back in input order:
        MultipleTesting.HolmAdjusted([0.01, 0.04, 0.03, 0.005]).ShouldBe([0.03, 0.06, 0.06, 0.02]);
        // At α = 0.05: 0.005 ≤ 0.05/4 and 0.01 ≤ 0.05/3 are rejected; 0.03 > 0.05/2 stops the walk.
        MultipleTesting.HolmRejected([0.01, 0.04, 0.03, 0.005]).ShouldBe([true, false, false, true]);
        // Ties share one adjusted value: 3 · 0.02 for both, then max(0.06, 0.5).
        MultipleTesting.HolmAdjusted([0.02, 0.5, 0.02]).ShouldBe([0.06, 0.5, 0.06]);
        MultipleTesting.HolmAdjusted([0.4, 0.9]).ShouldBe([0.8, 0.9]);
        MultipleTesting.HolmAdjusted([0.6, 0.7]).ShouldBe([1.0, 1.0]);
        MultipleTesting.HolmAdjusted([]).ShouldBeEmpty();
    }

    [Fact]
    public void Holm_adjusted_values_keep_the_raw_order_and_lie_between_raw_and_one()
    {
        Gen.Double[0.0, 1.0].Array[1, 30].Sample(p =>
        {
            var adjusted = MultipleTesting.HolmAdjusted(p);
            for (var i = 0; i < p.Length; i++)
            {
                adjusted[i].ShouldBeGreaterThanOrEqualTo(p[i]);
                adjusted[i].ShouldBeLessThanOrEqualTo(1.0);
                adjusted[i].ShouldBeLessThanOrEqualTo(Math.Min(1.0, p.Length * p[i]));
                for (var j = 0; j < p.Length; j++)
                {
                    if (p[i] <= p[j])
                    {
                        adjusted[i].ShouldBeLessThanOrEqualTo(adjusted[j]);
                    }
                }
            }
        });
    }

    [Fact]
    public void Values_outside_zero_to_one_are_refused()
    {
        Should.Throw<ArgumentException>(() => MultipleTesting.HolmAdjusted([0.1, double.NaN]));
        Should.Throw<ArgumentException>(() => MultipleTesting.HolmAdjusted([1.2]));
        Should.Throw<ArgumentOutOfRangeException>(() => MultipleTesting.HolmRejected([0.1], 1.0));
    }
}
