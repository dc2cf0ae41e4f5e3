using CsCheck;
using CultureProbe.Analysis;
using CultureProbe.Probing;
using CultureProbe.Surveys;
using Shouldly;

namespace CultureProbe.Tests.Analysis;

public sealed class DistributionMetricsTests
{
    // JSD: same formula as scipy (normalise, rel_entr, divide by ln 2, sqrt) in double; only the
    // summation order differs, a few ulps over ≤ 11 terms. sqrt amplifies an error ε in the
    // divergence to ε / (2d), still < 1e-14 for the fixture's distances (d ≥ 0.01 unless exactly 0).
    // W1: a sum of ≤ 10 absolute CDF differences, each within a few ulps of scipy's.
    private const double OracleTolerance = 1e-12;

    [Fact]
    public void Jensen_Shannon_distance_matches_scipy_base_2_including_zero_shares()
    {
        var cases = OracleFixture.Cases("distributions.json");
        cases.Count(c => c.Doubles("p").Contains(0.0)).ShouldBeGreaterThan(10, "the fixture must exercise zero shares");
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            DistributionMetrics.JensenShannonDistance(c.Doubles("p"), c.Doubles("q")).ShouldBe(c.Number("jsd"), OracleTolerance, $"case {i}");
            DistributionMetrics.JensenShannonAlignment(c.Doubles("p"), c.Doubles("q")).ShouldBe(1.0 - c.Number("jsd"), OracleTolerance, $"case {i}");
        }
    }

    [Fact]
    public void Normalised_wasserstein_matches_scipy_over_semantic_positions()
    {
        var cases = OracleFixture.Cases("distributions.json");
        cases.Select(c => c.Doubles("p").Length).Distinct().Order().ShouldBe(Enumerable.Range(2, 10), "the fixture must cover K = 2..11");
        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            DistributionMetrics.Wasserstein1Normalized(c.Doubles("p"), c.Doubles("q"), c.Ints("ranks")).ShouldBe(c.Number("w1"), OracleTolerance, $"case {i}");
        }
    }

    [Fact]
    public void Mean_score_matches_numpy_dot()
    {
        foreach (var c in OracleFixture.Cases("distributions.json"))
        {
            DistributionMetrics.MeanScore(c.Doubles("p"), c.Doubles("scores")).ShouldBe(c.Number("mean_p"), 1e-14);
        }
    }

    [Fact]
    public void Point_masses_at_opposite_poles_are_as_far_apart_as_possible()
    {
        DistributionMetrics.JensenShannonDistance([1.0, 0.0, 0.0], [0.0, 0.0, 1.0]).ShouldBe(1.0);
        DistributionMetrics.Wasserstein1Normalized([1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0, 1, 2]).ShouldBe(1.0);
        // Poles are semantic, not positional: option 0 has rank 1 here, so options 1 and 2 are the poles.
        DistributionMetrics.Wasserstein1Normalized([0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1, 0, 2]).ShouldBe(1.0);
        DistributionMetrics.Wasserstein1Normalized([1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [1, 0, 2]).ShouldBe(0.5);
    }

    [Fact]
    public void Wasserstein_is_undefined_for_a_single_option()
    {
        DistributionMetrics.Wasserstein1Normalized([1.0], [1.0], [0]).ShouldBe(double.NaN);
    }

    [Fact]
    public void Bad_distributions_and_ranks_are_rejected()
    {
        Should.Throw<ArgumentException>(() => DistributionMetrics.JensenShannonDistance([0.5, 0.5], [1.0]));
        Should.Throw<ArgumentException>(() => DistributionMetrics.JensenShannonDistance([0.0, 0.0], [0.5, 0.5]));
        Should.Throw<ArgumentException>(() => DistributionMetrics.JensenShannonDistance([-0.1, 1.1], [0.5, 0.5]));
        Should.Throw<ArgumentException>(() => DistributionMetrics.JensenShannonDistance([double.NaN, 1.0], [0.5, 0.5]));
        Should.Throw<ArgumentException>(() => DistributionMetrics.Wasserstein1Normalized([0.5, 0.5], [0.5, 0.5], [0, 0]));
        Should.Throw<ArgumentException>(() => DistributionMetrics.Wasserstein1Normalized([0.5, 0.5], [0.5, 0.5], [1, 2]));
    }

    [Fact]
    public void Top_answer_ties_go_to_the_first_option_in_semantic_order()
    {
        // Options 0 and 2 tie; option 2 has the lower rank, so it wins.
        DistributionMetrics.TopAnswer([0.4, 0.2, 0.4], [2, 1, 0]).ShouldBe(2);
        DistributionMetrics.TopAnswer([0.4, 0.2, 0.4], [0, 1, 2]).ShouldBe(0);
        // Nominal: option order.
        DistributionMetrics.TopAnswer([0.1, 0.45, 0.45]).ShouldBe(1);
    }

    [Fact]
    public void Top_answer_shares_equal_up_to_rounding_noise_tie()
    {
        // 0.1 + 0.2 and 0.3 are the same share reached along two paths; the tie goes to the lower rank.
        double[] noisy = [0.1 + 0.2, 0.3];
        (noisy[0] == noisy[1]).ShouldBeFalse("the premise: the shares differ in the last bits");
        DistributionMetrics.TopAnswer([noisy[1], noisy[0]], [0, 1]).ShouldBe(0);
        DistributionMetrics.TopAnswer([noisy[1], noisy[0]], [1, 0]).ShouldBe(1);
        DistributionMetrics.TopAnswer([noisy[1], noisy[0]], [1, 0], tieTolerance: 0.0).ShouldBe(noisy[0] > noisy[1] ? 1 : 0);
        // Shares that really differ are not merged.
        DistributionMetrics.TopAnswer([0.3, 0.3 + 1e-9], [0, 1]).ShouldBe(1);
    }

    [Fact]
    public void A_compared_item_gathers_every_per_item_figure()
    {
        // A custom-ordered item: codes 1, 2, 3 ("Better", "Worse", "Same") sit at ranks 2, 0, 1.
        double[] scores = [1.0, -1.0, 0.0];
        double[] p = [0.6, 0.1, 0.3];
        double[] r = [0.2, 0.5, 0.3];
        var compared = new ComparedItem("m", "USA", "Q9", "social-values", ["1", "2", "3"], ["Better", "Worse", "Same"], p, r, scores, ComparedItem.RanksOfScores(scores));
        compared.Ranks.ShouldBe([2, 0, 1]);

        var item = compared.ToResult();

        item.Question.ShouldBe("Q9");
        // Hand computation: 0.6 - 0.1 = 0.5 and 0.2 - 0.5 = -0.3.
        item.ModelMean.ShouldBe(0.5, 1e-15);
        item.HumanMean.ShouldBe(-0.3, 1e-15);
        item.JsAlignment.ShouldBe(DistributionMetrics.JensenShannonAlignment(p, r));
        // In semantic order p = (0.1, 0.3, 0.6), r = (0.5, 0.3, 0.2): |CDF gaps| 0.4 + 0.4 over K - 1 = 2.
        item.Wasserstein.ShouldBe(0.4, 1e-15);
        item.ModelTopCode.ShouldBe("1");
        item.HumanTopCode.ShouldBe("2");
        item.TopMatch.ShouldBeFalse();
    }

    [Fact]
    public void Ranks_of_scores_follow_the_score_order()
    {
        ComparedItem.RanksOfScores([1.0, -1.0, 0.0]).ShouldBe([2, 0, 1]);
        ComparedItem.RanksOfScores([-1.0, -1.0 / 3, 1.0 / 3, 1.0]).ShouldBe([0, 1, 2, 3]);
        ComparedItem.RanksOfScores([1.0, 0.5, 0.0, -0.5, -1.0]).ShouldBe([4, 3, 2, 1, 0]);
    }

    internal static readonly Gen<double[]> AnyDistribution =
        Gen.Int[2, 11].SelectMany(k => Gen.Int[0, 1000].Array[k])
            .Where(w => w.Sum() > 0)
            .Select(w => w.Select(v => v / (double)w.Sum()).ToArray());

    internal static readonly Gen<(double[] P, double[] Q, int[] Ranks)> DistributionPairs =
        Gen.Int[2, 11].SelectMany(k => Gen.Select(Weights(k), Weights(k), Gen.Shuffle(Enumerable.Range(0, k).ToArray())));

    private static Gen<double[]> Weights(int k) =>
        Gen.Int[0, 1000].Array[k].Where(w => w.Sum() > 0).Select(w => w.Select(v => v / (double)w.Sum()).ToArray());

    [Fact]
    public void Jensen_Shannon_distance_is_symmetric_bounded_and_zero_only_for_equal_distributions()
    {
        DistributionPairs.Sample(t =>
        {
            var d = DistributionMetrics.JensenShannonDistance(t.P, t.Q);
            d.ShouldBeInRange(0.0, 1.0);
            DistributionMetrics.JensenShannonDistance(t.Q, t.P).ShouldBe(d);
            DistributionMetrics.JensenShannonDistance(t.P, t.P).ShouldBe(0.0);
            if (!t.P.SequenceEqual(t.Q))
            {
                // Shares on a 1/1000-ish grid differ by ≥ ~1e-6, far above rounding.
                d.ShouldBeGreaterThan(0.0);
            }
        }, iter: 500);
    }

    [Fact]
    public void Normalised_wasserstein_lies_in_zero_one_is_symmetric_and_zero_for_equal_distributions()
    {
        DistributionPairs.Sample(t =>
        {
            var w = DistributionMetrics.Wasserstein1Normalized(t.P, t.Q, t.Ranks);
            w.ShouldBeInRange(0.0, 1.0);
            DistributionMetrics.Wasserstein1Normalized(t.Q, t.P, t.Ranks).ShouldBe(w, 1e-15);
            DistributionMetrics.Wasserstein1Normalized(t.P, t.P, t.Ranks).ShouldBe(0.0);
        }, iter: 500);
    }

    [Fact]
    public void Point_masses_at_the_poles_give_one_for_every_scale_length()
    {
        Gen.Int[2, 11].SelectMany(k => Gen.Shuffle(Enumerable.Range(0, k).ToArray())).Sample(ranks =>
        {
            var k = ranks.Length;
            var low = new double[k];
            var high = new double[k];
            low[Array.IndexOf(ranks, 0)] = 1.0;
            high[Array.IndexOf(ranks, k - 1)] = 1.0;
            DistributionMetrics.Wasserstein1Normalized(low, high, ranks).ShouldBe(1.0);
        }, iter: 200);
    }

    [Fact]
    public void Mean_score_of_a_distribution_lies_within_the_score_range()
    {
        DistributionPairs.Sample(t =>
        {
            var k = t.P.Length;
            var scores = t.Ranks.Select(r => SurveyQuestion.ScoreForRank(r, k)).ToArray();
            DistributionMetrics.MeanScore(t.P, scores).ShouldBeInRange(-1.0, 1.0);
        }, iter: 500);
    }
}
