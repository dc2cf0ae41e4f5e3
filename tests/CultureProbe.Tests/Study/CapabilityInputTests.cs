using System.Text;
using CultureProbe.Study;
using Shouldly;

namespace CultureProbe.Tests.Study;

/// <summary>
/// The capability files of <c>study --capability</c>: every error names file:line:column and the column, exits 2
/// without a stack trace, and leaves the input and an existing output folder as they were.
/// </summary>
public sealed class CapabilityInputTests : IDisposable
{
    private const string Header = "model,benchmark,language,score,family";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string, string> PaperCases() => new()
    {
        { $"{Header}\ngpt-4o,OAB,pt,80,openai\ngpt-4o,MMLU,en,abc,openai\n", "bad.csv:3:4 (column score): expected a number, found 'abc'" },
        { $"{Header}\ngpt-4o,OAB,pt,Infinity,openai\n", "bad.csv:2:4 (column score): expected a number, found 'Infinity'" },
        { $"{Header}\ngpt-4o,OAB,pt,180,openai\n", "bad.csv:2:4 (column score): expected a score in percent (0 to 100), found 180" },
        { $"{Header}\ngpt-4o,OAB,Klingon language,80,openai\n", "bad.csv:2:3 (column language): expected a language name" },
        { $"{Header}\ngpt-4o,OAB,pt,80,openai\ngpt-4o,OAB,Portuguese,81,openai\n", "bad.csv:3:2 (column benchmark): gpt-4o has a second OAB score in Portuguese (first at line 2)" },
        { $"{Header}\ngpt-4o,OAB,pt,80,openai\ngpt-4o,OAB,pt\n", "bad.csv:3: expected 5 fields as in the header, found 3" },
        { $"{Header}\n,OAB,pt,80,openai\n", "bad.csv:2:1 (column model): expected a value, found an empty field" },
        { "model,benchmark,language,value\ngpt-4o,OAB,pt,80\n", "bad.csv:1: missing required column score" },
    };

    [Theory]
    [MemberData(nameof(PaperCases))]
    public void A_bad_paper_capability_file_is_refused_naming_the_cell(string content, string message)
    {
        var path = _temp.File("bad.csv");
        File.WriteAllText(path, content);
        AssertRefusedByStudy(path, message);
    }

    [Fact]
    public void A_utf16_capability_file_is_named_as_such()
    {
        var path = _temp.File("bad.csv");
        File.WriteAllText(path, $"{Header}\ngpt-4o,OAB,pt,80,openai\n", new UnicodeEncoding(bigEndian: false, byteOrderMark: true));
        AssertRefusedByStudy(path, "bad.csv: the file is UTF-16 (little-endian), not UTF-8");
    }

    private void AssertRefusedByStudy(string path, string message)
    {
        var before = File.ReadAllBytes(path);
        // An existing output folder with an earlier run's file: bad input must leave it as it was.
        var folder = _temp.File("out");
        Directory.CreateDirectory(folder);
        var earlier = Path.Combine(folder, "study.json");
        File.WriteAllText(earlier, "{\"earlier\": true}");

        var (code, output, error) = CliRunner.Run(
            "study", "--responses", MulticulturalFixture.Path("responses.csv"), "--survey-by-language", MulticulturalFixture.Path("ground_truth_per_language.csv"),
            "--survey-by-country", MulticulturalFixture.Path("ground_truth_every_country.csv"), "--bootstrap", "0", "--capability", path, "--out", folder);

        code.ShouldBe(2, error);
        error.ShouldStartWith("error: ");
        error.ShouldContain(message, Case.Sensitive, error);
        error.ShouldNotContain("   at ", Case.Sensitive, "no stack trace for bad input");
        output.ShouldBeEmpty();
        File.ReadAllBytes(path).ShouldBe(before);
        Directory.GetFileSystemEntries(folder).ShouldBe([earlier]);
        File.ReadAllText(earlier).ShouldBe("{\"earlier\": true}");
    }

    [Fact]
    public void An_ambiguous_benchmark_model_is_named_with_its_line()
    {
        var path = _temp.File("bench.csv");
        File.WriteAllText(path, $"{Header}\ngpt-4o,OAB,pt,80,openai\nGemma-2 2B,OAB,pt,50,gemma\n");
        var rows = StudyInputReader.ReadBenchmarks(path, []);

        Should.Throw<InputException>(() => CapabilityTable.Aggregate(rows, ["gpt-4o", "gemma-2-2b-base", "gemma-2-2b-it"], null, []))
            .Message.ShouldBe("bench.csv:3:1 (column model): benchmark model 'Gemma-2 2B' matches several model ids: gemma-2-2b-base and gemma-2-2b-it (give an explicit model name mapping)");
    }

    [Fact]
    public void The_country_cued_table_reads_codes_and_names()
    {
        var path = _temp.File("cap.csv");
        File.WriteAllText(path, "model,language,score\nm1,da,0.5\nm1,Dutch,0.25\nm2,EN,1e-1\n");

        StudyInputReader.ReadModelLanguageScores(path).ShouldBe(new Dictionary<(string, string), double>
        {
            [("m1", "da")] = 0.5,
            [("m1", "nl")] = 0.25,
            [("m2", "en")] = 0.1,
        });
    }

    public static TheoryData<string, string> CountryCuedCases() => new()
    {
        { "model,language,score\nm1,da,0.5\nm1,nl,x\n", "cap.csv:3:3 (column score): expected a number, found 'x'" },
        { "model,language,score\nm1,da,NaN\n", "cap.csv:2:3 (column score): expected a number, found 'NaN'" },
        { "model,language,score\nm1,da,\n", "cap.csv:2:3 (column score): expected a number, found ''" },
        { "model,language,score\nm1,da,-Infinity\n", "cap.csv:2:3 (column score): expected a number, found '-Infinity'" },
        { "model,language,score\nm1,Elvish,0.5\n", "cap.csv:2:2 (column language): expected a language code (da, en, nl, pt, …) or one of the names" },
        { "model,language,score\nm1,da,0.5\nm1,Danish,0.6\n", "cap.csv:3:2 (column language): m1 has a second score for da (first at line 2)" },
        { "model,lang,score\nm1,da,0.5\n", "cap.csv:1: missing required column language (expected the header model,language,score)" },
        { "model;language;score\nm1;da;0,5\n", "cap.csv:2:3 (column score): expected a number, found '0,5'" },
    };

    [Theory]
    [MemberData(nameof(CountryCuedCases))]
    public void A_bad_country_cued_table_names_file_line_and_column(string content, string message)
    {
        var path = _temp.File("cap.csv");
        File.WriteAllText(path, content);

        Should.Throw<InputException>(() => StudyInputReader.ReadModelLanguageScores(path)).Message.ShouldStartWith(message);
    }

    [Fact]
    public void The_country_cued_design_refuses_a_bad_table_before_writing_anything()
    {
        CliRunner.Run("synth", "--out", _temp.File("s.synthetic.csv"), "--countries", "USA,JPN", "--rows", "30").ExitCode.ShouldBe(0);
        CliRunner.Run("import", _temp.File("s.synthetic.csv"), "--out", _temp.File("p.json")).ExitCode.ShouldBe(0);
        var path = _temp.File("cap.csv");
        File.WriteAllText(path, "model,language,score\nm,en,0.5\nm,en,high\n");
        var before = File.ReadAllBytes(path);

        var (code, output, error) = CliRunner.Run("study", "--design", "country-cued", "--pack", _temp.File("p.json"), "--model", _temp.File("m.gguf"),
            "--languages", "en", "--capability", path, "--out", _temp.File("run"));

        code.ShouldBe(2, error);
        error.ShouldStartWith("error: cap.csv:3:3 (column score): expected a number, found 'high'");
        error.ShouldNotContain("   at ");
        output.ShouldBeEmpty();
        File.ReadAllBytes(path).ShouldBe(before);
        Directory.Exists(_temp.File("run")).ShouldBeFalse("nothing is written for bad input");
    }
}
