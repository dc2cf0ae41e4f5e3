using CultureProbe.Surveys;
using Shouldly;

namespace CultureProbe.Tests.Surveys;

/// <summary>A survey other than WVS-7 is one YAML file: free-form codes, categories without ranges, named sets, the survey's facts.</summary>
public sealed class SurveyAsDataTests
{
    private const string Bank = """
        version: 2
        language: en
        survey: { id: toy, name: "A toy survey", shortName: "Toy", referenceCountry: DEU, defaultSet: core }
        categories:
          - { id: trust, title: "Trust" }
          - { id: mood, title: "Mood" }
        sets:
          core: [ppltrst, happy]
          numbered: [trst1-trst3]
        scales:
          yesno: { ordinal: true, direction: descending, options: [{ code: 1, label: "Yes" }, { code: 2, label: "No" }] }
        items:
          - { code: ppltrst, category: trust, text: "Trust people?", scale: yesno }
          - { code: trst1, category: trust, text: "Trust A?", scale: yesno }
          - { code: trst2, category: trust, text: "Trust B?", scale: yesno }
          - { code: trst3, category: trust, text: "Trust C?", scale: yesno }
          - { code: happy, category: mood, text: "Happy?", scale: yesno }
        """;

    private static QuestionBank Load(string yaml = Bank) => QuestionBankLoader.Parse(yaml, "toy.yaml");

    [Fact]
    public void Codes_are_free_form_and_the_bank_keeps_file_order_and_the_surveys_facts()
    {
        var bank = Load();
        bank.Questions.Select(q => q.Code).ShouldBe(["ppltrst", "trst1", "trst2", "trst3", "happy"]);
        bank.Survey.ShouldBe(new SurveyInfo("toy", "A toy survey", "Toy", "DEU", "core", null));
        bank.Get("PPLTRST").Code.ShouldBe("ppltrst", "codes are found case-insensitively");
        bank.Categories.ShouldAllBe(c => c.FirstQuestion == null && c.LastQuestion == null);
    }

    [Fact]
    public void Sets_come_from_the_file_and_ranges_work_on_codes_with_a_shared_prefix()
    {
        var bank = Load();
        bank.GetSet("core").Select(q => q.Code).ShouldBe(["ppltrst", "happy"]);
        bank.GetSet("numbered").Select(q => q.Code).ShouldBe(["trst1", "trst2", "trst3"]);
        bank.Select("trst2-trst3,mood").Select(q => q.Code).ShouldBe(["trst2", "trst3", "happy"]);
        bank.GetSet(QuestionBank.AllSetName).Count.ShouldBe(5);
        Should.Throw<InputException>(() => bank.Select("trst1-trst9")).Message.ShouldContain("reaches beyond the bank's items (trst1–trst3)");
        Should.Throw<InputException>(() => bank.Select("trst1-happy")).Message.ShouldContain("same prefix");
    }

    [Fact]
    public void A_default_set_that_is_not_defined_and_a_set_of_unknown_items_are_refused_naming_the_field()
    {
        var message = Should.Throw<InputException>(() => Load(Bank.Replace("defaultSet: core", "defaultSet: nope").Replace("core: [ppltrst, happy]", "core: [ppltrst, sad]"))).Message;
        message.ShouldContain("survey.defaultSet: 'nope' is neither 'all' nor a set under sets:");
        message.ShouldContain("sets.core: unknown question code 'sad'");
    }

    [Fact]
    public void Adding_sets_gives_a_new_bank_and_leaves_the_old_one_as_it_was()
    {
        var bank = Load();
        var more = bank.WithSets(new Dictionary<string, IReadOnlyList<SurveyQuestion>> { ["mine"] = [bank.Get("happy")] }, "sets.yaml");
        more.GetSet("mine").ShouldHaveSingleItem().Code.ShouldBe("happy");
        Should.Throw<InputException>(() => bank.GetSet("mine"));
        // The same sets added twice to the built-in bank (as two 'questions --sets-file' calls in one process do) both work.
        var sets = new Dictionary<string, IReadOnlyList<SurveyQuestion>> { ["pair"] = QuestionBankLoader.Default.Select("Q1,Q2") };
        QuestionBankLoader.Default.WithSets(sets, "a.yaml").GetSet("pair").Count.ShouldBe(2);
        QuestionBankLoader.Default.WithSets(sets, "b.yaml").GetSet("pair").Count.ShouldBe(2);
        Should.Throw<InputException>(() => more.WithSets(new Dictionary<string, IReadOnlyList<SurveyQuestion>> { ["mine"] = [] }, "again.yaml")).Message.ShouldContain("already exists");
    }

    [Fact]
    public void The_built_in_bank_names_its_survey_its_reference_country_and_its_paper_12_set()
    {
        var survey = QuestionBankLoader.Default.Survey;
        (survey.Id, survey.ShortName, survey.ReferenceCountry, survey.DefaultSet).ShouldBe(("wvs7", "WVS-7", "USA", QuestionBank.Paper12SetName));
        QuestionBankLoader.Default.GetSet(QuestionBank.Paper12SetName).Count.ShouldBe(252);
    }

    [Fact]
    public void A_country_file_adds_countries_and_may_leave_out_numeric_code_languages_and_surveys()
    {
        using var temp = new TempDirectory();
        var path = temp.File("more.yaml");
        File.WriteAllText(path, """
            version: 1
            countries:
              - { iso3: XKX, name: Kosovo, continent: Europe, western: false, zone: Orthodox Europe }
              - { iso3: USA, isoNumeric: 840, name: the US of A, continent: North America, western: true, zone: English-speaking }
            """);
        var table = CountryTable.Default.ExtendedWith(path);
        table.FindByIso3("XKX").ShouldNotBeNull().IsoNumeric.ShouldBe(0);
        table.FindByIso3("USA")!.Name.ShouldBe("the US of A", "a country of the file replaces the built-in entry");
        table.Countries.Count.ShouldBe(CountryTable.Default.Countries.Count + 1);
        CountryTable.Default.FindByIso3("XKX").ShouldBeNull();

        File.WriteAllText(path, "countries:\n  - { iso3: xx, name: '', continent: Atlantis, zone: '' }\n");
        var message = Should.Throw<InputException>(() => CountryTable.Default.ExtendedWith(path)).Message;
        message.ShouldContain("iso3: expected three capital letters");
        message.ShouldContain("continent: expected Africa, Asia, Europe");
        message.ShouldContain("western: expected true or false");
    }
}
