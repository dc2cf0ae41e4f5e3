using System.Diagnostics;
using System.Globalization;
using CultureProbe.Llama.Gguf;
using Microsoft.Data.Sqlite;
using Shouldly;

namespace CultureProbe.Tests.Probing;

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

    [Fact]
    public async Task A_run_killed_with_SIGKILL_resumes_to_the_results_of_an_uninterrupted_run()
    {
        // Given an uninterrupted run
        var whole = _temp.File("whole");
        CliRunner.Run(RunArgs(whole)).ExitCode.ShouldBe(0);

        // When another run is killed (SIGKILL, the whole process tree) once part of its items are stored
        var killed = _temp.File("killed");
        Directory.CreateDirectory(killed);
        var cli = typeof(CultureProbe.Cli.Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [cli, .. RunArgs(killed)]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using (var process = Process.Start(start)!)
        {
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            var db = Path.Combine(killed, "results.db");
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (StoredCount(db) < 15 && !process.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }
            process.HasExited.ShouldBeFalse("the run finished before it could be killed; the test needs a longer run");
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        var partial = StoredCount(Path.Combine(killed, "results.db"));
        partial.ShouldBeLessThan(StoredCount(Path.Combine(whole, "results.db")));

        // Then running the same command again completes it, and everything equals the uninterrupted run
        var (code, _, error) = CliRunner.Run(RunArgs(killed));
        code.ShouldBe(0, error);
        StoredCount(Path.Combine(killed, "results.db")).ShouldBe(StoredCount(Path.Combine(whole, "results.db")));
        DistinctKeys(Path.Combine(killed, "results.db")).ShouldBe(StoredCount(Path.Combine(killed, "results.db")), "no item is stored twice");
        var expected = File.ReadAllLines(Path.Combine(whole, "items.csv"));
        var actual = File.ReadAllLines(Path.Combine(killed, "items.csv"));
        actual.Length.ShouldBe(expected.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            var e = expected[i].Split(',');
            var a = actual[i].Split(',');
            a[..4].ShouldBe(e[..4]);
            if (i > 0)
            {
                // The same model, prompt and F32 KV cache: the log-likelihoods agree whatever else shared the batch.
                double.Parse(a[4], CultureInfo.InvariantCulture).ShouldBe(double.Parse(e[4], CultureInfo.InvariantCulture), 1e-9);
            }
        }
    }

    private static long StoredCount(string db)
    {
        if (!File.Exists(db))
        {
            return 0;
        }
        try
        {
            using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM items";
            return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        catch (SqliteException)
        {
            return 0;
        }
    }

    private static long DistinctKeys(string db)
    {
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(DISTINCT key) FROM items";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
