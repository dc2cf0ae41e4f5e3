using CultureProbe.Analysis;
using Shouldly;

namespace CultureProbe.Tests.Analysis;

public sealed class SmallSampleReferenceTests
{
    private static readonly double[] FourPoint = [-1.0, -1.0 / 3.0, 1.0 / 3.0, 1.0];

    [Fact]
    public void Everyone_agreeing_within_each_question_gives_r_of_one_in_every_draw()
    {
        // Each question is a point mass on one option, and the options differ between questions:
        // every sample of 10 has exactly the question's score, so the two samples' means are the
        // same vector and r = 1 in each draw (up to the rounding of sqrt(Σx²)², one ulp).
        PopulationCell[] cells =
        [
            new("DEU", "Q1", [1.0, 0.0, 0.0, 0.0], FourPoint, 500),
            new("DEU", "Q2", [0.0, 0.0, 1.0, 0.0], FourPoint, 500),
            new("DEU", "Q3", [0.0, 0.0, 0.0, 1.0], FourPoint, 500),
            new("DEU", "Q4", [0.0, 1.0, 0.0, 0.0], FourPoint, 500),
        ];
        var result = SmallSampleReference.PerCountry(cells, seed: 1, draws: 50).Single();
        result.Used.ShouldBe(50);
        result.Mean.ShouldBe(1.0, 1e-15);
        result.Lower.ShouldBe(1.0, 1e-15);
        result.Upper.ShouldBe(1.0, 1e-15);
        result.SampleSize.ShouldBe(10);
        result.Questions.ShouldBe(4);
    }

    [Fact]
    public void The_same_point_mass_everywhere_leaves_no_defined_draw()
    {
        // Every sample mean is 1/3 on every question: both sides constant, so r is undefined.
        var cells = Enumerable.Range(0, 5).Select(q => new PopulationCell("JPN", $"Q{q}", [0.0, 0.0, 1.0, 0.0], FourPoint, 100));
        var result = SmallSampleReference.PerCountry(cells, seed: 1, draws: 20).Single();
        result.Used.ShouldBe(0);
        result.Requested.ShouldBe(20);
        result.Mean.ShouldBe(double.NaN);
    }

    [Fact]
    public void Questions_with_one_shared_distribution_give_a_mean_r_of_zero()
    {
        // With every question's distribution the same, the two samples are independent vectors
        // of independent values, so r is symmetric about 0 and E[r] = 0 exactly. Its sd is about
        // 1/sqrt(Q − 1) = 0.23 for Q = 20, so the mean of 4 000 draws has a standard error of
        // ≈ 0.0036; four of them: 0.015.
        var cells = Enumerable.Range(0, 20).Select(q => new PopulationCell("KEN", $"Q{q:D2}", [0.1, 0.2, 0.3, 0.4], FourPoint, 100));
        var result = SmallSampleReference.PerCountry(cells, seed: 3, draws: 4000).Single();
        result.Used.ShouldBe(4000);
        Math.Abs(result.Mean).ShouldBeLessThan(0.015);
        result.Lower.ShouldBeLessThan(-0.3);
        result.Upper.ShouldBeGreaterThan(0.3);
    }

    [Fact]
    public void Mean_r_matches_the_reliability_of_a_ten_person_mean_in_a_simulation()
    {
        // Independent derivation: each sample mean is x = t + e with Var(e_q) = σ_q² / 10, so the
        // two samples' covariance across questions estimates T = Var(t) (divisor Q − 1 over the true
        // means) and each one's variance T + mean(σ²) / 10: E[r] ≈ T / (T + mean(σ²) / 10).
        const int questions = 300;
        const int draws = 2000;
        var random = new Random(7);
        var cells = new List<PopulationCell>();
        for (var q = 0; q < questions; q++)
        {
            var weights = FourPoint.Select(_ => Math.Pow(random.NextDouble(), 2)).ToArray();
            cells.Add(new PopulationCell("BRA", $"Q{q:D3}", weights.Select(w => w / weights.Sum()).ToArray(), FourPoint, 1000));
        }
        var means = cells.Select(c => c.MeanScore()).ToArray();
        var meanOfMeans = means.Average();
        var trueVariance = means.Sum(m => (m - meanOfMeans) * (m - meanOfMeans)) / (questions - 1);
        var errorVariance = cells.Average(c => c.ScoreVariance()) / 10.0;
        var expected = trueVariance / (trueVariance + errorVariance);

        var result = SmallSampleReference.PerCountry(cells, seed: 8, draws: draws).Single();
        result.Used.ShouldBe(draws);
        // The draws' spread is about (Upper − Lower) / 3.92; the Monte Carlo error of their mean is
        // that over sqrt(D) (≈ 0.0006 here). Tolerance: four of those, plus 0.002 for the finite-Q
        // bias of a correlation (of order ρ(1 − ρ²) / 2Q ≈ 6e-4 at Q = 300).
        var monteCarloError = (result.Upper - result.Lower) / 3.92 / Math.Sqrt(draws);
        monteCarloError.ShouldBeLessThan(0.001);
        result.Mean.ShouldBe(expected, (4.0 * monteCarloError) + 0.002);
        result.Lower.ShouldBeLessThan(result.Mean);
        result.Upper.ShouldBeGreaterThan(result.Mean);
    }

    [Fact]
    public void Results_depend_on_the_seed_and_the_country_only()
    {
        var germany = Enumerable.Range(0, 8).Select(q => new PopulationCell("DEU", $"Q{q}", [0.1 * q / 8, 0.3, 0.4, 0.3 - (0.1 * q / 8)], FourPoint, 100)).ToArray();
        var peru = germany.Select(c => c with { Country = "PER" }).ToArray();
        var alone = SmallSampleReference.PerCountry(germany, seed: 4, draws: 100).Single();
        var together = SmallSampleReference.PerCountry(peru.Concat(germany), seed: 4, draws: 100);
        together.Select(r => r.Country).ShouldBe(["DEU", "PER"]);
        together[0].ShouldBe(alone);
        together[1].Mean.ShouldNotBe(alone.Mean);
        SmallSampleReference.PerCountry(germany, seed: 5, draws: 100).Single().Mean.ShouldNotBe(alone.Mean);
        Should.Throw<ArgumentOutOfRangeException>(() => SmallSampleReference.PerCountry(germany, 0, draws: 0));
        Should.Throw<ArgumentOutOfRangeException>(() => SmallSampleReference.PerCountry(germany, 0, sampleSize: 0));
    }
}
