using CsCheck;
using CultureProbe.Analysis;
using CultureProbe.Study;
using Shouldly;

namespace CultureProbe.Tests.Study;

public sealed class BaselinesAndHumanReferenceTests
{
    [Fact]
    public void Baselines_copy_the_first_models_rows_with_seeded_scores()
    {
        var responses = MulticulturalFixture.Inputs(withGlobal: false).Responses.Where(r => r.Family != "Baseline").ToArray();
        var first = responses.Where(r => r.Model == responses[0].Model).ToArray();

        var baselines = StudyBaselines.Create(responses, seed: 9);

        baselines.Count.ShouldBe(2 * first.Length);
        var uniform = baselines.Where(b => b.Model == StudyBaselines.UniformRandom).ToArray();
        var fifty = baselines.Where(b => b.Model == StudyBaselines.FiftyPercent).ToArray();
        foreach (var copies in new[] { uniform, fifty })
        {
            copies.Select(b => (b.Topic, b.PromptLanguage, b.ResponseLanguage, b.Template)).ShouldBe(first.Select(r => (r.Topic, r.PromptLanguage, r.ResponseLanguage, r.Template)));
            copies.ShouldAllBe(b => b.Family == StudyBaselines.Family && b.ProScore >= 0 && b.ProScore <= 1);
        }
        // U(0, 1): spread over the interval; N(0.5, 0.01²): within 6 SD of one half.
        uniform.Min(b => b.ProScore).ShouldBeLessThan(0.05);
        uniform.Max(b => b.ProScore).ShouldBeGreaterThan(0.95);
        fifty.ShouldAllBe(b => Math.Abs(b.ProScore - 0.5) < 0.06);
        Math.Abs(fifty.Average(b => b.ProScore) - 0.5).ShouldBeLessThan(0.003);
        StudyBaselines.Create(responses, seed: 9).ShouldBe(baselines);
        StudyBaselines.Create(responses, seed: 10).Select(b => b.ProScore).ShouldNotBe(baselines.Select(b => b.ProScore));
    }

    [Fact]
    public void The_pooled_correlation_of_all_draw_pairs_equals_Pearson_over_the_explicit_pair_list()
    {
        // Draw pairs include a draw with itself, as the authors' self-join does.
        var gen = Gen.Int[1, 5].SelectMany(items => Gen.Int[0, 20].Array[2, 8].Array[items]);
        gen.Sample(grid =>
        {
            var items = grid.Select(item => item.Select(v => v / 20.0).ToArray()).ToArray();
            var xs = new List<double>();
            var ys = new List<double>();
            foreach (var shares in items)
            {
                foreach (var a in shares)
                {
                    foreach (var b in shares)
                    {
                        xs.Add(a);
                        ys.Add(b);
                    }
                }
            }
            var brute = Correlation.Pearson(xs, ys).Value;
            HumanConsistency.PooledSelfPairCorrelation(items).ShouldBeClose(brute, 1e-12, "closed form vs pairs");
        });
    }

    [Fact]
    public void Draws_are_without_replacement_weighted_and_reproducible()
    {
        // Drawing all respondents of an item without replacement always gives its full weighted share
        // (x: 2/4, y: 1/4), so every pair agrees: r = 1. With replacement the shares would vary.
        RespondentAnswer[] pool = [new("NL", "x", 2, true), new("NL", "x", 1, false), new("NL", "x", 1, false), new("NL", "y", 1, true), new("NL", "y", 3, false)];
        HumanConsistency.Compute(pool, seed: 1, draws: 50, sampleSize: 3).ShouldHaveSingleItem().SelfConsistency.ShouldBe(1.0);

        // One respondent per draw: shares are 0 or 1 and the result depends on the seed only.
        var a = HumanConsistency.Compute(pool, seed: 4, draws: 100, sampleSize: 1);
        a.ShouldBe(HumanConsistency.Compute(pool, seed: 4, draws: 100, sampleSize: 1));
        a.Single().SelfConsistency.ShouldBeInRange(-1.0, 1.0);
        a.Single().Items.ShouldBe(2);
    }
}
