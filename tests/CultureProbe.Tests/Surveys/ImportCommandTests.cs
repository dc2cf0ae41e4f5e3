using System.Globalization;
using CultureProbe.Surveys;
using Shouldly;

namespace CultureProbe.Tests.Surveys;

/// <summary>The import and distributions verbs end to end, as a user runs them.</summary>
public sealed class ImportCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Import_then_distributions_csv_equals_the_independent_shares()
    {
        var csv = _temp.File("wvs.synthetic.csv");
        CliRunner.Run("synth", "--out", csv, "--countries", "DEU,BRA", "--rows", "120", "--seed", "11").ExitCode.ShouldBe(0);
        var pack = _temp.File("p.json");
        var (code, _, error) = CliRunner.Run("import", csv, "--out", pack);
        code.ShouldBe(0, error);
        var (listed, output, _) = CliRunner.Run("distributions", pack, "--format", "csv");
        listed.ShouldBe(0);

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("country,question,code,share,n");
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToDictionary(f => (f[0], f[1], int.Parse(f[2], CultureInfo.InvariantCulture)), f => (double.Parse(f[3], CultureInfo.InvariantCulture), long.Parse(f[4], CultureInfo.InvariantCulture)));
        var expected = IndependentShares.Compute(csv, QuestionBankLoader.Default.Questions.Select(q => q.Code), "W_WEIGHT");
        rows.Count.ShouldBe(expected.Count);
        foreach (var e in expected)
        {
            var (share, n) = rows[(e.Country, e.Question, e.Code)];
            share.ShouldBe(e.Value, 1e-12);
            n.ShouldBe(e.Count);
        }
    }

    [Theory]
    [InlineData("B_COUNTRY_ALPHA,W_WEIGHT,Q1\nUSA,1,1\nUSA,1\n", "bad.csv:3")]
    [InlineData("B_COUNTRY_ALPHA,W_WEIGHT,Q1\nUSA,1,1\nUSA,1,yes\n", "bad.csv:3:3")]
    [InlineData("B_COUNTRY_ALPHA,Q1\nUSA,1\n", "missing required column W_WEIGHT")]
    public void Malformed_input_exits_2_and_leaves_an_existing_pack_untouched(string content, string expectedMessage)
    {
        // Given a good pack already in place
        var good = _temp.File("good.csv");
        File.WriteAllText(good, "B_COUNTRY_ALPHA,W_WEIGHT,Q1\nUSA,1,1\n");
        var pack = _temp.File("pack.json");
        CliRunner.Run("import", good, "--out", pack).ExitCode.ShouldBe(0);
        var before = File.ReadAllBytes(pack);

        // When a malformed file is imported over it
        var bad = _temp.File("bad.csv");
        File.WriteAllText(bad, content);
        var (code, _, error) = CliRunner.Run("import", bad, "--out", pack);

        // Then the exit code is 2, the message names the place, and the pack is byte-for-byte the same
        code.ShouldBe(2);
        error.ShouldContain(expectedMessage);
        File.ReadAllBytes(pack).ShouldBe(before);
        Directory.GetFiles(_temp.Path).ShouldNotContain(f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void Failed_import_writes_no_pack()
    {
        var bad = _temp.File("bad.csv");
        File.WriteAllText(bad, "B_COUNTRY_ALPHA,W_WEIGHT,Q1\nUSA,1,1\nUSA,1,x\n");
        var pack = _temp.File("none.json");
        CliRunner.Run("import", bad, "--out", pack).ExitCode.ShouldBe(2);
        File.Exists(pack).ShouldBeFalse();
    }

    [Fact]
    public void Long_layout_round_trips_through_distributions()
    {
        var csv = _temp.File("a.csv");
        File.WriteAllText(csv, "B_COUNTRY_ALPHA,W_WEIGHT,Q1,Q57\nUSA,1,1,1\nUSA,3,2,2\nJPN,1,4,1\n");
        var pack = _temp.File("a.json");
        CliRunner.Run("import", csv, "--out", pack).ExitCode.ShouldBe(0);
        var longCsv = _temp.File("long.csv");
        File.WriteAllText(longCsv, CliRunner.Run("distributions", pack, "--format", "csv").Output);

        var again = _temp.File("b.json");
        var (code, _, error) = CliRunner.Run("import", longCsv, "--out", again);
        code.ShouldBe(0, error);
        CliRunner.Run("distributions", again, "--format", "csv").Output.ShouldBe(File.ReadAllText(longCsv));
        SurveyPackFile.Read(again).Provenance.Importer.ShouldBe("aggregate-csv");
    }

    [Fact]
    public void Long_layout_errors_name_the_line()
    {
        var csv = _temp.File("l.csv");
        File.WriteAllText(csv, "country,question,code,share\nUSA,Q1,1,0.5\nUSA,Q1,2,half\n");
        var (code, _, error) = CliRunner.Run("import", csv, "--out", _temp.File("x.json"));
        code.ShouldBe(2);
        error.ShouldContain("l.csv:3:4 (column share): expected a non-negative number, found 'half'");
    }

    [Fact]
    public void Reading_something_that_is_not_a_pack_is_bad_input()
    {
        var notPack = _temp.File("n.json");
        File.WriteAllText(notPack, "{\"hello\": 1}");
        var (code, _, error) = CliRunner.Run("distributions", notPack);
        code.ShouldBe(2);
        error.ShouldContain("not a CultureProbe survey pack");
    }

    [Fact]
    public void Synth_labels_its_output_synthetic()
    {
        var (code, output, _) = CliRunner.Run("synth", "--out", _temp.File("plain.csv"), "--countries", "USA", "--rows", "5");
        code.ShouldBe(0);
        output.ShouldContain("plain.synthetic.csv");
        File.Exists(_temp.File("plain.synthetic.csv")).ShouldBeTrue();
    }

    [Fact]
    public void Bad_usage_exits_2()
    {
        CliRunner.Run("import").ExitCode.ShouldBe(2);
        CliRunner.Run("questions", "--format", "xml").ExitCode.ShouldBe(2);
        CliRunner.Run("import", _temp.File("a.csv"), "--out", _temp.File("p.json"), "--weight", "bogus").ExitCode.ShouldBe(2);
    }
}
