using CultureProbe.Models;

namespace CultureProbe.Llama.Tests;

/// <summary>
/// The device setting in process: the CPU path as it was, the device in the fingerprint, and one build per process.
/// (A missing GPU driver is checked in a child process: <c>Cli/DeviceCommandTests</c>.)
/// </summary>
public sealed class LlamaDeviceTests(TinyModels models)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static readonly ModelIdentity Identity = new("tiny", "llama", "/models/tiny.gguf", new string('a', 64), new Dictionary<string, string>());

    [Fact]
    public async Task The_cpu_is_the_default_and_keeps_the_fingerprint_parts_it_had_before_devices()
    {
        await using var byDefault = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact, Token);
        await using var explicitCpu = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact with { Device = LlamaDevice.Cpu }, Token);

        new LlamaModelOptions().Device.ShouldBe(LlamaDevice.Cpu);
        explicitCpu.Fingerprint.Sha256.ShouldBe(byDefault.Fingerprint.Sha256);
        // The exact parts of before: stores written then keep their keys.
        byDefault.Fingerprint.Parts.Select(p => p.Key).ShouldBe(["backend", "file_sha256", "engine", "kv_cache", "flash_attention", "gpu_layers", "mode"]);
        byDefault.Fingerprint.ToDictionary()["gpu_layers"].ShouldBe("default");
        byDefault.GpuOffload.ShouldBeNull();
        LlamaRuntime.Device.ShouldBe(LlamaDevice.Cpu);
        LlamaRuntime.LibraryFile.ShouldBe("libllama.v0.5.0.so");
        LlamaRuntime.Gpus.ShouldBeEmpty();
        LlamaRuntime.ComputeDevices.ShouldContain(d => d.Kind == "cpu" && d.Backend == "CPU");
        byDefault.Engine.ShouldContain("; cpu build libllama.v0.5.0.so; shared-prefix; kv=f32");
    }

    [Fact]
    public void A_gpu_device_is_part_of_the_fingerprint_and_offloads_every_layer_by_default()
    {
        var cpu = LlamaModel.BuildFingerprint(Identity, TinyModels.Exact, null);
        var cuda = LlamaModel.BuildFingerprint(Identity, TinyModels.Exact with { Device = LlamaDevice.Cuda }, null);
        var vulkan = LlamaModel.BuildFingerprint(Identity, TinyModels.Exact with { Device = LlamaDevice.Vulkan }, null);
        var cudaSome = LlamaModel.BuildFingerprint(Identity, TinyModels.Exact with { Device = LlamaDevice.Cuda, GpuLayers = 999 }, null);

        new[] { cpu.Sha256, cuda.Sha256, vulkan.Sha256, cudaSome.Sha256 }.Distinct().Count().ShouldBe(4);
        cpu.ToDictionary().ContainsKey("device").ShouldBeFalse();
        cuda.ToDictionary()["device"].ShouldBe("cuda");
        vulkan.ToDictionary()["device"].ShouldBe("vulkan");
        cuda.ToDictionary()["gpu_layers"].ShouldBe("all");
        cudaSome.ToDictionary()["gpu_layers"].ShouldBe("999");
    }

    [Fact]
    public async Task A_process_that_loaded_the_cpu_build_refuses_a_gpu_before_reading_the_model_and_keeps_working()
    {
        await using (await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact, Token))
        {
        }

        // The file does not exist: the device is refused before the file would be read.
        var refused = await Should.ThrowAsync<SettingException>(() =>
            LlamaModel.OpenAsync(Path.Combine(models.Folder, "absent.gguf"), TinyModels.Exact with { Device = LlamaDevice.Vulkan }, Token));

        refused.Setting.ShouldBe("device");
        refused.Problem.ShouldStartWith("this process already loaded llama.cpp's cpu build");
        refused.Problem.ShouldContain("vulkan needs a process of its own");
        Should.Throw<SettingException>(() => LlamaRuntime.CheckDevice(LlamaDevice.Cuda)).Setting.ShouldBe("device");
        LlamaRuntime.Device.ShouldBe(LlamaDevice.Cpu);
        await using var again = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact, Token);
        (await again.ScoreTokensAsync([1, 300, 271], Token)).LogProbs.Count.ShouldBe(2);
    }

    [Fact]
    public void The_backend_refuses_a_gpu_in_a_cpu_process_when_validating()
    {
        LlamaRuntime.EnsureLoaded(LlamaDevice.Cpu);
        var settings = Backends.BackendSettings.Empty.With(new LlamaModelOptions { Device = LlamaDevice.Cuda });

        Should.Throw<SettingException>(() => LlamaBackend.Definition.Validate(new Backends.ModelSource(models.Gqa, settings)))
            .Setting.ShouldBe("device");
    }

    [Theory]
    [InlineData(LlamaDevice.Cpu, "@node-llama-cpp/linux-x64@3.22.1", "node-llama-cpp-linux-x64-3.22.1.tgz", "CULTUREPROBE_LLAMA_LIB_DIR")]
    [InlineData(LlamaDevice.Cuda, "@node-llama-cpp/linux-x64-cuda@3.22.1", "node-llama-cpp-linux-x64-cuda-3.22.1.tgz", "CULTUREPROBE_LLAMA_CUDA_DIR")]
    [InlineData(LlamaDevice.Vulkan, "@node-llama-cpp/linux-x64-vulkan@3.22.1", "node-llama-cpp-linux-x64-vulkan-3.22.1.tgz", "CULTUREPROBE_LLAMA_VULKAN_DIR")]
    public void Each_device_names_its_package_its_tarball_and_its_folder_variable(LlamaDevice device, string spec, string tarball, string variable)
    {
        var build = LlamaBuild.For(device);

        build.PackageSpec.ShouldBe(spec);
        build.TarballName.ShouldBe(tarball);
        build.DirectoryVariable.ShouldBe(variable);
        build.LlamaFile.ShouldStartWith("libllama.");
        System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(build.LlamaPattern, build.LlamaFile).ShouldBeTrue();
        System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(build.GgmlPattern, build.GgmlFile).ShouldBeTrue();
        // No build's pattern matches another build's library, so a folder is never taken for the wrong build.
        LlamaBuild.All.Where(b => b != build).ShouldAllBe(b => !System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(build.LlamaPattern, b.LlamaFile));
        LlamaBuild.All.Where(b => b != build).ShouldAllBe(b => !System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(build.GgmlPattern, b.GgmlFile));
    }

    [Fact]
    public void The_cpu_build_is_looked_for_where_it_always_was()
    {
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(LlamaRuntime.LibraryDirectoryVariable)))
        {
            Assert.Skip($"{LlamaRuntime.LibraryDirectoryVariable} is set here");
        }
        LlamaRuntime.ResolveLibraryDirectory(LlamaDevice.Cpu).ShouldBe(Path.Combine(AppContext.BaseDirectory, "llama"));
        LlamaRuntime.ResolveLibraryDirectory().ShouldBe(LlamaRuntime.ResolveLibraryDirectory(LlamaDevice.Cpu));
    }
}
