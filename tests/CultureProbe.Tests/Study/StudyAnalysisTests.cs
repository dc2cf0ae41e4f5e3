using CultureProbe.Study;
using Shouldly;

namespace CultureProbe.Tests.Study;

/// <summary>The entry point end to end: what it selects, what it warns about, and what it carries into the report.</summary>
public sealed class StudyAnalysisTests
{
    [Fact]
    public void The_fixture_study_yields_every_part_of_the_report()
    {
        var report = StudyAnalysis.Run(MulticulturalFixture.Inputs(), new StudyAnalysisOptions { Rounds = 20, Seed = 2 });

        report.Alignment.Count.ShouldBe(90);
        report.Consistency.Count.ShouldBe(6);
        report.UsBias.ShouldNotBeNull().Observations.ShouldBe(20 * 33);
        report.UsBiasPoint.ShouldNotBeNull().Rows.Count.ShouldBe(4);
        report.Capability.Count.ShouldBe(8);
        report.Regressions.Select(r => r.Formula).ShouldBe([CapabilityFormula.Interaction, CapabilityFormula.Normal, CapabilityFormula.NoConsistency]);
        // Two models (gpt-4o, gemma-2-2b-it) in two languages: 2 + 4 fixed effects in the interaction model.
        var interaction = report.Regressions[0];
        interaction.Problem.ShouldBeNull();
        interaction.Fit.ShouldNotBeNull().Observations.ShouldBe(20 * 4);
        interaction.Coefficients.Count.ShouldBe(6);
        report.Rounds.Select(r => r.Kind).Distinct().ShouldBe([PopulationKind.Global, PopulationKind.Language, PopulationKind.Country]);
        // The five topics without survey data drop out of every kind's alignment, and the report says so.
        report.Warnings.Count(w => w.Contains("(e028, e225, e226, e227, e228) drop out", StringComparison.Ordinal)).ShouldBe(3);
    }

    [Fact]
    public void Only_the_selected_templates_and_responses_in_their_prompts_language_are_analysed()
    {
        var inputs = MulticulturalFixture.Inputs(withGlobal: false);
        var extra = inputs.Responses.Take(40).Select(r => r with { Template = "argument", ProScore = 1 - r.ProScore })
            .Concat(inputs.Responses.Take(5).Select(r => r with { ResponseLanguage = "en" }));
        var mixed = inputs with { Responses = [.. inputs.Responses, .. extra] };

        var all = StudyAnalysis.Run(mixed, new StudyAnalysisOptions { Rounds = 0 });
        all.Warnings.ShouldContain(w => w.StartsWith("responses of 2 template types (argument, survey_hypothetical) are analysed together", StringComparison.Ordinal));
        all.Warnings.ShouldContain("5 response(s) written in another language than their prompt's dropped, as the authors drop them");

        var selected = StudyAnalysis.Run(mixed, new StudyAnalysisOptions { Rounds = 0, Templates = ["survey_hypothetical"] });
        var plain = StudyAnalysis.Run(inputs, new StudyAnalysisOptions { Rounds = 0 });
        selected.Alignment.ShouldBe(plain.Alignment);
        selected.Consistency.ShouldBe(plain.Consistency);
        all.Alignment.Select(a => a.Spearman).ShouldNotBe(plain.Alignment.Select(a => a.Spearman));
    }

    [Fact]
    public void Without_the_reference_baseline_there_is_no_US_bias_and_the_report_says_why()
    {
        var inputs = MulticulturalFixture.Inputs(withGlobal: false);
        var withoutBaseline = inputs with { Responses = inputs.Responses.Where(r => r.Model != StudyBaselines.UniformRandom).ToArray() };
        var report = StudyAnalysis.Run(withoutBaseline, new StudyAnalysisOptions { Rounds = 0 });
        report.UsBias.ShouldBeNull();
        report.UsBiasPoint.ShouldBeNull();
        report.Warnings.ShouldContain(w => w.StartsWith("US bias: no responses of the reference model Baseline_uniform_random", StringComparison.Ordinal));

        // With generated baselines the regression can be run on one's own responses.
        var regenerated = withoutBaseline with { Responses = StudyBaselines.AddTo(withoutBaseline.Responses, seed: 1) };
        StudyAnalysis.Run(regenerated, new StudyAnalysisOptions { Rounds = 0 }).UsBiasPoint.ShouldNotBeNull().Rows.Count.ShouldBe(4);
    }

    [Fact]
    public void The_reference_country_is_a_setting()
    {
        var report = StudyAnalysis.Run(MulticulturalFixture.Inputs(withGlobal: false), new StudyAnalysisOptions { Rounds = 0, ReferenceCountry = "GB" });
        var fit = report.UsBiasPoint.ShouldNotBeNull();
        fit.ReferenceCountry.ShouldBe("GB");
        // Danish: GB against DK; English: GB against the other eight anglophone countries (the US among them).
        fit.Rows.Single(r => r.Model == "gpt-4o" && r.Language == "en").NativeRows.ShouldBe(8);
        fit.Rows.Single(r => r.Model == "gpt-4o" && r.Language == "da").NativeRows.ShouldBe(1);
    }

    [Fact]
    public void Human_references_are_carried_and_computed()
    {
        var inputs = MulticulturalFixture.Inputs(withGlobal: false) with
        {
            HumanReferences = [new HumanReference("US", 0.665)],
            Respondents = [new("DK", "a", 1, true), new("DK", "a", 1, true), new("DK", "b", 1, false), new("DK", "b", 2, false)],
        };
        var report = StudyAnalysis.Run(inputs, new StudyAnalysisOptions { Rounds = 0 });
        report.HumanReferences.ShouldBe([new HumanReference("US", 0.665)]);
        // Everyone is drawn each time (2 ≤ 10), so item a always gives 1 and item b 0: r = 1.
        report.HumanReferencesComputed.ShouldBe([new HumanReference("DK", 1.0, 2)]);
    }

    [Theory]
    [InlineData(-1, 0.045, "rounds: expected a number of bootstrap rounds ≥ 0, found -1")]
    [InlineData(10, 1.0, "judge_error: expected a share in [0, 1), found 1")]
    public void Settings_out_of_range_are_refused_by_name(int rounds, double judgeError, string message)
    {
        Should.Throw<SettingException>(() => StudyAnalysis.Run(MulticulturalFixture.Inputs(withGlobal: false), new StudyAnalysisOptions { Rounds = rounds, JudgeError = judgeError }))
            .Message.ShouldBe(message);
    }

    [Fact]
    public void A_study_with_nothing_left_to_analyse_is_bad_input()
    {
        var inputs = MulticulturalFixture.Inputs(withGlobal: false);
        Should.Throw<InputException>(() => StudyAnalysis.Run(inputs, new StudyAnalysisOptions { Templates = ["headlines"] }))
            .Message.ShouldStartWith("no responses to analyse: 1307 read");
    }

    [Fact]
    public void Without_rounds_only_point_values_are_computed()
    {
        var report = StudyAnalysis.Run(MulticulturalFixture.Inputs(withGlobal: false), new StudyAnalysisOptions { Rounds = 0 });
        report.Rounds.ShouldBeEmpty();
        report.UsBias.ShouldBeNull();
        report.UsBiasPoint.ShouldNotBeNull();
        report.Regressions.ShouldBeEmpty();
        report.Consistency.ShouldAllBe(c => double.IsNaN(c.BootstrapMean));
        report.Warnings.ShouldContain("RQ1: needs language-level bootstrap rounds (language populations and rounds > 0); not fitted");
    }
}
