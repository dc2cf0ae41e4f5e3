using CultureProbe.Surveys;
using Shouldly;

namespace CultureProbe.Tests.Surveys;

/// <summary>Facts the shipped bank must hold (ranges from the WVS-7 codebook, counts from Kim &amp; Baek 2024).</summary>
public sealed class ShippedQuestionBankTests
{
    private static readonly QuestionBank Bank = QuestionBankLoader.Default;

    [Fact]
    public void Holds_the_thirteen_official_themes_with_their_codebook_ranges()
    {
        Bank.Categories.Select(c => (c.FirstQuestion, c.LastQuestion)).ShouldBe(
        [
            (1, 45), (46, 56), (57, 105), (106, 111), (112, 120), (121, 130), (131, 151),
            (152, 157), (158, 163), (164, 175), (176, 198), (199, 234), (235, 259),
        ]);
    }

    [Fact]
    public void Paper_counts_are_those_of_Kim_and_Baek_table_2()
    {
        Bank.Categories.Select(c => c.PaperCount).ShouldBe([44, 5, 47, null, 5, 8, 12, 3, 5, 11, 22, 31, 16]);
        Bank.Categories.Sum(c => c.PaperCount ?? 0).ShouldBe(209);
    }

    [Fact]
    public void Holds_at_least_250_items_each_with_two_or_more_options()
    {
        Bank.Questions.Count.ShouldBeGreaterThanOrEqualTo(250);
        Bank.Questions.ShouldAllBe(q => q.Options.Count >= 2);
        Bank.Categories.ShouldAllBe(c => Bank.Questions.Any(q => q.CategoryId == c.Id));
    }

    [Fact]
    public void Paper_12_set_is_every_theme_but_economic_values()
    {
        var set = Bank.GetSet(QuestionBank.Paper12SetName);
        set.ShouldNotContain(q => q.CategoryId == "economic");
        set.Count.ShouldBe(Bank.Questions.Count(q => q.CategoryId != "economic"));
    }

    [Fact]
    public void Ordinal_scores_are_evenly_spaced_over_minus_one_to_one()
    {
        foreach (var q in Bank.Questions.Where(q => q.IsOrdinal))
        {
            var scores = q.Options.Select(o => o.Score!.Value).Order().ToArray();
            var step = 2.0 / (scores.Length - 1);
            for (var i = 0; i < scores.Length; i++)
            {
                scores[i].ShouldBe(-1 + (i * step), 1e-12, q.Code);
            }
        }
    }

    [Fact]
    public void Postmaterialist_choices_are_nominal() =>
        new[] { "Q152", "Q153", "Q154", "Q155" }.ShouldAllBe(code => !Bank.Get(code).IsOrdinal);

    [Theory]
    // Independent facts from the codebook: code 1 is the high pole on these descending scales.
    [InlineData("Q1", 1, 1.0)]  // family: very important
    [InlineData("Q46", 1, 1.0)] // very happy
    [InlineData("Q177", 10, 1.0)] // always justifiable
    [InlineData("Q177", 1, -1.0)] // never justifiable
    public void Known_items_score_their_poles_as_the_codebook_implies(string code, int answer, double score) =>
        Bank.Get(code).FindOption(answer)!.Score.ShouldBe(score);

    [Fact]
    public void Justifiability_items_collapse_to_the_papers_three_groups()
    {
        var collapse = Bank.Get("Q177").Collapses.Single(c => c.Size == 3);
        collapse.Groups.Select(g => g.Label).ShouldBe(["Never justifiable", "Neutral", "Justifiable"]);
    }

    [Fact]
    public void Selection_accepts_codes_ranges_and_categories()
    {
        Bank.Select("Q1, Q177-Q179").Select(q => q.Code).ShouldBe(["Q1", "Q177", "Q178", "Q179"]);
        Bank.Select("corruption").ShouldAllBe(q => q.CategoryId == "corruption");
        Should.Throw<InputException>(() => Bank.Select("Q999")).Message.ShouldContain("unknown question code 'Q999'");
    }
}
