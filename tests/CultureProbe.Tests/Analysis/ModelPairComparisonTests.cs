using System.Text.Json;
using CultureProbe.Analysis;
using Shouldly;

namespace CultureProbe.Tests.Analysis;

public sealed class ModelPairComparisonTests
{
    [Fact]
    public void Over_countries_interval_agrees_with_scipys_paired_percentile_bootstrap()
    {
        var cases = OracleFixture.Cases("bootstrap.json", "significance").Where(c => c.GetProperty("kind").GetString() == "paired").ToArray();
        cases.Length.ShouldBe(3);
        foreach (var c in cases)
        {
            var resamples = c.GetProperty("resamples").GetInt32();
            var (first, second) = Keyed(c);
            var result = ModelPairComparison.OverCountries(first, second, new ComparisonOptions(BootstrapResamples: resamples, PermutationResamples: 99, Seed: 11));
            var tolerance = BoundTolerance(c.Number("standard_error"), resamples);
            result.Interval.Lower.ShouldBe(c.Number("low"), tolerance);
            result.Interval.Upper.ShouldBe(c.Number("high"), tolerance);
            result.Interval.Used.ShouldBe(resamples);
        }
    }

    [Fact]
    public void Over_countries_p_value_is_scipys_exact_p_for_few_countries()
    {
        foreach (var c in OracleFixture.Cases("permutation_paired.json", "significance")
                     .Where(c => c.GetProperty("regime").GetString() == "exact" && c.GetProperty("resamples").GetInt32() == 9999))
        {
            var (first, second) = Keyed(c);
            var result = ModelPairComparison.OverCountries(first, second);
            result.Test.Exact.ShouldBeTrue();
            result.Test.PValue.ShouldBe(c.Number("p"));
            result.MeanDifference.ShouldBe(result.Test.Statistic);
            result.MeanDifference.ShouldBe(c.Number("statistic"), 1e-15);
            result.N.ShouldBe(first.Count);
        }
    }

    [Fact]
    public void Over_countries_interval_equals_an_independent_replay_of_the_documented_draws()
    {
        var first = Countries(12, i => 0.4 + (0.03 * Math.Sin(i)));
        var second = Countries(12, i => 0.38 + (0.05 * Math.Cos(3 * i)));
        const int seed = 99;
        const int resamples = 500;
        // Countries in ordinal order (C00..C11 sort as built); one Random(seed), Next(n) per position.
        var d = first.Keys.Order(StringComparer.Ordinal).Select(k => first[k] - second[k]).ToArray();
        var random = new Random(seed);
        var means = new List<double>();
        for (var b = 0; b < resamples; b++)
        {
            means.Add(Enumerable.Range(0, d.Length).Select(_ => d[random.Next(d.Length)]).Sum() / d.Length);
        }
        var result = ModelPairComparison.OverCountries(first, second, new ComparisonOptions(resamples, 99, 0.9, seed));
        // The replay interpolates as lower + w · (upper − lower); the library uses numpy's form,
        // which switches to upper − (1 − w) · (upper − lower) for w ≥ 0.5: equal up to an ulp or two.
        result.Interval.Lower.ShouldBe(SortedLinear(means, 0.05), 1e-15);
        result.Interval.Upper.ShouldBe(SortedLinear(means, 0.95), 1e-15);
        result.Interval.Level.ShouldBe(0.9);
        result.Test.ShouldBe(PermutationTest.PairedSignFlip(d, seed ^ 0x2545F491, 99));
        result.CohensDz.ShouldBe(EffectSize.CohensDz(d));
    }

    [Fact]
    public void Over_countries_leaves_out_and_lists_undefined_and_unmatched_countries()
    {
        var first = new Dictionary<string, double> { ["DEU"] = 0.5, ["FRA"] = 0.4, ["JPN"] = double.NaN, ["USA"] = 0.6, ["BRA"] = 0.2 };
        var second = new Dictionary<string, double> { ["DEU"] = 0.45, ["FRA"] = double.NaN, ["JPN"] = 0.3, ["USA"] = 0.5, ["KEN"] = 0.1, ["BRA"] = 0.25 };
        var result = ModelPairComparison.OverCountries(first, second, new ComparisonOptions(BootstrapResamples: 100));
        result.Countries.ShouldBe(["BRA", "DEU", "USA"]);
        result.LeftOut.ShouldBe(["FRA", "JPN", "KEN"]);
        result.MeanFirst.ShouldBe((0.2 + 0.5 + 0.6) / 3, 1e-15);
        result.MeanSecond.ShouldBe((0.25 + 0.45 + 0.5) / 3, 1e-15);
        result.MeanDifference.ShouldBe(((0.2 - 0.25) + (0.5 - 0.45) + (0.6 - 0.5)) / 3, 1e-15);

        var none = ModelPairComparison.OverCountries(new Dictionary<string, double> { ["DEU"] = double.NaN }, new Dictionary<string, double>());
        none.N.ShouldBe(0);
        none.MeanDifference.ShouldBe(double.NaN);
        none.Test.ShouldBe(PermutationTestResult.Undefined);
        Should.Throw<ArgumentException>(() => ModelPairComparison.OverCountries(new Dictionary<string, double> { ["DEU"] = double.PositiveInfinity }, first));
    }

    [Fact]
    public void Over_questions_point_estimate_is_the_mean_of_the_alignment_tables_differences()
    {
        var pairs = Synthetic(countries: 6, questions: 40, noiseA: 0.1, noiseB: 0.3, seed: 1);
        var rows = AlignmentTable.PerCountry(pairs, new AlignmentOptions(BootstrapResamples: 0));
        var byModel = rows.ToLookup(r => r.Model);
        var expected = byModel["A"].Zip(byModel["B"], (a, b) => a.Pearson - b.Pearson).ToArray();

        var result = ModelPairComparison.OverQuestions(pairs, "A", "B", new ComparisonOptions(BootstrapResamples: 200));
        result.Countries.Count.ShouldBe(6);
        result.LeftOut.ShouldBeEmpty();
        result.Questions.ShouldBe(40);
        // The same questions in the same order through the same Pearson: equal bits per country;
        // the mean may differ from LINQ's Average by rounding only.
        result.Countries.Select(c => c.Difference).ShouldBe(expected);
        result.MeanDifference.ShouldBe(expected.Average(), 1e-15);
        // Model A is far less noisy: the interval lies above 0 and holds the estimate.
        result.Interval.Lower.ShouldBeGreaterThan(0.0);
        result.Interval.Lower.ShouldBeLessThan(result.MeanDifference);
        result.Interval.Upper.ShouldBeGreaterThan(result.MeanDifference);
    }

    [Fact]
    public void Over_questions_interval_equals_an_independent_replay_with_one_question_set_for_all()
    {
        // Countries with different question sets: DEU lacks Q07, JPN lacks Q00..Q02, so a drawn
        // question is absent from some countries' resamples.
        var pairs = Synthetic(countries: 3, questions: 12, noiseA: 0.2, noiseB: 0.25, seed: 2)
            .Where(p => !(p.Country == "C01" && p.Question == "Q07") && !(p.Country == "C02" && string.CompareOrdinal(p.Question, "Q03") < 0))
            .ToArray();
        const int seed = 5;
        const int resamples = 300;

        var questions = pairs.Select(p => p.Question).Distinct().Order(StringComparer.Ordinal).ToArray();
        var countries = pairs.Select(p => p.Country).Distinct().Order(StringComparer.Ordinal).ToArray();
        var lookup = pairs.ToDictionary(p => (p.Model, p.Country, p.Question));
        var random = new Random(seed);
        var statistics = new List<double>();
        for (var b = 0; b < resamples; b++)
        {
            var drawn = Enumerable.Range(0, questions.Length).Select(_ => questions[random.Next(questions.Length)]).ToArray();
            var differences = new List<double>();
            foreach (var country in countries)
            {
                var present = drawn.Where(q => lookup.ContainsKey(("A", country, q))).ToArray();
                var human = present.Select(q => lookup[("A", country, q)].HumanMean).ToArray();
                var a = Correlation.Pearson(present.Select(q => lookup[("A", country, q)].ModelMean).ToArray(), human).Value;
                var bb = Correlation.Pearson(present.Select(q => lookup[("B", country, q)].ModelMean).ToArray(), human).Value;
                differences.Add(a - bb);
            }
            if (differences.All(double.IsFinite))
            {
                statistics.Add(differences.Sum() / differences.Count);
            }
        }

        var result = ModelPairComparison.OverQuestions(pairs, "A", "B", new ComparisonOptions(BootstrapResamples: resamples, Seed: seed));
        result.Questions.ShouldBe(12);
        result.Countries.Select(c => c.Questions).ShouldBe([12, 11, 9]);
        result.Interval.Used.ShouldBe(statistics.Count);
        result.Interval.Requested.ShouldBe(resamples);
        // Equal up to the interpolation form (see the paired replay above).
        result.Interval.Lower.ShouldBe(SortedLinear(statistics, 0.025), 1e-15);
        result.Interval.Upper.ShouldBe(SortedLinear(statistics, 0.975), 1e-15);
    }

    [Fact]
    public void Over_questions_with_identical_models_has_a_zero_difference_and_interval()
    {
        var a = Synthetic(countries: 4, questions: 20, noiseA: 0.2, noiseB: 0.2, seed: 3).Where(p => p.Model == "A").ToArray();
        var pairs = a.Concat(a.Select(p => p with { Model = "B" })).ToArray();
        var result = ModelPairComparison.OverQuestions(pairs, "A", "B", new ComparisonOptions(BootstrapResamples: 100));
        result.MeanDifference.ShouldBe(0.0);
        result.Interval.Lower.ShouldBe(0.0);
        result.Interval.Upper.ShouldBe(0.0);
    }

    [Fact]
    public void Over_questions_uses_the_questions_both_models_have_and_leaves_out_undefined_countries()
    {
        var pairs = Synthetic(countries: 3, questions: 10, noiseA: 0.2, noiseB: 0.2, seed: 4).ToList();
        pairs.RemoveAll(p => p.Model == "B" && p.Country == "C00" && p.Question == "Q04");
        // C02 keeps two questions for B: too few for a correlation.
        pairs.RemoveAll(p => p.Model == "B" && p.Country == "C02" && string.CompareOrdinal(p.Question, "Q02") >= 0);
        pairs.Add(new MeanScorePair("other", "C00", "Q00", 0.9, pairs[0].HumanMean));
        var result = ModelPairComparison.OverQuestions(pairs, "A", "B", new ComparisonOptions(BootstrapResamples: 50));
        result.Countries.Select(c => (c.Country, c.Questions)).ShouldBe([("C00", 9), ("C01", 10)]);
        result.LeftOut.ShouldBe(["C02"]);
    }

    [Fact]
    public void Over_questions_refuses_inconsistent_input()
    {
        var pairs = Synthetic(countries: 2, questions: 5, noiseA: 0.1, noiseB: 0.1, seed: 5);
        Should.Throw<ArgumentException>(() => ModelPairComparison.OverQuestions(pairs, "A", "A"));
        Should.Throw<ArgumentException>(() => ModelPairComparison.OverQuestions(pairs.Append(pairs[0]), "A", "B"));
        var shifted = pairs.Select(p => p.Model == "B" && p.Question == "Q01" ? p with { HumanMean = p.HumanMean + 0.01 } : p);
        Should.Throw<ArgumentException>(() => ModelPairComparison.OverQuestions(shifted, "A", "B")).Message.ShouldContain("human mean");
        Should.Throw<ArgumentException>(() => ModelPairComparison.OverQuestions(pairs.Append(new MeanScorePair("A", "C09", "Q00", double.NaN, 0.0)), "A", "B"));
    }

    /// <summary>
    /// Tolerance for a percentile bound estimated by two independent bootstraps of B resamples
    /// each (ours and scipy's). An empirical p-quantile of B draws has a standard error of about
    /// sqrt(p (1 − p) / B) / g(q_p), g the density of the bootstrap distribution there; for a mean
    /// that distribution is close to normal with sd = the bootstrap standard error s, so
    /// g(q_0.025) = φ(1.96) / s = 0.05844 / s. The two estimates differ by sqrt(2) times one
    /// standard error; five of them allow a little for the normal approximation of g.
    /// With B = 100 000 this is 0.06 s, a few per cent of the interval's width (≈ 3.9 s).
    /// </summary>
    internal static double BoundTolerance(double standardError, int resamples) =>
        5.0 * Math.Sqrt(2.0) * Math.Sqrt(0.025 * 0.975 / resamples) * standardError / 0.05844;

    internal static double SortedLinear(List<double> values, double fraction)
    {
        var sorted = values.Order().ToArray();
        var h = fraction * (sorted.Length - 1);
        var below = (int)Math.Floor(h);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + ((h - below) * (sorted[above] - sorted[below]));
    }

    private static (Dictionary<string, double> First, Dictionary<string, double> Second) Keyed(JsonElement c)
    {
        var a = c.Doubles("a");
        var b = c.Doubles("b");
        return (Countries(a.Length, i => a[i]), Countries(b.Length, i => b[i]));
    }

    private static Dictionary<string, double> Countries(int n, Func<int, double> value) =>
        Enumerable.Range(0, n).ToDictionary(i => $"C{i:D2}", value);

    /// <summary>Two models' and the population's mean scores: human means spread over [−0.8, 0.8], model means = human + noise.</summary>
    private static MeanScorePair[] Synthetic(int countries, int questions, double noiseA, double noiseB, int seed)
    {
        var random = new Random(seed);
        var pairs = new List<MeanScorePair>();
        for (var c = 0; c < countries; c++)
        {
            for (var q = 0; q < questions; q++)
            {
                var human = (random.NextDouble() * 1.6) - 0.8;
                var country = $"C{c:D2}";
                var question = $"Q{q:D2}";
                pairs.Add(new MeanScorePair("A", country, question, human + (noiseA * Normal(random)), human));
                pairs.Add(new MeanScorePair("B", country, question, human + (noiseB * Normal(random)), human));
            }
        }
        return [.. pairs];
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
}
