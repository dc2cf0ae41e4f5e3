using CultureProbe.Study;
using Shouldly;

namespace CultureProbe.Tests.Study;

public sealed class StudyInputReaderTests
{
    [Fact]
    public void The_released_files_are_read_with_their_own_column_names()
    {
        var inputs = MulticulturalFixture.Inputs();

        inputs.Warnings.ShouldBeEmpty();
        inputs.Responses.Count.ShouldBe(1307);
        inputs.Responses[0].ShouldBe(new StudyResponse("gemma-2-2b-it", "gemma", "survey_hypothetical", "da", "da", "e116", 0.1666666666666666));
        inputs.Populations.Count(p => p.Kind == PopulationKind.Language).ShouldBe(128);
        inputs.Populations.Count(p => p.Kind == PopulationKind.Country).ShouldBe(316);
        inputs.Populations.Count(p => p.Kind == PopulationKind.Global).ShouldBe(32);
        // Population keys are upper case in the files and lower case in the responses; both are stored lower case.
        inputs.Populations.ShouldAllBe(p => p.Topic == p.Topic.ToLowerInvariant());
        inputs.Populations.First(p => p.Kind == PopulationKind.Language).ShouldBe(new PopulationShare("da", PopulationKind.Language, "f120", 0.8441041599591297, "da"));
        inputs.Populations.First(p => p.Kind == PopulationKind.Country).ShouldBe(new PopulationShare("CA", PopulationKind.Country, "f120", 0.6505800620278794, "en"));
        inputs.Populations.First(p => p.Kind == PopulationKind.Global).ShouldBe(new PopulationShare("global", PopulationKind.Global, "f117", 0.0584656495760807, null));
        inputs.Benchmarks.Count.ShouldBe(30);
        inputs.Benchmarks[0].ShouldBe(new BenchmarkScore("GPT-4o", "MMLU (5-shot)", "en", 87.2, "openai"));
    }

    [Fact]
    public void Our_column_names_read_the_same_values_in_any_column_order()
    {
        using var temp = new TempDirectory();
        var responses = Write(temp, "responses.csv",
            "pro_score,topic,response_language,prompt_language,template,family,model",
            "0.25,F120,da,da,survey_hypothetical,openai,gpt-4o");
        var languages = Write(temp, "languages.csv", "language,topic,pro_share", "da,F120,0.5");
        var countries = Write(temp, "countries.csv", "country,topic,pro_share,language", "DK,f120,0.75,da");
        var global = Write(temp, "global.csv", "topic,pro_share", "F120,0.4");

        var inputs = StudyInputReader.Read(new StudyInputFiles(responses, languages, countries, global));

        inputs.Responses.ShouldHaveSingleItem().ShouldBe(new StudyResponse("gpt-4o", "openai", "survey_hypothetical", "da", "da", "f120", 0.25));
        inputs.Populations.ShouldBe([
            new PopulationShare("global", PopulationKind.Global, "f120", 0.4, null),
            new PopulationShare("da", PopulationKind.Language, "f120", 0.5, "da"),
            new PopulationShare("DK", PopulationKind.Country, "f120", 0.75, "da"),
        ]);
    }

    [Fact]
    public void Responses_without_a_score_are_dropped_and_counted()
    {
        using var temp = new TempDirectory();
        var path = Write(temp, "responses.csv", ResponseHeader, Row("0.5"), Row(""), Row("NaN"), Row("0.75"));
        var warnings = new List<string>();

        var rows = StudyInputReader.ReadResponses(path, warnings);

        rows.Select(r => r.ProScore).ShouldBe([0.5, 0.75]);
        warnings.ShouldHaveSingleItem().ShouldBe("responses.csv: 2 response row(s) without a pro score (empty or NaN, first at line 3) dropped, as the authors drop them");
    }

    [Theory]
    [InlineData("abc", "responses.csv:2:7 (column response_pro_score): expected a number, found 'abc'")]
    [InlineData("1.5", "responses.csv:2:7 (column response_pro_score): expected a share in [0, 1], found 1.5")]
    [InlineData("-0.1", "responses.csv:2:7 (column response_pro_score): expected a share in [0, 1], found -0.1")]
    public void A_bad_score_names_file_line_column_and_column_name(string score, string message)
    {
        using var temp = new TempDirectory();
        var path = Write(temp, "responses.csv", ResponseHeader, Row(score));
        Should.Throw<InputException>(() => StudyInputReader.ReadResponses(path, new List<string>())).Message.ShouldBe(message);
    }

    [Fact]
    public void An_empty_text_field_a_missing_column_and_a_ragged_row_are_named()
    {
        using var temp = new TempDirectory();
        var emptyModel = Write(temp, "a.csv", ResponseHeader, ",gemma,survey_hypothetical,da,da,f120,0.5");
        Should.Throw<InputException>(() => StudyInputReader.ReadResponses(emptyModel, new List<string>()))
            .Message.ShouldBe("a.csv:2:1 (column model_name): expected a value, found an empty field");

        var noScore = Write(temp, "b.csv", "model,family,template,prompt_language,response_language,topic", "m,f,t,da,da,f120");
        Should.Throw<InputException>(() => StudyInputReader.ReadResponses(noScore, new List<string>()))
            .Message.ShouldStartWith("b.csv:1: missing required column pro_score (or response_pro_score) (expected the header model,family,template,prompt_language,response_language,topic,pro_score");

        var ragged = Write(temp, "c.csv", ResponseHeader, Row("0.5"), "gemma-2-2b-it,gemma,survey_hypothetical,da,da");
        Should.Throw<InputException>(() => StudyInputReader.ReadResponses(ragged, new List<string>()))
            .Message.ShouldBe("c.csv:3: expected 7 fields as in the header, found 5");

        Should.Throw<InputException>(() => StudyInputReader.ReadResponses(temp.File("none.csv"), new List<string>())).Message.ShouldEndWith("none.csv: file not found");
    }

    [Fact]
    public void Population_shares_outside_the_unit_interval_repeated_topics_and_two_languages_per_country_are_bad_input()
    {
        using var temp = new TempDirectory();
        var warnings = new List<string>();
        var outside = Write(temp, "lang.csv", "lnge_iso,question_key,pro_score", "da,F120,0.5", "en,F120,1.2");
        Should.Throw<InputException>(() => StudyInputReader.ReadLanguagePopulations(outside, warnings))
            .Message.ShouldBe("lang.csv:3:3 (column pro_score): expected a share in [0, 1], found 1.2");

        var repeated = Write(temp, "global.csv", "question_key,pro_score", "F120,0.5", "f120,0.6");
        Should.Throw<InputException>(() => StudyInputReader.ReadGlobalPopulation(repeated, warnings))
            .Message.ShouldBe("global.csv:3:1 (column question_key): global has a second share for topic f120 (first at line 2); expected one row per (population, topic)");

        var twoLanguages = Write(temp, "country.csv", "cntry_an,question_key,pro_score,lnge_iso", "CA,F120,0.5,en", "CA,F121,0.5,fr");
        Should.Throw<InputException>(() => StudyInputReader.ReadCountryPopulations(twoLanguages, warnings))
            .Message.ShouldBe("country.csv:3:4 (column lnge_iso): country CA has language 'fr' here but 'en' at line 2 (expected one language per country)");

        var empty = Write(temp, "country2.csv", "cntry_an,question_key,pro_score,lnge_iso", "CA,F120,,en", "CA,F121,0.5,en");
        StudyInputReader.ReadCountryPopulations(empty, warnings).ShouldHaveSingleItem().Topic.ShouldBe("f121");
        warnings.ShouldHaveSingleItem().ShouldContain("1 country population row(s) without a share dropped");
    }

    [Fact]
    public void Benchmark_languages_are_names_or_codes_and_anything_else_is_bad_input()
    {
        using var temp = new TempDirectory();
        var warnings = new List<string>();
        var good = Write(temp, "bench.csv", "model,benchmark,language,score,family", "GPT-4o,OAB,Portuguese,80.5,openai", "GPT-4o,X,nl,60,", "GPT-4o,Y,Danish,,openai");
        StudyInputReader.ReadBenchmarks(good, warnings).ShouldBe([new BenchmarkScore("GPT-4o", "OAB", "pt", 80.5, "openai"), new BenchmarkScore("GPT-4o", "X", "nl", 60, null)]);
        warnings.ShouldHaveSingleItem().ShouldContain("1 benchmark row(s) without a score dropped");

        var unknown = Write(temp, "bench2.csv", "model,benchmark,language,score,family", "GPT-4o,OAB,Klingon language,80,openai");
        Should.Throw<InputException>(() => StudyInputReader.ReadBenchmarks(unknown, warnings)).Message.ShouldStartWith("bench2.csv:2:3 (column language): expected a language name (");

        var percent = Write(temp, "bench3.csv", "model,benchmark,language,score,family", "GPT-4o,OAB,pt,0.805,openai", "GPT-4o,OAB,pt,180.5,openai");
        Should.Throw<InputException>(() => StudyInputReader.ReadBenchmarks(percent, warnings)).Message.ShouldBe("bench3.csv:3:4 (column score): expected a score in percent (0 to 100), found 180.5");
    }

    [Fact]
    public void The_human_reference_and_respondent_files_are_checked()
    {
        using var temp = new TempDirectory();
        var human = Write(temp, "gt_self_consistency.csv", "cntry_AN,self_consistency", "US,0.6649547747952438", "CA,0.6886459434251919");
        StudyInputReader.ReadHumanReferences(human).ShouldBe([new HumanReference("US", 0.6649547747952438), new HumanReference("CA", 0.6886459434251919)]);
        var twice = Write(temp, "h2.csv", "cntry_AN,self_consistency", "US,0.6", "US,0.7");
        Should.Throw<InputException>(() => StudyInputReader.ReadHumanReferences(twice)).Message.ShouldBe("h2.csv:3:1 (column cntry_AN): country US appears twice (expected one row per country)");

        var respondents = Write(temp, "resp.csv", "country,topic,weight,is_pro", "DK,F120,1.5,1", "DK,F120,0.5,false");
        StudyInputReader.ReadRespondents(respondents).ShouldBe([new RespondentAnswer("DK", "f120", 1.5, true), new RespondentAnswer("DK", "f120", 0.5, false)]);
        var badFlag = Write(temp, "resp2.csv", "country,topic,weight,is_pro", "DK,F120,1,yes");
        Should.Throw<InputException>(() => StudyInputReader.ReadRespondents(badFlag)).Message.ShouldBe("resp2.csv:2:4 (column is_pro): expected 0, 1, true or false, found 'yes'");
        var badWeight = Write(temp, "resp3.csv", "country,topic,weight,is_pro", "DK,F120,0,1");
        Should.Throw<InputException>(() => StudyInputReader.ReadRespondents(badWeight)).Message.ShouldBe("resp3.csv:2:3 (column weight): expected a positive weight, found 0");
    }

    private const string ResponseHeader = "model_name,model_family,template_type,language,response_language,question_key,response_pro_score";

    private static string Row(string score) => $"gemma-2-2b-it,gemma,survey_hypothetical,da,da,f120,{score}";

    private static string Write(TempDirectory temp, string name, params string[] lines)
    {
        var path = temp.File(name);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }
}
