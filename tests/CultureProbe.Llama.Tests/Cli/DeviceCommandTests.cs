using System.Diagnostics;
using System.Runtime.InteropServices;

namespace CultureProbe.Llama.Tests.Cli;

/// <summary>
/// <c>--device</c> on the command line. A missing GPU driver is checked in a child process: the runtime is
/// process-wide, and this test process has loaded the CPU build already.
/// </summary>
public sealed class DeviceCommandTests(TinyModels models) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private (int ExitCode, string Output, string Error) RunInChildProcess(params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "cultureprobe"), args)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        // The pinned packages, and a cache of the test's own: nothing may be downloaded into the repository.
        start.Environment.Remove(LlamaBuild.Cuda.DirectoryVariable);
        start.Environment.Remove(LlamaBuild.Vulkan.DirectoryVariable);
        start.Environment[LlamaBuildCache.CacheVariable] = _temp.File("cache");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error);
    }

    [Theory]
    [InlineData("cuda", "libcuda.so.1 (the NVIDIA driver)")]
    [InlineData("vulkan", "libvulkan.so.1 (the Vulkan loader)")]
    public void A_gpu_without_its_driver_exits_2_naming_the_flag_and_what_is_missing_and_downloads_nothing(string device, string missing)
    {
        var library = missing.Split(' ')[0];
        if (NativeLibrary.TryLoad(library, out var handle))
        {
            NativeLibrary.Free(handle);
            Assert.Skip($"{library} loads on this machine, so its absence cannot be tested here");
        }

        var (code, _, error) = RunInChildProcess("score", "--model", models.Gqa, "--continuation", " yes", "--device", device);

        code.ShouldBe(2, error);
        error.ShouldStartWith($"error: --device: {device} cannot run on this machine: the loader finds no {missing}");
        error.ShouldContain("; or choose cpu.");
        Directory.Exists(_temp.File("cache")).ShouldBeFalse("the check comes before any download");
    }

    [Theory]
    [InlineData("cuda", "gpu-check: no NVIDIA driver here (nvidia-smi not found)", "nvidia-smi")]
    [InlineData("vulkan", "gpu-check: no Vulkan loader here (libvulkan.so.1)", "libvulkan.so.1")]
    public async Task The_gpu_check_script_refuses_a_machine_without_the_gpu_before_building_anything(string device, string expected, string present)
    {
        if (present.EndsWith(".so.1", StringComparison.Ordinal) ? NativeLibrary.TryLoad(present, out _) : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, "nvidia-smi"))))
        {
            Assert.Skip($"{present} is on this machine");
        }
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "CultureProbe.slnx")))
        {
            root = root.Parent ?? throw new InvalidOperationException("not inside a checkout");
        }
        var start = new ProcessStartInfo("bash", [Path.Combine(root.FullName, "bench", "gpu-check.sh"), "--device", device, "--out", _temp.File("out")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        process.ExitCode.ShouldBe(2, error + await output);
        error.ShouldStartWith(expected);
        Directory.Exists(_temp.File("out")).ShouldBeFalse("nothing was built or written");
    }

    [Fact]
    public void A_device_that_does_not_exist_is_bad_usage_naming_the_flag()
    {
        var (code, _, error) = CliRunner.Run("score", "--model", models.Gqa, "--continuation", " yes", "--device", "gpu");

        code.ShouldBe(2);
        error.Trim().ShouldBe("error: --device: expected cpu, cuda, vulkan, found 'gpu'");
    }

    [Fact]
    public void The_cpu_device_scores_as_the_default_does_and_says_so()
    {
        var byDefault = CliRunner.Run("score", "--model", models.Gqa, "--token-ids", "1 300 271 45", "--format", "json");
        var cpu = CliRunner.Run("score", "--model", models.Gqa, "--token-ids", "1 300 271 45", "--format", "json", "--device", "cpu");

        cpu.ExitCode.ShouldBe(0, cpu.Error);
        cpu.Output.ShouldBe(byDefault.Output);
        cpu.Output.ShouldContain("cpu build libllama.v0.5.0.so");
    }

    [Fact]
    public void Asking_for_a_gpu_in_a_process_that_runs_the_cpu_exits_2()
    {
        CliRunner.Run("score", "--model", models.Gqa, "--token-ids", "1 300 271").ExitCode.ShouldBe(0);

        var (code, _, error) = CliRunner.Run("score", "--model", models.Gqa, "--token-ids", "1 300 271", "--device", "cuda");

        code.ShouldBe(2);
        error.ShouldStartWith("error: --device: this process already loaded llama.cpp's cpu build");
    }
}
