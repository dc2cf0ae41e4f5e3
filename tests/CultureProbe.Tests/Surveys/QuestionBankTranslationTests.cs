using CultureProbe.Surveys;
using Shouldly;

namespace CultureProbe.Tests.Surveys;

public sealed class QuestionBankTranslationTests
{
    private static string ErrorOf(string yaml) =>
        Should.Throw<InputException>(() => QuestionBankTranslations.Apply(QuestionBankLoader.Default, yaml, "t.yaml")).Message;

    [Fact]
    public void Wrong_option_codes_missing_items_and_unknown_codes_are_each_named()
    {
        var message = ErrorOf("""
            language: xx
            scales:
              p1_importance4:
                options: { 1: "a", 2: "b", 3: "c", 5: "d" }
            items:
              Q1: { text: "x" }
              Q999: { text: "y" }
            """);
        message.ShouldContain("scales.p1_importance4.options: codes [1, 2, 3, 5] differ from the English original's [1, 2, 3, 4]");
        message.ShouldContain("items.Q999: no such item in the English bank");
        message.ShouldContain("items.Q2: missing; every item of the paper-12 set needs a translation");
    }

    [Fact]
    public void Collapse_labels_must_match_the_group_count()
    {
        var question = QuestionBankLoader.Default.Get("Q177");
        var options = string.Join(", ", question.Options.Select(o => $"{o.Code}: \"l{o.Code}\""));
        var yaml = "language: xx\nscales:\n  " + question.ScaleName + ":\n    options: { " + options + " }\n"
            + "    collapses: { 3: [\"a\", \"b\"], 5: [\"a\", \"b\", \"c\", \"d\", \"e\"] }\nitems:\n  Q177: { text: \"x\" }\n";
        var message = ErrorOf(yaml);
        message.ShouldContain($"scales.{question.ScaleName}.collapses.3: expected 3 group labels");
    }

    // Q173 code 3 became "An atheist" (WVS-7 codebook 5-0-0) in English; the translations followed, so
    // none may still call the atheist convinced, in the label or in the question.
    [Theory]
    [InlineData("da", "overbevist")]
    [InlineData("nl", "overtuigd")]
    [InlineData("pt", "convicto")]
    public void Translations_follow_the_english_atheist_label(string language, string convinced)
    {
        if (!QuestionBankTranslations.Languages.Contains(language))
        {
            Assert.Skip($"no {language} translation is shipped in this build");
        }
        var q173 = QuestionBankTranslations.ForLanguage(language).Get("Q173");
        q173.FindOption(3)!.Label.ShouldNotContain(convinced, Case.Insensitive);
        q173.Text.ShouldNotContain(convinced, Case.Insensitive);
    }

    [Fact]
    public void A_translated_option_keeps_the_english_labels_note()
    {
        var english = QuestionBankLoader.Default.Get("Q57").FindOption(2)!;
        var danish = QuestionBankTranslations.ForLanguage("da").Get("Q57").FindOption(2)!;
        danish.Label.ShouldNotBe(english.Label);
        danish.Note.ShouldBe(english.Note);
    }

    [Theory]
    [InlineData("da")]
    [InlineData("nl")]
    [InlineData("pt")]
    public void Shipped_translations_cover_paper_12_with_the_english_codes(string language)
    {
        if (!QuestionBankTranslations.Languages.Contains(language))
        {
            Assert.Skip($"no {language} translation is shipped in this build");
        }
        var translated = QuestionBankTranslations.ForLanguage(language);
        var english = QuestionBankLoader.Default;
        translated.Language.ShouldBe(language);
        foreach (var question in english.GetSet(QuestionBank.Paper12SetName))
        {
            var other = translated.Get(question.Code);
            other.Text.ShouldNotBe(question.Text, $"{question.Code} is not translated");
            other.Options.Select(o => (o.Code, o.Score)).ShouldBe(question.Options.Select(o => (o.Code, o.Score)));
        }
    }
}
