using CsCheck;
using CultureProbe.Analysis;
using Shouldly;

namespace CultureProbe.Tests.Analysis;

public sealed class CorrelationTests
{
    // Both sides compute in IEEE double from the same inputs; they differ only in summation
    // order (numpy sums pairwise, we sum left to right), which moves r by a few ulps times n,
    // well under 1e-13 for n ≤ 40. 1e-12 leaves room without hiding a wrong formula, which
    // would be off by far more.
    private const double OracleTolerance = 1e-12;

    [Fact]
    public void Pearson_matches_scipy_pearsonr()
    {
        var cases = OracleFixture.Cases("correlation.json");
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var result = Correlation.Pearson(c.Doubles("x"), c.Doubles("y"));
            ShouldMatch(result.Value, c.Number("pearson"), $"case {i}");
            result.N.ShouldBe(c.Doubles("x").Length);
        }
    }

    [Fact]
    public void Spearman_matches_scipy_spearmanr_including_ties()
    {
        var cases = OracleFixture.Cases("correlation.json");
        cases.Count(c => c.Doubles("x").Distinct().Count() < c.Doubles("x").Length).ShouldBeGreaterThan(20, "the fixture must exercise ties");
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            ShouldMatch(Correlation.Spearman(c.Doubles("x"), c.Doubles("y")).Value, c.Number("spearman"), $"case {i}");
        }
    }

    [Fact]
    public void Average_ranks_equal_scipy_rankdata_exactly()
    {
        foreach (var c in OracleFixture.Cases("correlation.json").Where(c => c.TryGetProperty("ranks_x", out _)))
        {
            // Ranks are multiples of 1/2, exact in double: no tolerance.
            Correlation.AverageRanks(c.Doubles("x")).ShouldBe(c.Doubles("ranks_x"));
        }
    }

    [Theory]
    [InlineData(new double[0], new double[0])]
    [InlineData(new[] { 1.0 }, new[] { 2.0 })]
    [InlineData(new[] { 1.0, 2.0 }, new[] { 1.0, 2.0 })]
    [InlineData(new[] { 1.0, 2.0, 3.0 }, new[] { 5.0, 5.0, 5.0 })]
    [InlineData(new[] { 0.1, 0.1, 0.1, 0.1 }, new[] { 1.0, 2.0, 3.0, 4.0 })]
    public void Undefined_below_three_pairs_or_with_a_constant_side_and_n_is_still_reported(double[] x, double[] y)
    {
        var pearson = Correlation.Pearson(x, y);
        var spearman = Correlation.Spearman(x, y);
        pearson.Value.ShouldBe(double.NaN);
        spearman.Value.ShouldBe(double.NaN);
        pearson.IsDefined.ShouldBeFalse();
        pearson.N.ShouldBe(x.Length);
        spearman.N.ShouldBe(x.Length);
    }

    [Fact]
    public void Constant_side_is_undefined_even_when_its_mean_is_not_representable()
    {
        // Σ 0.1 / 3 ≠ 0.1 in double; a naive centred sum would give tiny non-zero deviations and a meaningless r.
        Correlation.Pearson([0.1, 0.1, 0.1], [1.0, 2.0, 4.0]).Value.ShouldBe(double.NaN);
    }

    [Fact]
    public void Large_offset_does_not_cancel_away_the_signal()
    {
        // One-pass Σxy − n·x̄·ȳ loses every digit here; centred sums keep r = 1 exactly (up to rounding).
        double[] x = [1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4];
        double[] y = [1.0, 2.0, 3.0, 4.0];
        Correlation.Pearson(x, y).Value.ShouldBe(1.0, 1e-12);
    }

    [Fact]
    public void Mismatched_lengths_and_non_finite_values_are_rejected()
    {
        Should.Throw<ArgumentException>(() => Correlation.Pearson([1.0, 2.0, 3.0], [1.0, 2.0]));
        Should.Throw<ArgumentException>(() => Correlation.Spearman([1.0, double.NaN, 3.0], [1.0, 2.0, 3.0]));
        Should.Throw<ArgumentException>(() => Correlation.Pearson([1.0, 2.0, double.PositiveInfinity], [1.0, 2.0, 3.0]));
    }

    [Fact]
    public void Mathematically_equal_means_summed_in_different_orders_tie_under_the_tolerance()
    {
        // Given two questions whose mean score is 0.6 in exact arithmetic, reached along two summation orders
        var forward = (0.1 * 1.0) + (0.2 * 1.0) + (0.3 * 1.0);
        var backward = (0.3 * 1.0) + (0.2 * 1.0) + (0.1 * 1.0);
        forward.ShouldNotBe(backward, "the premise: floating-point noise separates them");
        double[] noisy = [forward, backward, -0.2, 0.9];
        double[] exact = [0.6, 0.6, -0.2, 0.9];
        double[] human = [0.1, 0.3, -0.5, 0.2];

        // Then exact ranking breaks the tie, the tolerance restores it, and Spearman equals the exact-arithmetic value
        Correlation.AverageRanks(noisy).ShouldBe([3.0, 2.0, 1.0, 4.0]);
        Correlation.AverageRanks(noisy, AlignmentOptions.DefaultTieTolerance).ShouldBe([2.5, 2.5, 1.0, 4.0]);
        Correlation.Spearman(noisy, human, AlignmentOptions.DefaultTieTolerance).Value
            .ShouldBe(Correlation.Spearman(exact, human).Value);
    }

    [Fact]
    public void Tie_tolerance_does_not_merge_values_that_really_differ()
    {
        Correlation.AverageRanks([0.5, 0.5 + 1e-9, 0.5 - 1e-9], 1e-12).ShouldBe([2.0, 3.0, 1.0]);
        Correlation.AverageRanks([1000.0, 1000.0 + 1e-8], 1e-12).ShouldBe([1.0, 2.0]);
        // Relative above 1: values ~1e6 apart by 1e-7 are within 1e-12 relative and tie.
        Correlation.AverageRanks([1e6, 1e6 + 1e-7], 1e-12).ShouldBe([1.5, 1.5]);
    }

    // Values on a 0.001 grid in [-100, 100]: dense enough to be continuous in effect, but never so
    // close together that an affine map could round distinct values into equal ones.
    private static readonly Gen<double> GridValue = Gen.Int[-100_000, 100_000].Select(v => v / 1000.0);

    private static readonly Gen<(double[] X, double[] Y)> ContinuousPairs =
        Gen.Int[3, 40].SelectMany(n => Gen.Select(GridValue.Array[n], GridValue.Array[n]));

    // Quarter-integers with few distinct values: many ties, and affine maps with these a, b are exact in double.
    private static readonly Gen<(double[] X, double[] Y)> TiedPairs =
        Gen.Int[3, 40].SelectMany(n => Gen.Select(Gen.Int[-4, 4].Array[n], Gen.Int[-3, 3].Array[n]))
            .Select(t => (t.Item1.Select(v => v * 0.25).ToArray(), t.Item2.Select(v => v * 0.25).ToArray()));

    [Fact]
    public void Both_coefficients_lie_in_minus_one_to_one_and_are_symmetric()
    {
        foreach (var gen in new[] { ContinuousPairs, TiedPairs })
        {
            gen.Sample(t =>
            {
                foreach (var f in new Func<double[], double[], double>[] { (a, b) => Correlation.Pearson(a, b).Value, (a, b) => Correlation.Spearman(a, b).Value })
                {
                    var r = f(t.X, t.Y);
                    if (!double.IsNaN(r))
                    {
                        r.ShouldBeInRange(-1.0, 1.0);
                    }
                    f(t.Y, t.X).ShouldBe(r);
                }
            }, iter: 500);
        }
    }

    [Fact]
    public void Pearson_is_invariant_under_positive_affine_maps()
    {
        Gen.Select(ContinuousPairs, Gen.Double[0.01, 100.0], Gen.Double[-50.0, 50.0]).Sample((t, a, b) =>
        {
            var moved = t.X.Select(v => (a * v) + b).ToArray();
            Correlation.Pearson(moved, t.Y).Value.ShouldBe(Correlation.Pearson(t.X, t.Y).Value, 1e-9);
            // A negative scale flips the sign.
            Correlation.Pearson(t.X.Select(v => -a * v).ToArray(), t.Y).Value.ShouldBe(-Correlation.Pearson(t.X, t.Y).Value, 1e-9);
        }, iter: 500);
    }

    [Fact]
    public void Spearman_is_exactly_invariant_under_positive_affine_maps_that_keep_ties()
    {
        Gen.Select(TiedPairs, Gen.OneOf(0.5, 2.0, 3.0), Gen.OneOf(-2.0, 0.0, 1.5)).Sample((t, a, b) =>
        {
            var moved = t.X.Select(v => (a * v) + b).ToArray();
            var expected = Correlation.Spearman(t.X, t.Y).Value;
            var actual = Correlation.Spearman(moved, t.Y).Value;
            (double.IsNaN(expected) ? double.IsNaN(actual) : actual == expected).ShouldBeTrue($"{actual} vs {expected}");
        }, iter: 500);
    }

    private static void ShouldMatch(double actual, double expected, string context)
    {
        if (double.IsNaN(expected))
        {
            actual.ShouldBe(double.NaN, context);
        }
        else
        {
            actual.ShouldBe(expected, OracleTolerance, context);
        }
    }
}
