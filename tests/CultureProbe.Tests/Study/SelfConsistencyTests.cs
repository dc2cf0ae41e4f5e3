using System.Globalization;
using CsCheck;
using CultureProbe.Analysis;
using CultureProbe.Study;
using Shouldly;

namespace CultureProbe.Tests.Study;

public sealed class SelfConsistencyTests
{
    // Same doubles on both sides; the oracle sums uncentred ranks, we sum centred ones, so the
    // two differ by rounding only (≤ 1e-14 for a few thousand pairs). 1e-12 would still catch a
    // wrong pair set: dropping the (j, i) copies or adding i = i pairs moves ρ by ≥ 1e-3 here.
    private const double Tolerance = 1e-12;

    [Fact]
    public void Point_consistency_equals_the_oracle_per_model_and_language()
    {
        var inputs = MulticulturalFixture.Inputs();
        var rows = SelfConsistency.Point(inputs.Responses, 0.045);
        var expected = MulticulturalFixture.Rows("expected", "consistency_point.csv");
        rows.Count.ShouldBe(expected.Count);
        foreach (var e in expected)
        {
            var row = rows.Single(r => r.Model == e["model"] && r.Language == e["language"]);
            row.Observed.ShouldBeClose(e.Number("observed"), Tolerance, $"{row.Model} {row.Language} observed");
            row.Point.ShouldBeClose(e.Number("self_consistency"), Tolerance, $"{row.Model} {row.Language}");
            row.Pairs.ShouldBe(long.Parse(e["n_pairs"], CultureInfo.InvariantCulture));
            row.Responses.ShouldBe(int.Parse(e["n_responses"], CultureInfo.InvariantCulture));
            row.Topics.ShouldBe(int.Parse(e["n_topics"], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void Three_responses_to_one_topic_by_hand()
    {
        // Ordered pairs (0.1,0.5) (0.1,0.9) (0.5,0.1) (0.5,0.9) (0.9,0.1) (0.9,0.5): each value twice per
        // side, average ranks 1.5, 3.5, 5.5; Σ dx·dy = −8, Σ dx² = Σ dy² = 16, so ρ = −0.5 = −1/(n − 1).
        var rows = SelfConsistency.Point([Response("m", "t", 0.1), Response("m", "t", 0.5), Response("m", "t", 0.9)], 0.045);
        var row = rows.ShouldHaveSingleItem();
        row.Observed.ShouldBe(-0.5, 1e-15);
        row.Point.ShouldBe(-0.5 / 0.955, 1e-15);
        row.Pairs.ShouldBe(6);
    }

    [Fact]
    public void Pairs_pool_topics_so_spread_between_topics_counts()
    {
        // Pairs (0.1,0.2) (0.2,0.1) (0.8,0.9) (0.9,0.8): ranks x 1 2 3 4, y 2 1 4 3, ρ = 3/5, although
        // within each topic the two answers are "opposite".
        var rows = SelfConsistency.Point([Response("m", "a", 0.1), Response("m", "a", 0.2), Response("m", "b", 0.8), Response("m", "b", 0.9), Response("m", "c", 0.4)], 0);
        rows.ShouldHaveSingleItem().Observed.ShouldBe(0.6, 1e-15);
        rows[0].Pairs.ShouldBe(4);
    }

    [Fact]
    public void Undefined_without_two_pairs_or_when_every_paired_value_is_equal()
    {
        SelfConsistency.Point([Response("m", "a", 0.1), Response("m", "b", 0.2)], 0).Single().Observed.ShouldBe(double.NaN);
        SelfConsistency.Point([Response("m", "a", 0.3), Response("m", "a", 0.3), Response("m", "b", 0.3)], 0).Single().Observed.ShouldBe(double.NaN);
    }

    [Fact]
    public void The_closed_form_equals_Spearman_over_the_explicit_pair_list()
    {
        // Values on a coarse grid so ties are common, as with judged pro scores (0.7, 0.5, …).
        var gen = Gen.Int[3, 30].SelectMany(n => Gen.Select(Gen.Int[0, 10].Array[n], Gen.Int[0, 4].Array[n]));
        gen.Sample(t =>
        {
            var (grid, topics) = t;
            var values = grid.Select(v => v / 10.0).ToArray();
            var xs = new List<double>();
            var ys = new List<double>();
            for (var i = 0; i < values.Length; i++)
            {
                for (var j = 0; j < values.Length; j++)
                {
                    if (i != j && topics[i] == topics[j])
                    {
                        xs.Add(values[i]);
                        ys.Add(values[j]);
                    }
                }
            }
            var (rho, pairs) = RankCorrelation.PairConsistency(values, topics);
            pairs.ShouldBe(xs.Count);
            var brute = xs.Count < 3 ? double.NaN : Correlation.Spearman(xs, ys).Value;
            if (xs.Count >= 3)
            {
                rho.ShouldBeClose(brute, 1e-12, "closed form vs pair list");
            }
        });
    }

    [Fact]
    public void The_bootstrap_figure_resamples_model_rows_only_and_is_reproducible()
    {
        var inputs = MulticulturalFixture.Inputs(withGlobal: false);
        var options = new StudyAnalysisOptions { Rounds = 30, Seed = 3 };
        var report = StudyAnalysis.Run(inputs, options);
        var again = StudyAnalysis.Run(inputs, options);
        report.Consistency.ShouldBe(again.Consistency);
        foreach (var row in report.Consistency)
        {
            if (row.Model == StudyBaselines.UniformRandom)
            {
                row.BootstrapMean.ShouldBe(double.NaN);
                row.Rounds.ShouldBe(0);
                continue;
            }
            row.Rounds.ShouldBe(30);
            row.CiLow.ShouldBeLessThanOrEqualTo(row.BootstrapMean);
            row.BootstrapMean.ShouldBeLessThanOrEqualTo(row.CiHigh);
        }
        // A drawn duplicate pairs with itself, so the figure lies above the point value for a sparse
        // cell: Gemma-2 2B Danish (38 responses over 20 topics), 0.088 at the point, ≈ 0.40 in the figure.
        var sparse = report.Consistency.Single(c => c.Model == "gemma-2-2b-it" && c.Language == "da");
        sparse.BootstrapMean.ShouldBeGreaterThan(sparse.Point + 0.1);
    }

    private static StudyResponse Response(string model, string topic, double score) => new(model, "f", "survey_hypothetical", "da", "da", topic, score);
}
