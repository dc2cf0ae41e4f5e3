using System.Globalization;
using CultureProbe.Llama.Gguf;
using Shouldly;

namespace CultureProbe.Llama.Tests.Cli;

/// <summary>The run verb with a real (tiny, random) GGUF model through llama.cpp.</summary>
public sealed class RunCommandTests : IDisposable
{
    private const string Questions = "Q1-Q6,Q27-Q33,Q177-Q183";
    private const string Countries = "USA,JPN,DEU,NGA,BRA,SWE";
    private readonly TempDirectory _temp = new();
    private readonly string _pack;
    private readonly string _model;

    public RunCommandTests()
    {
        var csv = _temp.File("s.synthetic.csv");
        CliRunner.Run("synth", "--out", csv, "--countries", Countries, "--rows", "120").ExitCode.ShouldBe(0);
        _pack = _temp.File("p.json");
        CliRunner.Run("import", csv, "--out", _pack).ExitCode.ShouldBe(0);
        _model = _temp.File("tiny.synthetic.gguf");
        TinyLlamaGgufWriter.Write(_model, new TinyLlamaSpec(EmbeddingLength: 32, LayerCount: 2, HeadCount: 4, KvHeadCount: 2, FeedForwardLength: 64, VocabularySize: 400, ContextLength: 512, Seed: 3));
    }

    public void Dispose() => _temp.Dispose();

    private string[] RunArgs(string folder) =>
        ["run", "--pack", _pack, "--model", _model, "--questions", Questions, "--countries", Countries, "--out", folder, "--bootstrap", "100"];

    [Fact]
    public void Run_writes_tables_whose_pearson_recomputes_from_items_csv()
    {
        var folder = _temp.File("run");
        var (code, output, error) = CliRunner.Run(RunArgs(folder));
        code.ShouldBe(0, error + output);
        foreach (var file in new[] { "results.json", "items.csv", "alignment.csv", "alignment_groups.csv", "report.html", "results.db" })
        {
            File.Exists(Path.Combine(folder, file)).ShouldBeTrue(file);
        }
        var items = File.ReadAllLines(Path.Combine(folder, "items.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        var means = items.GroupBy(r => (r[1], r[2])).ToDictionary(g => g.Key, g => (
            Model: g.Sum(r => double.Parse(r[4], CultureInfo.InvariantCulture) * double.Parse(r[6], CultureInfo.InvariantCulture)),
            Human: g.Sum(r => double.Parse(r[5], CultureInfo.InvariantCulture) * double.Parse(r[6], CultureInfo.InvariantCulture))));
        var alignment = File.ReadAllLines(Path.Combine(folder, "alignment.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        alignment.Length.ShouldBe(6);
        foreach (var row in alignment)
        {
            var cell = means.Where(m => m.Key.Item1 == row[1]).Select(m => m.Value).ToArray();
            double mx = cell.Average(c => c.Model), my = cell.Average(c => c.Human);
            var r = cell.Sum(c => (c.Model - mx) * (c.Human - my)) / Math.Sqrt(cell.Sum(c => (c.Model - mx) * (c.Model - mx)) * cell.Sum(c => (c.Human - my) * (c.Human - my)));
            double.Parse(row[3], CultureInfo.InvariantCulture).ShouldBe(r, 1e-12);
        }
    }
}
