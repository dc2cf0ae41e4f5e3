using CultureProbe.Study;
using Shouldly;

namespace CultureProbe.Tests.Study;

/// <summary>Point alignment and its bootstrap against the oracle's values on the fixture extract.</summary>
public sealed class AlignmentTests
{
    // Spearman is pure arithmetic on the same doubles on both sides; the only difference is the
    // order of summation (numpy pairwise, ours left to right over centred ranks), which moves ρ by
    // a few ulps times n (n ≤ 300 here), far below 1e-12. A wrong rank rule (e.g. ordinal instead of
    // average ranks) moves ρ by 1e-3 or more.
    private const double Tolerance = 1e-12;

    [Fact]
    public void Point_alignment_equals_the_oracle_for_every_group_of_every_kind()
    {
        var expected = MulticulturalFixture.Rows("expected", "alignment_point.csv");
        var report = StudyAnalysis.Run(MulticulturalFixture.Inputs(), new StudyAnalysisOptions { Rounds = 0 });

        report.Alignment.Count.ShouldBe(expected.Count);
        foreach (var row in expected)
        {
            WireNames.TryParse<PopulationKind>(row["population_kind"], out var kind).ShouldBeTrue();
            var actual = report.Alignment.Single(a => a.Model == row["model"] && a.Population == row["population"] && a.PopulationKind == kind && a.ResponseLanguage == row["response_language"]);
            actual.N.ShouldBe(int.Parse(row["n"], System.Globalization.CultureInfo.InvariantCulture));
            actual.Spearman.ShouldBeClose(row.Number("spearman"), Tolerance, $"{row["model"]} {row["population"]} {row["response_language"]}");
            actual.CiLow.ShouldBe(double.NaN);
            actual.Rounds.ShouldBe(0);
        }
    }

    [Fact]
    public void A_drawn_sample_gives_the_oracle_alignment_and_copy_and_duplicate_consistency()
    {
        // Given one drawn sample (66 draws of gemma-2-2b-it's Danish responses × populations da, en)
        var sample = MulticulturalFixture.Rows("bootstrap", "sample_example.csv");

        // Then Spearman per population equals the oracle's
        foreach (var expected in MulticulturalFixture.Rows("expected", "sample_example_alignment.csv"))
        {
            var rows = sample.Where(r => r["gt_group"] == expected["gt_group"]).ToArray();
            rows.Length.ShouldBe(int.Parse(expected["n"], System.Globalization.CultureInfo.InvariantCulture));
            RankCorrelation.Spearman(rows.Select(r => r.Number("response_pro_score")).ToArray(), rows.Select(r => r.Number("pro_score")).ToArray())
                .ShouldBeClose(expected.Number("metric_value"), Tolerance, expected["gt_group"]);
        }

        // And the RQ1 consistency pairs draw positions: population copies and duplicates pair too
        var topics = sample.Select(r => r["question_key"]).Distinct().ToList();
        var (rho, pairs) = RankCorrelation.PairConsistency(sample.Select(r => r.Number("response_pro_score")).ToArray(), sample.Select(r => topics.IndexOf(r["question_key"])).ToArray());
        var consistency = MulticulturalFixture.Rows("expected", "sample_example_consistency.csv").Single();
        pairs.ShouldBe(long.Parse(consistency["n_pairs"], System.Globalization.CultureInfo.InvariantCulture));
        rho.ShouldBeClose(consistency.Number("observed"), Tolerance, "observed");
        (rho / (1 - 0.045)).ShouldBeClose(consistency.Number("consistency"), Tolerance, "consistency");
    }

    [Fact]
    public void The_bootstrap_resamples_the_whole_joined_table_of_a_kind_and_keeps_the_full_data_point()
    {
        var inputs = MulticulturalFixture.Inputs();
        var point = StudyAnalysis.Run(inputs, new StudyAnalysisOptions { Rounds = 0 });
        var report = StudyAnalysis.Run(inputs, new StudyAnalysisOptions { Rounds = 20, Seed = 5 });

        // The point estimate never depends on the rounds
        report.Alignment.Select(a => a.Spearman).ShouldBe(point.Alignment.Select(a => a.Spearman));
        foreach (var kind in new[] { PopulationKind.Global, PopulationKind.Language, PopulationKind.Country })
        {
            var joined = point.Alignment.Where(a => a.PopulationKind == kind).Sum(a => a.N);
            foreach (var round in report.Rounds.Where(r => r.Kind == kind).GroupBy(r => r.Round))
            {
                // Each round draws exactly as many rows as the kind's joined table holds, from all groups together…
                round.Sum(r => r.N).ShouldBe(joined);
            }
            // …so group sizes vary between rounds (a stratified bootstrap would keep them fixed).
            report.Rounds.Where(r => r.Kind == kind && r.Model == "gpt-4o" && r.ResponseLanguage == "en").Select(r => r.N).Distinct().Count().ShouldBeGreaterThan(1);
        }
        report.Rounds.Select(r => r.Round).Distinct().Count().ShouldBe(20);
        foreach (var row in report.Alignment)
        {
            row.Rounds.ShouldBe(20);
            row.CiLow.ShouldBeLessThanOrEqualTo(row.CiHigh);
            var values = report.Rounds.Where(r => r.Kind == row.PopulationKind && r.Model == row.Model && r.Population == row.Population && r.ResponseLanguage == row.ResponseLanguage)
                .Select(r => r.Spearman).ToArray();
            row.CiLow.ShouldBe(CultureProbe.Analysis.Quantiles.Linear(values, 0.025));
            row.CiHigh.ShouldBe(CultureProbe.Analysis.Quantiles.Linear(values, 0.975));
        }
    }

    [Fact]
    public void Rounds_are_reproducible_from_the_seed_and_differ_between_seeds()
    {
        var inputs = MulticulturalFixture.Inputs(withGlobal: false);
        var a = StudyAnalysis.Run(inputs, new StudyAnalysisOptions { Rounds = 3, Seed = 11 });
        var b = StudyAnalysis.Run(inputs, new StudyAnalysisOptions { Rounds = 3, Seed = 11 });
        var c = StudyAnalysis.Run(inputs, new StudyAnalysisOptions { Rounds = 3, Seed = 12 });
        a.Rounds.ShouldBe(b.Rounds);
        a.Consistency.ShouldBe(b.Consistency);
        a.Rounds.Select(r => r.Spearman).ShouldNotBe(c.Rounds.Select(r => r.Spearman));
    }

    [Fact]
    public void Each_round_carries_the_consistency_of_its_model_and_response_language()
    {
        var report = StudyAnalysis.Run(MulticulturalFixture.Inputs(withGlobal: false), new StudyAnalysisOptions { Rounds = 2, Seed = 1 });
        foreach (var group in report.Rounds.GroupBy(r => (r.Kind, r.Round, r.Model, r.ResponseLanguage)))
        {
            group.Select(r => r.Consistency).Distinct().Count().ShouldBe(1);
        }
        report.Rounds.ShouldAllBe(r => double.IsFinite(r.Consistency));
    }

    [Fact]
    public void Spearman_uses_average_ranks_and_is_undefined_for_one_pair_or_a_constant_side()
    {
        // x ranks 1.5, 1.5, 3, 4 (tie averaged); y ranks 1, 2, 3, 4: r = 0.9486832980505138 (scipy.stats.spearmanr)
        RankCorrelation.Spearman([0.2, 0.2, 0.5, 0.9], [1, 2, 3, 4]).ShouldBe(0.9486832980505138, 1e-15);
        RankCorrelation.Spearman([0.1, 0.4], [3, 1]).ShouldBe(-1.0);
        RankCorrelation.Spearman([0.1], [3]).ShouldBe(double.NaN);
        RankCorrelation.Spearman([0.5, 0.5, 0.5], [1, 2, 3]).ShouldBe(double.NaN);
    }
}
