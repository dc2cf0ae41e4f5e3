using System.Diagnostics;
using CultureProbe.IO;
using Shouldly;

namespace CultureProbe.Tests.IO;

/// <summary>Atomic writes leave no temporary file behind: not on failure, not on SIGTERM, and not after a SIGKILL once the target is written again.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string[] Temporaries(string name) => Directory.GetFiles(_temp.Path, $".{name}.*.tmp");

    [Fact]
    public void A_failed_write_keeps_the_old_file_and_removes_its_temporary()
    {
        var target = _temp.File("out.json");
        File.WriteAllText(target, "old");
        Should.Throw<InvalidOperationException>(() => AtomicFile.Write(target, stream =>
        {
            stream.WriteByte(1);
            throw new InvalidOperationException("stop");
        }));
        File.ReadAllText(target).ShouldBe("old");
        Temporaries("out.json").ShouldBeEmpty();
    }

    [Fact]
    public void Temporaries_of_dead_processes_are_swept_and_others_kept()
    {
        var target = _temp.File("out.json");
        // A pid far above pid_max (4194304 at most on Linux) is never running.
        var dead = _temp.File($".out.json.99999999.{Guid.NewGuid():N}.tmp");
        var alive = _temp.File($".out.json.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var foreign = _temp.File(".out.json.someone-elses.tmp");
        var otherTarget = _temp.File($".other.json.99999999.{Guid.NewGuid():N}.tmp");
        foreach (var file in new[] { dead, alive, foreign, otherTarget })
        {
            File.WriteAllText(file, "");
        }
        AtomicFile.WriteAllText(target, "new");
        File.Exists(dead).ShouldBeFalse("a dead process's temporary is removed");
        File.Exists(alive).ShouldBeTrue("a running process's temporary is kept");
        File.Exists(foreign).ShouldBeTrue("a file not named as ours is kept");
        File.Exists(otherTarget).ShouldBeTrue("only the target's own temporaries are swept");
        File.ReadAllText(target).ShouldBe("new");
    }

    [Fact]
    public void A_folder_as_the_target_is_bad_input_naming_it()
    {
        var error = Should.Throw<InputException>(() => AtomicFile.WriteAllText(_temp.Path, "x"));
        error.Message.ShouldContain(_temp.Path);
        error.Message.ShouldContain("is a folder");
    }

    [Fact]
    public void A_file_on_the_way_to_the_target_is_bad_input_naming_the_target()
    {
        var blocker = _temp.File("plain");
        File.WriteAllText(blocker, "x");
        var target = Path.Combine(blocker, "sub", "out.json");
        var error = Should.Throw<InputException>(() => AtomicFile.WriteAllText(target, "x"));
        error.Message.ShouldStartWith(target);
        error.Message.ShouldNotContain(".tmp");
    }

    [Fact]
    public void Sigterm_during_synth_leaves_no_temporary_and_no_target()
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "cultureprobe.dll");
        var target = _temp.File("big.synthetic.csv");
        var start = new ProcessStartInfo("dotnet", [cli, "synth", "--out", target, "--rows", "100000", "--countries", "USA,CAN,AUS,DEU,JPN,BRA,NGA,IND,FRA,GBR,ITA,ESP"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var deadline = Stopwatch.StartNew();
        while (Temporaries("big.synthetic.csv").Length == 0 && !process.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            Thread.Sleep(20);
        }
        process.HasExited.ShouldBeFalse("synth should still be writing when the signal comes (make it write more)");
        Temporaries("big.synthetic.csv").ShouldNotBeEmpty();
        Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        process.WaitForExit(30_000).ShouldBeTrue();
        Temporaries("big.synthetic.csv").ShouldBeEmpty();
        File.Exists(target).ShouldBeFalse();
    }
}
