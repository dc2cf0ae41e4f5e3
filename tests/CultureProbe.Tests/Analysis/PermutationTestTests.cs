using CultureProbe.Analysis;
using Shouldly;

namespace CultureProbe.Tests.Analysis;

public sealed class PermutationTestTests
{
    private const string Folder = "significance";

    [Fact]
    public void Paired_test_by_hand_on_three_differences()
    {
        // d = (3, 1, −2), observed mean 2/3. The 2³ sign flips and their means:
        //   (+,+,+)  3+1−2 =  2 →  2/3   (the observed arrangement)
        //   (−,+,+) −3+1−2 = −4 → −4/3
        //   (+,−,+)  3−1−2 =  0 →  0
        //   (+,+,−)  3+1+2 =  6 →  2
        //   (−,−,+) −3−1−2 = −6 → −2
        //   (−,+,−) −3+1+2 =  0 →  0
        //   (+,−,−)  3−1+2 =  4 →  4/3
        //   (−,−,−) −3−1+2 = −2 → −2/3
        // At or above 2/3: {2/3, 2, 4/3} → 3/8. At or below: the other five and 2/3 itself → 6/8.
        // Two-sided: 2 · min(3/8, 6/8) = 3/4 (scipy 1.10 gives 0.75).
        var result = PermutationTest.PairedSignFlip([3.0, 1.0, -2.0], seed: 0);
        result.Statistic.ShouldBe(2.0 / 3.0);
        result.PValue.ShouldBe(0.75);
        result.Exact.ShouldBeTrue();
        result.Arrangements.ShouldBe(8);
    }

    [Fact]
    public void Paired_test_by_hand_counts_a_zero_difference_twice()
    {
        // d = (1, 0, 2), observed mean 1. Flipping the 0 changes nothing, yet both of its signs
        // are arrangements, as in scipy (unlike Wilcoxon's treatment of zeros):
        //   sums over the signs of (1, 2): 3, −1, 1, −3, each twice → means 1, −1/3, 1/3, −1.
        // At or above 1: 2 of 8. Two-sided: 2 · 2/8 = 1/2 (scipy: 0.5).
        PermutationTest.PairedSignFlip([1.0, 0.0, 2.0], seed: 0).PValue.ShouldBe(0.5);
        // d = (1, 2, 3, 4): only the identity reaches the observed 10/4; 2 · 1/16 = 0.125.
        PermutationTest.PairedSignFlip([1.0, 2.0, 3.0, 4.0], seed: 0).PValue.ShouldBe(0.125);
    }

    [Fact]
    public void Paired_test_counts_arrangements_equal_up_to_rounding_as_ties()
    {
        // d = (0.1, 0.2, −0.3, 0.9). Flipping the first three gives the same sum in exact
        // arithmetic (0.1 + 0.2 − 0.3 = 0), but not in doubles:
        var observed = (0.1 + 0.2 - 0.3 + 0.9) / 4;
        var flipped = (-0.1 - 0.2 + 0.3 + 0.9) / 4;
        flipped.ShouldNotBe(observed);
        flipped.ShouldBeLessThan(observed);
        // In exact arithmetic 5 of 16 arrangements reach 0.9 or more (sum 0.9 + {0, 0.6, 0.4, 0.2, 0}),
        // so p = 10/16 = 0.625, scipy's value. Without the tolerance γ = max(1e-14, 1e-14|T|) the
        // flipped arrangement would fall below and p would be 0.5.
        PermutationTest.PairedSignFlip([0.1, 0.2, -0.3, 0.9], seed: 0).PValue.ShouldBe(0.625);
    }

    [Fact]
    public void Independent_test_by_hand_on_three_values()
    {
        // first = (3, 5), second = (1): observed 4 − 1 = 3. The C(3, 2) = 3 splits of {3, 5, 1}:
        //   {3, 5} | {1}: 4 − 1 =  3   (observed)
        //   {3, 1} | {5}: 2 − 5 = −3
        //   {5, 1} | {3}: 3 − 3 =  0
        // At or above 3: 1/3; at or below: 3/3. Two-sided: 2/3.
        var result = PermutationTest.Independent([3.0, 5.0], [1.0], seed: 0);
        result.Statistic.ShouldBe(3.0);
        result.PValue.ShouldBe(2.0 / 3.0);
        result.Exact.ShouldBeTrue();
        result.Arrangements.ShouldBe(3);
    }

    [Fact]
    public void Exact_paired_p_values_equal_scipy()
    {
        var cases = OracleFixture.Cases("permutation_paired.json", Folder).Where(c => c.GetProperty("regime").GetString() == "exact").ToArray();
        cases.Length.ShouldBeGreaterThan(15);
        foreach (var c in cases)
        {
            var d = Differences(c);
            var result = PermutationTest.PairedSignFlip(d, seed: 1, c.GetProperty("resamples").GetInt32());
            result.Exact.ShouldBeTrue();
            result.Arrangements.ShouldBe(1L << d.Length);
            // numpy sums the mean pairwise, we sum left to right: a few ulps of values ≤ 1.
            result.Statistic.ShouldBe(c.Number("statistic"), 1e-15);
            // A count over 2^n divided by 2^n: exact, so equal to the last bit.
            result.PValue.ShouldBe(c.Number("p"));
        }
    }

    [Fact]
    public void Exact_independent_p_values_equal_scipy()
    {
        var cases = OracleFixture.Cases("permutation_independent.json", Folder).Where(c => c.GetProperty("regime").GetString() == "exact").ToArray();
        cases.Length.ShouldBeGreaterThan(10);
        foreach (var c in cases)
        {
            var a = c.Doubles("a");
            var b = c.Doubles("b");
            var result = PermutationTest.Independent(a, b, seed: 1, c.GetProperty("resamples").GetInt32());
            result.Exact.ShouldBeTrue();
            result.Statistic.ShouldBe(c.Number("statistic"), 1e-15);
            // count / C(n, n₁) in both; the same division of the same integers.
            result.PValue.ShouldBe(c.Number("p"));
        }
    }

    [Fact]
    public void Randomised_paired_p_values_agree_with_scipys_exact_p_within_monte_carlo_error()
    {
        var cases = OracleFixture.Cases("permutation_paired.json", Folder).Where(c => c.GetProperty("regime").GetString() == "randomised").ToArray();
        cases.Length.ShouldBeGreaterThan(5);
        foreach (var c in cases)
        {
            var d = Differences(c);
            var budget = c.GetProperty("resamples").GetInt32();
            (1L << d.Length).ShouldBeGreaterThan(budget);
            var exact = c.Number("p");
            var tolerance = Tolerance(exact, budget);
            for (var seed = 0; seed < 3; seed++)
            {
                var result = PermutationTest.PairedSignFlip(d, seed, budget);
                result.Exact.ShouldBeFalse();
                result.Arrangements.ShouldBe(budget);
                result.PValue.ShouldBeGreaterThanOrEqualTo(2.0 / (budget + 1));
                Math.Abs(result.PValue - exact).ShouldBeLessThanOrEqualTo(tolerance, $"n = {d.Length}, seed {seed}");
            }
            // The same reasoning holds for scipy's own randomised p-value.
            Math.Abs(c.Number("p_scipy_randomised") - exact).ShouldBeLessThanOrEqualTo(tolerance);
        }
    }

    [Fact]
    public void Randomised_independent_p_values_agree_with_scipys_exact_p_within_monte_carlo_error()
    {
        var cases = OracleFixture.Cases("permutation_independent.json", Folder).Where(c => c.GetProperty("regime").GetString() == "randomised").ToArray();
        cases.Length.ShouldBeGreaterThan(3);
        foreach (var c in cases)
        {
            var a = c.Doubles("a");
            var b = c.Doubles("b");
            var budget = c.GetProperty("resamples").GetInt32();
            var exact = c.Number("p");
            var tolerance = Tolerance(exact, budget);
            for (var seed = 0; seed < 3; seed++)
            {
                var result = PermutationTest.Independent(a, b, seed, budget);
                result.Exact.ShouldBeFalse();
                Math.Abs(result.PValue - exact).ShouldBeLessThanOrEqualTo(tolerance, $"n = {a.Length} + {b.Length}, seed {seed}");
            }
            Math.Abs(c.Number("p_scipy_randomised") - exact).ShouldBeLessThanOrEqualTo(tolerance);
        }
    }

    [Fact]
    public void Randomised_p_value_follows_the_plus_one_rule()
    {
        // 20 zero differences: every drawn arrangement ties the observed 0, so each one-sided p is
        // (B + 1) / (B + 1) = 1. With one nonzero among many: the +1 keeps p away from 0.
        var zeros = new double[20];
        var tied = PermutationTest.PairedSignFlip(zeros, seed: 3, resamples: 999);
        tied.Exact.ShouldBeFalse();
        tied.PValue.ShouldBe(1.0);

        // 20 equal positive differences: only the identity reaches the observed mean, with
        // probability 2^−20, so almost surely no draw does: p_greater = (0 + 1) / (999 + 1).
        var equal = Enumerable.Repeat(0.5, 20).ToArray();
        PermutationTest.PairedSignFlip(equal, seed: 3, resamples: 999).PValue.ShouldBe(2.0 / 1000);
    }

    [Fact]
    public void Budget_at_the_number_of_arrangements_is_exact_and_one_below_is_not()
    {
        double[] d = [0.3, -0.1, 0.25, 0.05, -0.2, 0.4, 0.1, 0.15, -0.05, 0.2];
        PermutationTest.PairedSignFlip(d, seed: 0, resamples: 1024).Exact.ShouldBeTrue();
        PermutationTest.PairedSignFlip(d, seed: 0, resamples: 1023).Exact.ShouldBeFalse();
        double[] a = [0.3, 0.5, 0.7, 0.2];
        double[] b = [0.1, 0.4, 0.2, 0.3, 0.15, 0.05];
        PermutationTest.Independent(a, b, seed: 0, resamples: 210).Exact.ShouldBeTrue();
        PermutationTest.Independent(a, b, seed: 0, resamples: 209).Exact.ShouldBeFalse();
    }

    [Fact]
    public void Same_seed_same_p_and_empty_samples_are_undefined()
    {
        var d = Enumerable.Range(0, 30).Select(i => Math.Sin(i) * 0.1 + 0.02).ToArray();
        PermutationTest.PairedSignFlip(d, 5).ShouldBe(PermutationTest.PairedSignFlip(d, 5));
        PermutationTest.PairedSignFlip([], 5).ShouldBe(PermutationTestResult.Undefined);
        PermutationTest.Independent([1.0], [], 5).PValue.ShouldBe(double.NaN);
        Should.Throw<ArgumentException>(() => PermutationTest.PairedSignFlip([double.NaN], 0));
        Should.Throw<ArgumentOutOfRangeException>(() => PermutationTest.PairedSignFlip([1.0], 0, resamples: 0));
    }

    [Fact]
    public void Binomial_coefficient_stops_past_the_cap_without_overflow()
    {
        PermutationTest.Binomial(10, 4, 1000).ShouldBe(210);
        PermutationTest.Binomial(55, 20, 9999).ShouldBe(10000);
        PermutationTest.Binomial(60, 30, long.MaxValue - 1).ShouldBe(118264581564861424L);
    }

    private static double[] Differences(System.Text.Json.JsonElement c)
    {
        var a = c.Doubles("a");
        var b = c.Doubles("b");
        // The same subtraction numpy does inside the statistic mean(x − y).
        return a.Zip(b, (x, y) => x - y).ToArray();
    }

    /// <summary>
    /// How far a randomised two-sided p may be from the exact one. Each one-sided estimate is
    /// (X + 1) / (B + 1) with X ~ Binomial(B, p₁), p₁ the exact one-sided p (half the exact
    /// two-sided p), so its standard error is about sqrt(p₁ (1 − p₁) / B) and the doubled
    /// estimate's twice that; the +1 shifts the doubled value by at most 2 / (B + 1). Four standard
    /// errors plus that shift: a miss has a chance of about 6e-5 per comparison.
    /// </summary>
    private static double Tolerance(double exactTwoSided, int budget)
    {
        var p1 = Math.Min(0.5, exactTwoSided / 2.0);
        return (4.0 * 2.0 * Math.Sqrt(p1 * (1.0 - p1) / budget)) + (2.0 / (budget + 1));
    }
}
