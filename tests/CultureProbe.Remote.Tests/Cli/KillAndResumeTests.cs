using System.Diagnostics;
using System.Globalization;
using CultureProbe.Remote.Tests.Fakes;
using Microsoft.Data.Sqlite;
using Shouldly;

namespace CultureProbe.Remote.Tests.Cli;

/// <summary>
/// A real <c>cultureprobe run</c> process killed with SIGKILL mid-run resumes to the results of an uninterrupted run.
/// The kill comes at a known point: the fake server answers a fixed number of requests, then holds the next one
/// until the process is gone, so the test never races the run's progress against wall time.
/// </summary>
public sealed class KillAndResumeTests : IDisposable
{
    private const int AnsweredBeforeTheKill = 12;
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string[] RunArgs(string pack, Uri endpoint, string folder) =>
    [
        "run", "--pack", pack, "--backend", "vllm", "--endpoint", endpoint.ToString(), "--model", "fake-7b", "--deployment", "test-fleet",
        "--max-in-flight", "1", "--request-batch", "4", "--questions", "Q1-Q30", "--countries", "USA,JPN,DEU,NGA,BRA", "--out", folder, "--bootstrap", "0",
    ];

    [Fact]
    public async Task A_run_killed_with_SIGKILL_resumes_to_the_results_of_an_uninterrupted_run()
    {
        CliRunner.Run("synth", "--out", _temp.File("s.synthetic.csv"), "--countries", "USA,JPN,DEU,NGA,BRA", "--rows", "80").ExitCode.ShouldBe(0);
        var pack = _temp.File("p.json");
        CliRunner.Run("import", _temp.File("s.synthetic.csv"), "--out", pack).ExitCode.ShouldBe(0);

        // Given an uninterrupted run
        await using var healthy = await FakeServer.StartAsync((_, body) => FakeReply.Json(FakeEngine.Reply("vllm", body)));
        var whole = _temp.File("whole");
        var first = CliRunner.Run(RunArgs(pack, healthy.Uri, whole));
        first.ExitCode.ShouldBe(0, first.Error + first.Output);

        // When another run, in its own process, is killed while the server holds its thirteenth request
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answered = 0;
        await using var stalling = await FakeServer.StartAsync((_, body) =>
        {
            if (Interlocked.Increment(ref answered) <= AnsweredBeforeTheKill)
            {
                return FakeReply.Json(FakeEngine.Reply("vllm", body));
            }
            held.TrySetResult();
            return FakeReply.Json(FakeEngine.Reply("vllm", body)) with { Delay = TimeSpan.FromMinutes(10) };
        });
        var killed = _temp.File("killed");
        var cli = typeof(CultureProbe.Cli.Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [cli, .. RunArgs(pack, stalling.Uri, killed)]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using (var process = Process.Start(start)!)
        {
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            await held.Task.WaitAsync(TimeSpan.FromSeconds(120));
            process.HasExited.ShouldBeFalse();
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        var total = StoredCount(Path.Combine(whole, "results.db"));
        var partial = StoredCount(Path.Combine(killed, "results.db"));
        partial.ShouldBeLessThan(total, "the kill came before the run could finish");

        // Then the same command again (the same deployment, now on the healthy server) completes it, and everything equals the uninterrupted run
        var resumed = CliRunner.Run(RunArgs(pack, healthy.Uri, killed));
        resumed.ExitCode.ShouldBe(0, resumed.Error + resumed.Output);
        resumed.Output.ShouldContain($"{partial} already stored");
        StoredCount(Path.Combine(killed, "results.db")).ShouldBe(total);
        DistinctKeys(Path.Combine(killed, "results.db")).ShouldBe(total, "no item is stored twice");
        var expected = File.ReadAllLines(Path.Combine(whole, "items.csv"));
        var actual = File.ReadAllLines(Path.Combine(killed, "items.csv"));
        actual.ShouldBe(expected, "the served numbers are deterministic, so the files are identical");
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{partial} of {total} items were stored when the run was killed"));
    }

    private static long StoredCount(string db) => Scalar(db, "SELECT COUNT(*) FROM items");

    private static long DistinctKeys(string db) => Scalar(db, "SELECT COUNT(DISTINCT key) FROM items");

    private static long Scalar(string db, string sql)
    {
        if (!File.Exists(db))
        {
            return 0;
        }
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
