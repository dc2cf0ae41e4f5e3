using CultureProbe.Analysis;
using Shouldly;

namespace CultureProbe.Tests.Analysis;

public sealed class GroupComparisonTests
{
    [Fact]
    public void Interval_agrees_with_scipys_independent_percentile_bootstrap()
    {
        var cases = OracleFixture.Cases("bootstrap.json", "significance").Where(c => c.GetProperty("kind").GetString() == "independent").ToArray();
        cases.Length.ShouldBe(2);
        foreach (var c in cases)
        {
            var resamples = c.GetProperty("resamples").GetInt32();
            var values = Keyed(c.Doubles("a"), c.Doubles("b"));
            var result = GroupComparison.Compute(values, IsWestern, new ComparisonOptions(BootstrapResamples: resamples, PermutationResamples: 99, Seed: 4));
            // Same reasoning as for the paired interval (see ModelPairComparisonTests.BoundTolerance).
            var tolerance = ModelPairComparisonTests.BoundTolerance(c.Number("standard_error"), resamples);
            result.Interval.Lower.ShouldBe(c.Number("low"), tolerance);
            result.Interval.Upper.ShouldBe(c.Number("high"), tolerance);
        }
    }

    [Fact]
    public void Exact_p_value_and_effect_sizes_match_the_oracles()
    {
        foreach (var c in OracleFixture.Cases("permutation_independent.json", "significance")
                     .Where(c => c.GetProperty("regime").GetString() == "exact" && c.GetProperty("resamples").GetInt32() == 9999))
        {
            var a = c.Doubles("a");
            var b = c.Doubles("b");
            var result = GroupComparison.Compute(Keyed(a, b), IsWestern, new ComparisonOptions(BootstrapResamples: 50));
            result.Test.Exact.ShouldBeTrue();
            result.Test.PValue.ShouldBe(c.Number("p"));
            result.Difference.ShouldBe(c.Number("statistic"), 1e-15);
            result.FirstCountries.Count.ShouldBe(a.Length);
            result.SecondCountries.Count.ShouldBe(b.Length);
        }
        var effects = OracleFixture.Cases("effect_sizes.json", "significance").Single().GetProperty("independent");
        foreach (var c in effects.EnumerateArray())
        {
            var result = GroupComparison.Compute(Keyed(c.Doubles("a"), c.Doubles("b")), IsWestern, new ComparisonOptions(BootstrapResamples: 10));
            result.CohensD.ShouldBe(c.Number("cohen_d"), 1e-12 * Math.Abs(c.Number("cohen_d")));
            result.HedgesG.ShouldBe(c.Number("hedges_g"), 1e-12 * Math.Abs(c.Number("hedges_g")));
        }
    }

    [Fact]
    public void Interval_equals_an_independent_replay_of_the_documented_draws()
    {
        double[] western = [0.61, 0.55, 0.7, 0.48, 0.66];
        double[] other = [0.41, 0.52, 0.3, 0.45, 0.5, 0.38, 0.6];
        const int seed = 21;
        const int resamples = 400;
        var random = new Random(seed);
        var differences = new List<double>();
        for (var b = 0; b < resamples; b++)
        {
            var first = Enumerable.Range(0, western.Length).Select(_ => western[random.Next(western.Length)]).Sum() / western.Length;
            var second = Enumerable.Range(0, other.Length).Select(_ => other[random.Next(other.Length)]).Sum() / other.Length;
            differences.Add(first - second);
        }
        var result = GroupComparison.Compute(Keyed(western, other), IsWestern, new ComparisonOptions(resamples, 999, 0.95, seed));
        // Equal up to the interpolation form (see ModelPairComparisonTests' replay).
        result.Interval.Lower.ShouldBe(ModelPairComparisonTests.SortedLinear(differences, 0.025), 1e-15);
        result.Interval.Upper.ShouldBe(ModelPairComparisonTests.SortedLinear(differences, 0.975), 1e-15);
        result.Test.ShouldBe(PermutationTest.Independent(western, other, seed ^ 0x2545F491, 999));
        result.Test.Exact.ShouldBeTrue(); // C(12, 5) = 792 ≤ 999
    }

    [Fact]
    public void Undefined_values_are_left_out_and_an_empty_group_gives_no_interval()
    {
        var values = new Dictionary<string, double> { ["W1"] = 0.5, ["W2"] = double.NaN, ["N1"] = 0.3, ["N2"] = 0.2, ["N3"] = double.NaN };
        var result = GroupComparison.Compute(values, IsWestern, new ComparisonOptions(BootstrapResamples: 20));
        result.FirstCountries.ShouldBe(["W1"]);
        result.SecondCountries.ShouldBe(["N1", "N2"]);
        result.LeftOut.ShouldBe(["N3", "W2"]);
        result.Difference.ShouldBe(0.5 - 0.25, 1e-15);

        var empty = GroupComparison.Compute(values, _ => false, new ComparisonOptions(BootstrapResamples: 20));
        empty.MeanFirst.ShouldBe(double.NaN);
        empty.Interval.Used.ShouldBe(0);
        empty.Test.PValue.ShouldBe(double.NaN);
    }

    private static bool IsWestern(string country) => country.StartsWith('W');

    private static Dictionary<string, double> Keyed(double[] western, double[] other)
    {
        var values = new Dictionary<string, double>();
        for (var i = 0; i < western.Length; i++)
        {
            values[$"W{i:D2}"] = western[i];
        }
        for (var i = 0; i < other.Length; i++)
        {
            values[$"N{i:D2}"] = other[i];
        }
        return values;
    }
}
