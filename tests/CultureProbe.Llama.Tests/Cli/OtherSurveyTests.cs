using System.Globalization;
using System.Xml.Linq;
using CultureProbe.Llama.Gguf;

namespace CultureProbe.Llama.Tests.Cli;

/// <summary>
/// A survey other than WVS-7, with no code change: the example ESS-style bank, two countries from a countries file
/// and synthetic long-layout shares go through import, run (a tiny random model) and report.
/// </summary>
public sealed class OtherSurveyTests : IDisposable
{
    private static readonly string Example = Path.Combine(AppContext.BaseDirectory, "surveys", "ess-example");
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_example_ess_bank_imports_runs_and_reports_end_to_end()
    {
        string[] survey = ["--bank", Path.Combine(Example, "bank.yaml"), "--countries-file", Path.Combine(Example, "countries.yaml")];
        var pack = _temp.File("ess.pack.json");
        var import = CliRunner.Run(["import", Path.Combine(Example, "ess-example.synthetic.csv"), "--layout", "long", "--out", pack, .. survey]);
        import.ExitCode.ShouldBe(0, import.Error);
        import.Output.ShouldContain("9 countries, 88 distributions");

        var model = _temp.File("tiny.synthetic.gguf");
        TinyLlamaGgufWriter.Write(model, new TinyLlamaSpec(EmbeddingLength: 32, LayerCount: 1, HeadCount: 4, KvHeadCount: 2, FeedForwardLength: 64, VocabularySize: 300, ContextLength: 1024, Seed: 4));
        var folder = _temp.File("run");
        var run = CliRunner.Run(["run", "--pack", pack, "--model", model, "--out", folder, "--bootstrap", "50", .. survey]);
        run.ExitCode.ShouldBe(0, run.Error + run.Output);

        // Every ESS item was asked of every country that answered it (88 distributions), Belgium and Ireland included.
        var items = File.ReadAllLines(Path.Combine(folder, "items.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        items.Select(r => (r[1], r[2])).Distinct().Count().ShouldBe(88);
        items.Select(r => r[2]).Distinct().Order(StringComparer.Ordinal).ShouldBe(["freehms", "gincdif", "happy", "imwbcnt", "pplfair", "ppltrst", "rlgdgr", "stflife", "trstplc", "trstprl"]);
        items.Select(r => r[1]).ShouldContain("BEL");
        items.Where(r => r[2] == "ppltrst").Select(r => r[3]).Distinct().Count().ShouldBe(11, "an 11-point scale from 0 to 10");
        var alignment = File.ReadAllLines(Path.Combine(folder, "alignment.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        alignment.Select(r => r[1]).Order(StringComparer.Ordinal).ShouldBe(["BEL", "DEU", "ESP", "FRA", "GBR", "IRL", "NLD", "POL", "SWE"]);
        var groups = File.ReadAllText(Path.Combine(folder, "alignment_groups.csv"));
        groups.ShouldContain(",category,social-trust,");
        groups.ShouldContain(",western,Western,");

        // The report names the survey and the bank's categories, and rebuilding it needs the same bank.
        var report = CliRunner.Run(["report", folder, .. survey]);
        report.ExitCode.ShouldBe(0, report.Error);
        var html = File.ReadAllText(Path.Combine(folder, "report.html"));
        html.ShouldContain("European Social Survey (example items) questions");
        html.ShouldContain("Trust in other people");
        html.ShouldNotContain("World Values Survey");
        var wrongBank = CliRunner.Run("report", folder);
        wrongBank.ExitCode.ShouldBe(2);
        wrongBank.Error.ShouldContain("another question bank");
        XDocument.Parse(html.Replace("<!DOCTYPE html>", "", StringComparison.Ordinal)).Root.ShouldNotBeNull();
        double.Parse(alignment[0][3], CultureInfo.InvariantCulture).ShouldBeInRange(-1, 1);
    }
}
