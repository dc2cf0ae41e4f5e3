using CultureProbe.Analysis;
using CultureProbe.Probing;
using CultureProbe.Surveys;
using Shouldly;

namespace CultureProbe.Tests.Probing;

/// <summary>The significance tests behind compare and the report, on cases small enough to work out by hand.</summary>
public sealed class ModelDifferencesTests
{
    private static ModelScores Model(string id, string? baseModel, params (string Country, double R)[] perCountry) =>
        new(id, baseModel, perCountry.ToDictionary(c => c.Country, c => c.R), []);

    [Fact]
    public void A_pair_of_models_is_tested_by_sign_flips_over_countries_as_worked_out_by_hand()
    {
        // d = 0.1, 0.1, 0.2 (USA, DEU, JPN). Of the 2³ = 8 sign flips only "all +" reaches the observed mean, so the
        // one-sided p is 1/8 and the two-sided p 2 × 1/8 = 0.25 (scipy's convention; exact because 8 ≤ the budget).
        // d_z = mean / sd = 0.13333 / 0.057735 = 2.3094.
        var a = Model("chat", "base", ("USA", 0.5), ("DEU", 0.6), ("JPN", 0.7));
        var b = Model("base", null, ("USA", 0.4), ("DEU", 0.5), ("JPN", 0.5));

        var differences = ModelDifferences.Compute([a, b], CountryTable.Default, new ComparisonOptions(BootstrapResamples: 200), overQuestions: false);

        var pair = differences.Pairs.ShouldHaveSingleItem();
        pair.IsBaseChatPair.ShouldBeTrue();
        pair.OverCountries.MeanDifference.ShouldBe(0.4 / 3, 1e-12);
        pair.OverCountries.Test.Exact.ShouldBeTrue();
        pair.OverCountries.Test.PValue.ShouldBe(0.25, 1e-12);
        pair.HolmP.ShouldBe(0.25, 1e-12, "a family of one is not adjusted");
        pair.OverCountries.CohensDz.ShouldBe((0.4 / 3) / Math.Sqrt(((2 * Math.Pow(0.1 - (0.4 / 3), 2)) + Math.Pow(0.2 - (0.4 / 3), 2)) / 2), 1e-9);
    }

    [Fact]
    public void The_western_gap_of_each_model_is_an_exact_two_group_permutation_test_with_holm_over_models()
    {
        // Western USA 0.8, DEU 0.6; non-Western JPN 0.2, CHN 0.4: gap 0.7 − 0.3 = 0.4. Of the C(4, 2) = 6 ways to pick the
        // Western pair, only {USA, DEU} gives a gap ≥ 0.4 and only {JPN, CHN} one ≤ −0.4: one-sided 1/6, two-sided 1/3.
        var first = Model("m1", null, ("USA", 0.8), ("DEU", 0.6), ("JPN", 0.2), ("CHN", 0.4));
        // The second model has no gap: every split gives a gap of 0, which ties the observed one, so its p is 1.
        var second = Model("m2", null, ("USA", 0.5), ("DEU", 0.5), ("JPN", 0.5), ("CHN", 0.5));

        var differences = ModelDifferences.Compute([first, second], CountryTable.Default, new ComparisonOptions(BootstrapResamples: 200), overQuestions: false);

        var gap = differences.WesternGaps.Single(g => g.Model == "m1");
        gap.Comparison.Difference.ShouldBe(0.4, 1e-12);
        gap.Comparison.Test.Exact.ShouldBeTrue();
        gap.Comparison.Test.PValue.ShouldBe(1.0 / 3, 1e-12);
        // Holm over two tests, p = (1/3, 1): the smaller is multiplied by 2.
        gap.HolmP.ShouldBe(2.0 / 3, 1e-12);
        differences.WesternGaps.Single(g => g.Model == "m2").HolmP.ShouldBe(1.0);
    }

    [Fact]
    public void A_model_with_countries_in_one_group_only_gets_a_note_instead_of_a_test()
    {
        var differences = ModelDifferences.Compute([Model("m", null, ("JPN", 0.3), ("CHN", 0.2))], CountryTable.Default, new ComparisonOptions(BootstrapResamples: 200));

        differences.WesternGaps.ShouldBeEmpty();
        differences.Notes.ShouldContain(n => n.Contains("no Western group"));
    }
}
