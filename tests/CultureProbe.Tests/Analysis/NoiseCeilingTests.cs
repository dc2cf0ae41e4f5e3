using CultureProbe.Analysis;
using Shouldly;

namespace CultureProbe.Tests.Analysis;

public sealed class NoiseCeilingTests
{
    private static readonly double[] Binary = [-1.0, 1.0];

    [Fact]
    public void Ceiling_by_hand_for_three_binary_questions()
    {
        // Shares of +1: 0.5, 0.8, 0.2 → means 0, 0.6, −0.6; σ² = 1 − m² = 1, 0.64, 0.64.
        // n_eff = 101 → SE² = σ² / 100 = 0.01, 0.0064, 0.0064; E = 0.0228 / 3 = 0.0076.
        // V = (0 + 0.36 + 0.36) / 2 = 0.36; ρ_h = 1 − 0.0076 / 0.36; r_max = sqrt(ρ_h).
        PopulationCell[] cells =
        [
            new("DEU", "Q1", [0.5, 0.5], Binary, 101),
            new("DEU", "Q2", [0.2, 0.8], Binary, 101),
            new("DEU", "Q3", [0.8, 0.2], Binary, 101),
        ];
        cells[1].StandardError().ShouldBe(0.08, 1e-15);
        var ceiling = NoiseCeiling.PerCountry(cells).Single();
        ceiling.Status.ShouldBe(CeilingStatus.Estimable);
        ceiling.Questions.ShouldBe(3);
        ceiling.ObservedVariance.ShouldBe(0.36, 1e-15);
        ceiling.MeanErrorVariance.ShouldBe(0.0076, 1e-15);
        var reliability = 1.0 - (0.0076 / 0.36);
        ceiling.Reliability.ShouldBe(reliability, 1e-14);
        ceiling.Ceiling.ShouldBe(Math.Sqrt(reliability), 1e-14);
        // A model with reliability 0.81 lowers the ceiling to sqrt(0.81 ρ_h) = 0.9 sqrt(ρ_h).
        NoiseCeiling.PerCountry(cells, modelReliability: 0.81).Single().Ceiling.ShouldBe(0.9 * Math.Sqrt(reliability), 1e-14);
        NoiseCeiling.Disattenuated(0.5, ceiling).ShouldBe(0.5 / Math.Sqrt(reliability), 1e-14);
    }

    [Fact]
    public void Ceiling_is_not_estimable_rather_than_clipped_when_noise_explains_the_spread()
    {
        // n_eff = 2: SE² = σ² / 1 ≈ 1 per question, far above V = 0.01 of means 0, 0.1, −0.1.
        PopulationCell[] cells =
        [
            new("KEN", "Q1", [0.5, 0.5], Binary, 2),
            new("KEN", "Q2", [0.45, 0.55], Binary, 2),
            new("KEN", "Q3", [0.55, 0.45], Binary, 2),
        ];
        var ceiling = NoiseCeiling.PerCountry(cells).Single();
        ceiling.Status.ShouldBe(CeilingStatus.NoTrueVariance);
        ceiling.IsEstimable.ShouldBeFalse();
        ceiling.Reliability.ShouldBeLessThan(0.0);
        ceiling.Ceiling.ShouldBe(double.NaN);
        NoiseCeiling.Disattenuated(0.4, ceiling).ShouldBe(double.NaN);
    }

    [Fact]
    public void Other_reasons_a_ceiling_is_not_estimable()
    {
        PopulationCell[] few = [new("A", "Q1", [0.5, 0.5], Binary, 100), new("A", "Q2", [0.2, 0.8], Binary, 100)];
        NoiseCeiling.PerCountry(few).Single().Status.ShouldBe(CeilingStatus.TooFewQuestions);

        PopulationCell[] small = [.. few, new("A", "Q3", [0.9, 0.1], Binary, 1.0)];
        NoiseCeiling.PerCountry(small).Single().Status.ShouldBe(CeilingStatus.SampleTooSmall);

        PopulationCell[] flat = [.. few.Select(c => c with { Shares = [0.3, 0.7] }), new("A", "Q3", [0.3, 0.7], Binary, 100)];
        var none = NoiseCeiling.PerCountry(flat).Single();
        none.Status.ShouldBe(CeilingStatus.NoTrueVariance);
        none.ObservedVariance.ShouldBe(0.0);
        none.Reliability.ShouldBe(double.NaN);
    }

    [Fact]
    public void Bad_cells_are_refused()
    {
        PopulationCell duplicate = new("A", "Q1", [0.5, 0.5], Binary, 100);
        Should.Throw<ArgumentException>(() => NoiseCeiling.PerCountry([duplicate, duplicate]));
        Should.Throw<ArgumentException>(() => NoiseCeiling.PerCountry([duplicate with { Shares = [0.5, 0.3, 0.2] }]));
        Should.Throw<ArgumentException>(() => NoiseCeiling.PerCountry([duplicate with { Shares = [0.0, 0.0] }]));
        Should.Throw<ArgumentException>(() => NoiseCeiling.PerCountry([duplicate with { EffectiveN = double.NaN }]));
        Should.Throw<ArgumentOutOfRangeException>(() => NoiseCeiling.PerCountry([duplicate], modelReliability: 0.0));
    }

    [Fact]
    public void Ceiling_matches_a_simulation_of_a_perfect_model_against_sampled_means()
    {
        // A population with known true distributions over 1 000 four-point questions. Each
        // repetition surveys n = 10 people per question (shares = counts / 10, n_eff = 10), feeds
        // those sampled cells to the formula, and correlates the true means (a perfect model)
        // with the sampled means. The formula's mean should equal the correlations' mean.
        const int questions = 1000;
        const int n = 10;
        const int repetitions = 400;
        double[] scores = [-1.0, -1.0 / 3.0, 1.0 / 3.0, 1.0];
        var random = new Random(20261124);
        var truth = new double[questions][];
        for (var q = 0; q < questions; q++)
        {
            var weights = scores.Select(_ => Math.Pow(random.NextDouble(), 2)).ToArray();
            truth[q] = weights.Select(w => w / weights.Sum()).ToArray();
        }
        var trueMeans = truth.Select(p => p.Zip(scores, (a, s) => a * s).Sum()).ToArray();

        var differences = new double[repetitions];
        var plugInDifferences = new double[repetitions];
        for (var rep = 0; rep < repetitions; rep++)
        {
            var cells = new PopulationCell[questions];
            var sampled = new double[questions];
            for (var q = 0; q < questions; q++)
            {
                var counts = new double[scores.Length];
                for (var i = 0; i < n; i++)
                {
                    counts[Draw(truth[q], random)]++;
                }
                cells[q] = new PopulationCell("SIM", $"Q{q:D4}", counts.Select(c => c / n).ToArray(), scores, n);
                sampled[q] = cells[q].MeanScore();
            }
            var ceiling = NoiseCeiling.PerCountry(cells).Single();
            ceiling.IsEstimable.ShouldBeTrue();
            var r = Correlation.Pearson(trueMeans, sampled).Value;
            differences[rep] = ceiling.Ceiling - r;
            // The same formula without the n_eff / (n_eff − 1) correction of σ̂².
            var plugIn = Math.Sqrt(1.0 - (ceiling.MeanErrorVariance * (n - 1) / n / ceiling.ObservedVariance));
            plugInDifferences[rep] = plugIn - r;
        }
        var meanDifference = differences.Average();
        var monteCarloError = StandardDeviation(differences) / Math.Sqrt(repetitions);
        // Tolerance: four Monte Carlo standard errors of the mean paired difference (≈ 0.00035 each
        // here), plus 0.001 for the estimator's own small-sample bias: ρ̂ = 1 − E/V̂ divides by an
        // estimated variance, and E[1/V̂] exceeds 1/E[V̂] by about 2/(Q − 1) relatively, which lowers
        // ρ̂ by ≈ (E/V) · 2/Q ≈ 5e-4 and r̂_max by ≈ 3e-4 at Q = 1 000.
        monteCarloError.ShouldBeLessThan(0.0006);
        var tolerance = (4.0 * monteCarloError) + 0.001;
        Math.Abs(meanDifference).ShouldBeLessThanOrEqualTo(tolerance);
        // The test can tell the variants apart: the uncorrected variance overshoots by ≈ 0.014.
        plugInDifferences.Average().ShouldBeGreaterThan(3.0 * tolerance);
    }

    internal static int Draw(double[] shares, Random random)
    {
        var u = random.NextDouble();
        var cumulative = 0.0;
        for (var k = 0; k < shares.Length - 1; k++)
        {
            cumulative += shares[k];
            if (u < cumulative)
            {
                return k;
            }
        }
        return shares.Length - 1;
    }

    internal static double StandardDeviation(IReadOnlyList<double> values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
