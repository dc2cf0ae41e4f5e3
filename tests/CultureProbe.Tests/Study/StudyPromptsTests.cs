using CultureProbe.Study;
using CultureProbe.Surveys;
using Shouldly;

namespace CultureProbe.Tests.Study;

/// <summary>The study's prompts: shipped templates and paraphrases, sampled alike in every language, or the authors' released file.</summary>
public sealed class StudyPromptsTests : IDisposable
{
    private static readonly string[] Languages = ["da", "en", "nl", "pt"];
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_shipped_templates_are_a_base_and_ten_variants_in_four_languages()
    {
        var templates = StudyPrompts.DefaultTemplates;

        templates.Count.ShouldBe(11);
        templates.ShouldAllBe(t => t.Texts.Count == 4 && Languages.All(t.Texts.ContainsKey));
    }

    [Fact]
    public void Every_language_gets_the_same_template_topic_and_paraphrase_combinations()
    {
        var prompts = StudyPrompts.Sample(StudyPrompts.DefaultTemplates, StudyTopicSet.Default.Topics, Languages, 300, seed: 5);

        prompts.Count.ShouldBe(4 * 300);
        var byLanguage = prompts.GroupBy(p => p.Language).ToDictionary(g => g.Key, g => g.Select(p => p.Id).ToArray());
        byLanguage.Keys.ShouldBe(Languages, ignoreOrder: true);
        byLanguage.Values.ShouldAllBe(ids => ids.SequenceEqual(byLanguage["en"]));
        byLanguage["en"].Distinct().Count().ShouldBe(300, "drawn without replacement");
        prompts.ShouldAllBe(p => !p.Text.Contains('{') && !p.Text.Contains('}'));
    }

    [Fact]
    public void The_draw_depends_on_the_seed_only()
    {
        var topics = StudyTopicSet.Default.Topics;
        var a = StudyPrompts.Sample(StudyPrompts.DefaultTemplates, topics, ["en"], 50, seed: 1).Select(p => p.Id);
        var b = StudyPrompts.Sample(StudyPrompts.DefaultTemplates, topics, ["en"], 50, seed: 1).Select(p => p.Id);
        var c = StudyPrompts.Sample(StudyPrompts.DefaultTemplates, topics, ["en"], 50, seed: 2).Select(p => p.Id);

        a.ShouldBe(b);
        a.ShouldNotBe(c);
    }

    [Fact]
    public void No_prompt_names_a_country_or_a_nationality()
    {
        // Country names in English from the country table, plus the study countries' own names and nationality words in the four languages.
        var names = CountryTable.Default.Countries.Select(c => c.Name)
            .Concat(["Danmark", "Nederland", "Brasil", "Amerika", "dansk", "Danish", "Dutch", "Nederlands", "Portuguese", "português", "brasileiro", "American", "British", "Canadian", "Australian"])
            .ToArray();
        var pattern = new System.Text.RegularExpressions.Regex($@"\b(?:{string.Join('|', names.Select(System.Text.RegularExpressions.Regex.Escape))})\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        var prompts = StudyPrompts.Sample(StudyPrompts.DefaultTemplates, StudyTopicSet.Default.Topics, Languages, 2035, seed: 1);

        prompts.Where(p => pattern.IsMatch(p.Text)).Select(p => p.Text).ShouldBeEmpty();
    }

    [Fact]
    public void More_prompts_than_combinations_is_refused_with_the_limit()
    {
        // 11 templates × 37 topics × 5 paraphrases = 2035.
        var error = Should.Throw<SettingException>(() => StudyPrompts.Sample(StudyPrompts.DefaultTemplates, StudyTopicSet.Default.Topics, ["en"], 2036, 1));

        error.Setting.ShouldBe("prompts_per_language");
        error.Message.ShouldContain("1 to 2035");
    }

    [Fact]
    public void A_language_without_texts_is_refused() =>
        Should.Throw<SettingException>(() => StudyPrompts.Sample(StudyPrompts.DefaultTemplates, StudyTopicSet.Default.Topics, ["de"], 10, 1)).Setting.ShouldBe("languages");

    [Fact]
    public void The_released_prompt_file_is_filtered_by_template_type_and_language()
    {
        var path = _temp.File("prompts.csv");
        File.WriteAllText(path, """
            language,template_type,prompt,topic,question_key
            en,survey_hypothetical,"Tell me, about {topic}.",abortion,f120
            da,survey_hypothetical,Fortæl om {topic},abort,F120
            de,survey_hypothetical,Erzähl über {topic},Abtreibung,f120
            en,other,Something on {topic},abortion,f120
            """);

        var prompts = StudyPrompts.ReadReleased(path, "survey_hypothetical", ["da", "en"]);

        prompts.Select(p => (p.Language, p.Topic, p.Text)).ShouldBe([("en", "f120", "Tell me, about abortion."), ("da", "f120", "Fortæl om abort")]);
        prompts.ShouldAllBe(p => p.TemplateType == "survey_hypothetical");
        prompts.Select(p => p.Id).ShouldBe(["row1", "row2"]);
        prompts[0].TemplateId.ShouldNotBe(prompts[1].TemplateId);
    }

    [Fact]
    public void A_released_prompt_without_its_placeholder_names_line_and_column()
    {
        var path = _temp.File("prompts.csv");
        File.WriteAllText(path, "language,template_type,prompt,topic,question_key\nen,survey_hypothetical,No placeholder,abortion,f120\n");

        Should.Throw<InputException>(() => StudyPrompts.ReadReleased(path, "survey_hypothetical", ["en"])).Message.ShouldContain("prompts.csv:2:3");
    }

    [Fact]
    public void A_released_prompt_file_without_a_column_names_it()
    {
        var path = _temp.File("prompts.csv");
        File.WriteAllText(path, "language,prompt,topic,question_key\n");

        Should.Throw<InputException>(() => StudyPrompts.ReadReleased(path, "survey_hypothetical", ["en"])).Message.ShouldContain("missing required column 'template_type'");
    }

    [Fact]
    public void Templates_must_hold_the_placeholder_exactly_once()
    {
        var error = Should.Throw<InputException>(() => StudyPrompts.ParseTemplates("templates:\n  - { id: a, en: 'no placeholder' }\n  - { id: b, en: '{topic} and {topic}' }\n  - { en: 'x {topic}' }\n", "t.yaml"));

        error.Message.ShouldContain("templates[0] (a).en: expected the text with {topic} exactly once");
        error.Message.ShouldContain("templates[1] (b).en");
        error.Message.ShouldContain("templates[2].id: expected an id");
    }
}
