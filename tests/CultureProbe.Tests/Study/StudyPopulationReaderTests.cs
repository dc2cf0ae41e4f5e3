using CultureProbe.Study;
using Shouldly;

namespace CultureProbe.Tests.Study;

/// <summary>Populations from joint EVS/WVS microdata: binarised, weighted by gwght × pwght, per language, country and globally.</summary>
public sealed class StudyPopulationReaderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    // Seven respondents, two topics: F120 (1..10, pro above 5) and D059 (1..4, pro at 1-2). Weight = gwght × pwght.
    //   DK da w=2   F120 6 pro   D059 1 pro
    //   DK da w=2   F120 3 con   D059 3 con
    //   DK en w=1   F120 10 pro  D059 -1 missing
    //   US en w=2   F120 1 con   D059 2 pro
    //   US en w=1   F120 -2 miss D059 4 con
    //   US es w=2.5 F120 7 pro   D059 0 missing (0 is not an answer)
    //   DE de w=1   F120 8 pro   D059 1 pro
    private const string Survey = """
        studyno,cntry_AN,lnge_iso,gwght,pwght,F120,D059
        7503,DK,da,1,2,6,1
        7503,DK,DA,1,2,3,3
        7503,DK,en,0.5,2,10,-1
        7503,US,en,2,1,1,2
        7503,US,en,1,1,-2,4
        7503,US,es,2.5,1,7,0
        7503,DE,de,1,1,8,1
        """;

    private static StudyTopicSet Topics => StudyTopicSet.Parse("""
        topics:
          - { key: f120, ivs: F120, scaleMax: 10, pro: p, con: c, paraphrases: { en: [a] } }
          - { key: d059, ivs: D059, scaleMax: 4, pro: p, con: c, paraphrases: { en: [a] } }
        """, "test");

    private StudyPopulations Read(string csv, StudyPopulationOptions? options = null)
    {
        var path = _temp.File("joint.csv");
        File.WriteAllText(path, csv);
        return StudyPopulationReader.Read(path, Topics, options ?? new StudyPopulationOptions(["da", "en", "nl", "pt"]));
    }

    private static double Share(StudyPopulations p, string population, string topic) => p.Shares.Single(s => s.Population == population && s.Topic == topic).ProShare;

    [Fact]
    public void Shares_are_weighted_pro_shares_over_valid_answers()
    {
        var p = Read(Survey);

        // Hand sums from the table above.
        Share(p, "global", "f120").ShouldBe(6.5 / 10.5, 1e-12); // pro 2+1+2.5+1 of 2+2+1+2+2.5+1
        Share(p, "global", "d059").ShouldBe(5.0 / 8, 1e-12);    // pro 2+2+1 of 2+2+2+1+1
        Share(p, "da", "f120").ShouldBe(2.0 / 4, 1e-12);        // language codes are compared case-insensitively
        Share(p, "da", "d059").ShouldBe(2.0 / 4, 1e-12);
        Share(p, "en", "f120").ShouldBe(1.0 / 3, 1e-12);        // DK's English interview counts for English: pro 1 of 1+2
        Share(p, "en", "d059").ShouldBe(2.0 / 3, 1e-12);
        Share(p, "DK", "f120").ShouldBe(3.0 / 5, 1e-12);
        Share(p, "US", "f120").ShouldBe(2.5 / 4.5, 1e-12);
        Share(p, "US", "d059").ShouldBe(2.0 / 3, 1e-12);
    }

    [Fact]
    public void A_country_counts_when_its_dominant_interview_language_by_design_weight_is_a_study_language()
    {
        var p = Read(Survey);

        // DK: da Σgwght 2 > en 0.5. US: en 3 > es 2.5 (by pwght-weighted sums es would not change this, but the rule uses gwght alone).
        p.CountryLanguages.ShouldBe(new Dictionary<string, string> { ["DK"] = "da", ["US"] = "en" });
        p.Shares.Where(s => s.Kind == PopulationKind.Country).Select(s => s.Population).Distinct().ShouldBe(["DK", "US"]);
        p.Shares.Where(s => s.Kind == PopulationKind.Language).Select(s => s.Population).Distinct().ShouldBe(["da", "en"], "es and de are not study languages; nl and pt have no respondents");
        p.Shares.Single(s => s.Population == "US" && s.Topic == "f120").Language.ShouldBe("en");
        // The respondents of kept countries, one row per valid answer: DK 2+2+1, US 2+1+1.
        p.Answers.Count.ShouldBe(9);
        p.Answers.Where(a => a.Country == "US" && a.Topic == "d059").Select(a => (a.Weight, a.IsPro)).ShouldBe([(2.0, true), (1.0, false)]);
    }

    [Fact]
    public void The_dominant_language_is_decided_by_gwght_not_by_the_product_of_weights()
    {
        // es has the larger gwght sum (3 > 2) but the smaller gwght × pwght sum (3 < 8).
        var p = Read("cntry_AN,lnge_iso,gwght,pwght,F120,D059\nUS,en,2,4,6,1\nUS,es,3,1,6,1\n");

        p.CountryLanguages.ShouldBeEmpty();
    }

    [Fact]
    public void A_language_can_be_pooled_from_countries_instead()
    {
        var p = Read(Survey, new StudyPopulationOptions(["da", "en"], new Dictionary<string, IReadOnlyList<string>> { ["en"] = ["US"] }));

        Share(p, "en", "f120").ShouldBe(2.5 / 4.5, 1e-12, "every US respondent, whatever the language, and no Danish one");
        Share(p, "da", "f120").ShouldBe(0.5, 1e-12);
    }

    [Fact]
    public void Unweighted_populations_count_each_respondent_once()
    {
        var p = Read(Survey, new StudyPopulationOptions(["da", "en"], Weights: []));

        Share(p, "global", "f120").ShouldBe(4.0 / 6, 1e-12);
    }

    [Fact]
    public void Rows_without_a_positive_weight_and_codes_above_the_scale_are_left_out_with_a_warning()
    {
        var p = Read("cntry_AN,lnge_iso,gwght,pwght,F120,D059\nDK,da,1,1,6,1\nDK,da,0,1,6,1\nDK,da,1,1,6,7\n");

        Share(p, "global", "d059").ShouldBe(1.0);
        p.Warnings.ShouldContain(w => w.Contains("1 row(s) without a positive weight"));
        p.Warnings.ShouldContain(w => w.Contains("1 answer(s) to D059 lie above its scale (1..4)"));
    }

    [Fact]
    public void A_topic_missing_from_the_file_is_named_and_skipped()
    {
        var p = Read("cntry_AN,lnge_iso,gwght,pwght,F120\nDK,da,1,1,6\n");

        p.Shares.ShouldAllBe(s => s.Topic == "f120");
        p.Warnings.ShouldContain("joint.csv: no column D059 (topic d059); the topic has no population");
    }

    [Fact]
    public void A_missing_required_column_is_named()
    {
        var error = Should.Throw<InputException>(() => Read("cntry_AN,gwght,pwght,F120\nDK,1,1,6\n"));

        error.Message.ShouldBe("joint.csv:1: missing required column 'lnge_iso' (the joint EVS/WVS file names it so)");
    }

    [Fact]
    public void A_malformed_weight_or_code_names_line_and_column()
    {
        Should.Throw<InputException>(() => Read("cntry_AN,lnge_iso,gwght,pwght,F120\nDK,da,1,1,6\nDK,da,x,1,6\n")).Message.ShouldContain("joint.csv:3:3");
        Should.Throw<InputException>(() => Read("cntry_AN,lnge_iso,gwght,pwght,F120\nDK,da,1,1,six\n")).Message.ShouldContain("joint.csv:2:5");
        Should.Throw<InputException>(() => Read("cntry_AN,lnge_iso,gwght,pwght,F120\nDK,da,1,1\n")).Message.ShouldContain("joint.csv:2");
    }

    [Fact]
    public void A_file_that_does_not_exist_is_named() =>
        Should.Throw<InputException>(() => StudyPopulationReader.Read(_temp.File("nope.csv"), Topics, new(["en"]))).Message.ShouldContain("nope.csv: survey file not found");

    [Fact]
    public void Codes_written_as_decimals_name_the_same_answer()
    {
        var p = Read("cntry_AN,lnge_iso,gwght,pwght,F120,D059\nDK,da,1,1,6.0,\"2\"\n");

        Share(p, "DK", "f120").ShouldBe(1.0);
        Share(p, "DK", "d059").ShouldBe(1.0);
    }

    [Fact]
    public void Synthetic_study_microdata_reads_back_with_every_paper_country()
    {
        var path = _temp.File("synthetic.csv");
        SyntheticStudySurvey.Write(path, StudyTopicSet.Default, SyntheticStudySurvey.DefaultCountries, 200);

        var p = StudyPopulationReader.Read(path, StudyTopicSet.Default, new StudyPopulationOptions(["da", "en", "nl", "pt"]));

        p.CountryLanguages.Keys.ShouldBe(["AU", "BR", "CA", "DK", "GB", "KE", "NG", "NIR", "NL", "NZ", "PT", "SG", "US"], ignoreOrder: true);
        p.Shares.Count(s => s.Kind == PopulationKind.Global).ShouldBe(37);
        p.Shares.ShouldAllBe(s => s.ProShare > 0 && s.ProShare < 1);
        p.Warnings.ShouldBeEmpty();
    }
}
