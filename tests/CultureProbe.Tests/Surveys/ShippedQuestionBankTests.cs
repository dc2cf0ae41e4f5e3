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

    // The WVS-7 Codebook Variables report for data release 5-0-0 (2022-12-14, doi:10.14281/18241.20),
    // read from its JSON copy in github.com/Demon702/WorldValuesBench, dataset_construction/codebook.json
    // at 635db74 (key <item>.choices."<code>"). These labels were changed to its words in issue 11.
    [Theory]
    [InlineData("Q42", 1, "The entire way our society is organized must be radically changed by revolutionary action")]
    [InlineData("Q42", 2, "Our society must be gradually improved by reforms")]
    [InlineData("Q42", 3, "Our present society must be valiantly defended against all subversive forces")]
    [InlineData("Q46", 2, "Quite happy")]
    [InlineData("Q57", 1, "Most people can be trusted")]
    [InlineData("Q57", 2, "Need to be very careful")]
    [InlineData("Q93", 3, "Destruction of historic monuments")]
    [InlineData("Q173", 3, "An atheist")]
    public void Labels_aligned_with_the_codebook_read_as_the_codebook_does_and_say_so(string code, int answer, string codebook)
    {
        var option = Bank.Get(code).FindOption(answer)!;
        option.Label.ShouldBe(codebook);
        option.Note.ShouldNotBeNull($"{code} code {answer} was changed, so its note should say why");
        option.Note.ShouldContain("Codebook 5-0-0");
    }

    // Labels kept different from the same codebook on purpose (codebook wording in the comment);
    // each must carry the reason.
    [Theory]
    [InlineData("Q7", 1, "Mentioned")]                      // codebook: "Important"
    [InlineData("Q50", 1, "Completely dissatisfied")]       // codebook: "Dissatisfied" (Q49: "Completely dissatisfied")
    [InlineData("Q50", 10, "Completely satisfied")]         // codebook: "Satisfied"
    [InlineData("Q106", 10, "Bigger incentives for effort")] // codebook: "Larger income differences"
    [InlineData("Q121", 1, "Very bad")]                     // codebook: "Rather bad"
    [InlineData("Q142", 2, "A good deal")]                  // codebook: "A great deal"
    [InlineData("Q148", 2, "A good deal")]                  // codebook: "A great deal"
    [InlineData("Q239", 3, "Fairly bad")]                   // codebook: "Bad" (Q235-Q238: "Fairly bad")
    public void Labels_kept_apart_from_the_codebook_carry_their_reason(string code, int answer, string label)
    {
        var option = Bank.Get(code).FindOption(answer)!;
        option.Label.ShouldBe(label);
        option.Note.ShouldNotBeNull($"{code} code {answer} differs from the codebook, so its note should say why");
        option.Note.ShouldStartWith("Kept");
    }

    [Fact]
    public void An_items_own_label_note_stays_with_that_item()
    {
        // Q239's note is about Q239 alone; Q235 shares the scale and agrees with the codebook.
        Bank.Get("Q239").FindOption(3)!.Note.ShouldNotBeNull();
        Bank.Get("Q235").FindOption(3)!.Note.ShouldBeNull();
        Bank.Get("Q49").FindOption(1)!.Note.ShouldBeNull();
    }

    [Fact]
    public void Names_the_codebook_release_its_labels_were_checked_against()
    {
        Bank.Survey.LabelSource.ShouldNotBeNull();
        Bank.Survey.LabelSource.ShouldContain("5-0-0");
        Bank.Survey.LabelSource.ShouldContain("10.14281/18241.20");
    }

    [Fact]
    public void Selection_accepts_codes_ranges_and_categories()
    {
        Bank.Select("Q1, Q177-Q179").Select(q => q.Code).ShouldBe(["Q1", "Q177", "Q178", "Q179"]);
        Bank.Select("corruption").ShouldAllBe(q => q.CategoryId == "corruption");
        Should.Throw<InputException>(() => Bank.Select("Q999")).Message.ShouldContain("unknown question code 'Q999'");
    }
}
