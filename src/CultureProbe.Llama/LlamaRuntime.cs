using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using CultureProbe.Llama.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CultureProbe.Llama;

/// <summary>
/// Finds, loads and checks one build of the llama.cpp shared libraries (release v0.5.0) once per process: the CPU
/// build by default, or the CUDA or Vulkan build of the same release (<see cref="LlamaDevice"/>). The build copies
/// the CPU libraries to <c>&lt;app&gt;/llama/</c>; the GPU builds are downloaded on first use into
/// <see cref="LlamaBuildCache.Folder"/>. Each build's <see cref="LlamaBuild.DirectoryVariable"/> points at a copy
/// elsewhere. One process holds one build: asking for another device afterwards is refused.
/// </summary>
public static unsafe class LlamaRuntime
{
    /// <summary>Environment variable naming a folder that holds the CPU build of the same llama.cpp release.</summary>
    public const string LibraryDirectoryVariable = "CULTUREPROBE_LLAMA_LIB_DIR";

    /// <summary>The llama.cpp release whose header the bindings were transcribed from.</summary>
    public const string ExpectedVersionPrefix = "0.5.0";

    private static readonly Lock Gate = new();
    private static nint _llamaHandle;
    private static nint _ggmlHandle;
    private static nint _ggmlBaseHandle;
    private static bool _loaded;
    private static LlamaDevice? _device;
    private static Exception? _failure;
    private static volatile ILogger _logger = NullLogger.Instance;
    private static volatile TextWriter? _notices;
    private static int _lastRawLevel = 2;

    [ThreadStatic]
    private static List<(int Level, string Text)>? _capture;

    /// <summary>
    /// Where llama.cpp's own log goes. Quiet by default (<see cref="NullLogger"/>); its info lines map to
    /// <see cref="LogLevel.Debug"/> and its debug lines to <see cref="LogLevel.Trace"/>.
    /// </summary>
    public static ILogger Logger
    {
        get => _logger;
        set => _logger = value ?? NullLogger.Instance;
    }

    /// <summary>
    /// Where messages for people go that are not log lines: the download of a GPU build on first use, which can take
    /// minutes. Standard error unless set.
    /// </summary>
    public static TextWriter Notices
    {
        get => _notices ?? Console.Error;
        set => _notices = value;
    }

    /// <summary>The folder the libraries were loaded from, once loaded.</summary>
    public static string? LibraryDirectory { get; private set; }

    /// <summary>The library's version string (<c>llama_version()</c>), once loaded.</summary>
    public static string? Version { get; private set; }

    /// <summary>The library's system-info line (CPU features of the chosen ggml-cpu variant), once loaded.</summary>
    public static string? SystemInfo { get; private set; }

    /// <summary>Whether the loaded build can offload layers to a GPU.</summary>
    public static bool SupportsGpuOffload { get; private set; }

    /// <summary>The device whose build this process loaded (or began to load), or null before the first load.</summary>
    public static LlamaDevice? Device
    {
        get
        {
            lock (Gate)
            {
                return _device;
            }
        }
    }

    /// <summary>The build loaded (or being loaded), or null before the first load.</summary>
    public static LlamaBuild? Build { get; private set; }

    /// <summary>The llama library file loaded, e.g. <c>libllama.cuda.v0.5.0.so</c>.</summary>
    public static string? LibraryFile { get; private set; }

    /// <summary>Every device ggml registered once loaded (the CPU, and the GPUs of a GPU build).</summary>
    public static IReadOnlyList<LlamaComputeDevice> ComputeDevices { get; private set; } = [];

    /// <summary>The GPUs the loaded build found: for a GPU build at least one, or loading fails.</summary>
    public static IReadOnlyList<LlamaComputeDevice> Gpus => [.. ComputeDevices.Where(d => d.IsGpu)];

    /// <summary>Loads and checks the runtime of the device already loaded, or the CPU build; see <see cref="EnsureLoaded(LlamaDevice)"/>.</summary>
    /// <exception cref="LlamaRuntimeException">The libraries are missing, fail to load, or are not the pinned release.</exception>
    public static void EnsureLoaded() => EnsureLoaded(Device ?? LlamaDevice.Cpu);

    /// <summary>
    /// Loads and checks the build of <paramref name="device"/>; later calls return at once (or rethrow the first failure
    /// of that build). A GPU build's system libraries are checked before anything is downloaded or loaded; it is
    /// downloaded on first use; once loaded, it must have found at least one GPU.
    /// </summary>
    /// <exception cref="SettingException">(setting <c>device</c>) The device cannot run here (no driver, no GPU), or this process already loaded another build.</exception>
    /// <exception cref="LlamaRuntimeException">The libraries are missing, cannot be downloaded, fail to load, or are not the pinned release.</exception>
    public static void EnsureLoaded(LlamaDevice device)
    {
        lock (Gate)
        {
            if (_device == device)
            {
                if (_loaded)
                {
                    return;
                }
                if (_failure is not null)
                {
                    throw _failure;
                }
            }
            CheckDeviceLocked(device);
            var build = LlamaBuild.For(device);
            var directory = device.IsGpu() && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(build.DirectoryVariable))
                ? LlamaBuildCache.Ensure(build, LlamaBuildCache.Folder(), Notices)
                : ResolveLibraryDirectory(device);
            try
            {
                Load(build, directory);
                _loaded = true;
            }
            catch (Exception ex) when (ex is LlamaRuntimeException or SettingException)
            {
                // Once a native library is in the process, the failure is final for this process; before that, a
                // later call (say, after the variable was fixed) may try again.
                if (_device is not null)
                {
                    _failure = ex;
                }
                throw;
            }
        }
    }

    /// <summary>
    /// Checks, without downloading or loading anything, that <paramref name="device"/> can run in this process: the
    /// process has not loaded another build, and the device's system libraries (the NVIDIA driver and CUDA 13 runtime,
    /// or the Vulkan loader) load. Whether a GPU is actually there is known only after loading (<see cref="EnsureLoaded(LlamaDevice)"/>).
    /// </summary>
    /// <exception cref="SettingException">(setting <c>device</c>) A system library is missing, or another build is loaded.</exception>
    public static void CheckDevice(LlamaDevice device)
    {
        lock (Gate)
        {
            if (_device == device && _loaded)
            {
                return;
            }
            CheckDeviceLocked(device);
        }
    }

    /// <summary>The folder searched for the CPU build: the override variable, else <c>&lt;app&gt;/llama/</c>.</summary>
    public static string ResolveLibraryDirectory() => ResolveLibraryDirectory(LlamaDevice.Cpu);

    /// <summary>
    /// The folder searched for <paramref name="device"/>'s build: its variable (<see cref="LlamaBuild.DirectoryVariable"/>)
    /// when set; else for the CPU <c>&lt;app&gt;/llama/</c>, and for a GPU its folder in <see cref="LlamaBuildCache.Folder"/>
    /// (which may not exist yet: it is downloaded on first use).
    /// </summary>
    public static string ResolveLibraryDirectory(LlamaDevice device)
    {
        var build = LlamaBuild.For(device);
        var fromEnvironment = Environment.GetEnvironmentVariable(build.DirectoryVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }
        return device.IsGpu()
            ? LlamaBuildCache.BinDirectory(build, LlamaBuildCache.Folder())
            : Path.Combine(AppContext.BaseDirectory, "llama");
    }

    /// <summary>A short description of what runs: <c>cuda build libllama.cuda.v0.5.0.so on CUDA0 NVIDIA H200 (139.8 GiB)</c>.</summary>
    public static string Describe()
    {
        if (Build is null)
        {
            return "not loaded";
        }
        var gpus = Gpus;
        return gpus.Count == 0
            ? $"{Build.Device.WireName()} build {LibraryFile}"
            : $"{Build.Device.WireName()} build {LibraryFile} on {string.Join(", ", gpus)}";
    }

    private static void CheckDeviceLocked(LlamaDevice device)
    {
        // First, because it holds whatever the machine has: with another build in the process, no driver would help.
        if (_device is { } current && current != device)
        {
            throw new SettingException("device",
                $"this process already loaded llama.cpp's {current.WireName()} build (from {LibraryDirectory}); a process holds one build, " +
                $"so {device.WireName()} needs a process of its own (a separate command).");
        }
        var build = LlamaBuild.For(device);
        var pinned = string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(build.DirectoryVariable));
        var missing = build.SystemLibraries
            .Where(library => (pinned || !library.PinnedBuildOnly) && !CanLoad(library.File, pinned ? null : ResolveLibraryDirectory(device)))
            .ToArray();
        if (missing.Length > 0)
        {
            throw new SettingException("device",
                $"{device.WireName()} cannot run on this machine: the loader finds no {string.Join(", ", missing.Select(m => $"{m.File} ({m.ProvidedBy})"))}. " +
                $"It needs {build.Requirements}; or choose cpu.");
        }
    }

    private static bool CanLoad(string library, string? besideBuild)
    {
        // The GPU plug-ins find these through the loader's path or their own folder (RUNPATH $ORIGIN).
        if (besideBuild is not null && File.Exists(Path.Combine(besideBuild, library)) && NativeLibrary.TryLoad(Path.Combine(besideBuild, library), out _))
        {
            return true;
        }
        return NativeLibrary.TryLoad(library, out _);
    }

    private static string HowToGet(LlamaBuild build) => build.Device.IsGpu()
        ? $"The {build.Device.WireName()} build ({build.PackageSpec}) is downloaded with npm on first use into {LlamaBuildCache.Folder()} " +
          $"(or {LlamaBuildCache.CacheVariable}/llama); or extract it yourself and set {build.DirectoryVariable} to its package/bins/{build.BinsFolder}/ folder."
        : "Build the solution once with network access to npm (the build runs 'npm pack @node-llama-cpp/linux-x64@3.22.1' into .cache/llama/ " +
          "and copies its libraries to <output>/llama/), or set " + LibraryDirectoryVariable +
          " to a folder holding libllama.v0.5.0.so, libggml.v0.5.0.so, libggml-base.so and libggml-cpu-*.so of that package " +
          "(bins/linux-x64/ of the npm package). GPU builds are chosen with the device setting (--device cuda or vulkan), not with this variable.";

    private static void Load(LlamaBuild build, string directory)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            throw new LlamaRuntimeException(
                $"The bundled llama.cpp runtime is built for linux-x64; this is {RuntimeInformation.RuntimeIdentifier}. " +
                $"Point {LibraryDirectoryVariable} at a build of llama.cpp v0.5.0 for this platform.");
        }
        var llamaPath = FindLibrary(build, directory, build.LlamaPattern, build.LlamaFile);
        var ggmlPath = FindLibrary(build, directory, build.GgmlPattern, build.GgmlFile);
        var ggmlBasePath = FindLibrary(build, directory, "libggml-base.so", "libggml-base.so");
        try
        {
            // Dependencies first: the libraries find each other through RUNPATH $ORIGIN, but loading them by
            // full path keeps a system-wide libggml from being picked up instead.
            _ggmlBaseHandle = NativeLibrary.Load(ggmlBasePath);
            // From here on the process holds this build's libraries (they share sonames with the other builds').
            _device = build.Device;
            Build = build;
            _ggmlHandle = NativeLibrary.Load(ggmlPath);
            _llamaHandle = NativeLibrary.Load(llamaPath);
        }
        catch (DllNotFoundException ex)
        {
            throw new LlamaRuntimeException($"Could not load the llama.cpp libraries from {directory}: {ex.Message}. {HowToGet(build)}", ex);
        }
        catch (BadImageFormatException ex)
        {
            throw new LlamaRuntimeException($"The llama.cpp libraries in {directory} are not loadable on this machine: {ex.Message}. {HowToGet(build)}", ex);
        }
        NativeLibrary.SetDllImportResolver(typeof(LlamaRuntime).Assembly, Resolve);
        LibraryDirectory = directory;
        LibraryFile = Path.GetFileName(llamaPath);

        // The version comes before any call that passes a struct by value: a different release may have a
        // different layout, and calling with the wrong one could corrupt memory instead of failing.
        Version = ReadUtf8(LlamaNative.llama_version()) ?? "";
        if (!Version.StartsWith(ExpectedVersionPrefix, StringComparison.Ordinal))
        {
            throw new LlamaRuntimeException(
                $"The llama.cpp library in {directory} reports version '{Version}', but the bindings were written for release {ExpectedVersionPrefix} " +
                $"(npm {build.PackageSpec}). Use that release, or unset {build.DirectoryVariable}.");
        }
        LlamaNative.llama_log_set(&OnNativeLog, null);
        CheckDefaultParameters(directory, build);
        List<(int Level, string Text)> loadLog;
        using (Capture(out loadLog))
        {
            // ggml loads the GPU plug-in silently: a plug-in that cannot load (a missing libcudart) is skipped
            // without a word. CUDA's own failures ("no CUDA-capable device") are logged as errors, captured here.
            LlamaNative.ggml_backend_load_all_from_path(directory);
        }
        LlamaNative.llama_backend_init();
        SystemInfo = ReadUtf8(LlamaNative.llama_print_system_info())?.Trim() ?? "";
        SupportsGpuOffload = LlamaNative.llama_supports_gpu_offload();
        ComputeDevices = EnumerateDevices();
        if (!SystemInfo.Contains("CPU", StringComparison.Ordinal) && !SupportsGpuOffload)
        {
            throw new LlamaRuntimeException(
                $"llama.cpp in {directory} loaded no compute backend (no libggml-cpu-*.so found or none fits this CPU). {HowToGet(build)}");
        }
        if (build.Device.IsGpu())
        {
            RequireGpu(build, directory, loadLog);
        }
        Logger.LogDebug("llama.cpp {Version} loaded from {Directory}: {Description}; {SystemInfo}", Version, directory, Describe(), SystemInfo);
    }

    private static IReadOnlyList<LlamaComputeDevice> EnumerateDevices()
    {
        var devices = new List<LlamaComputeDevice>();
        var count = LlamaNative.ggml_backend_dev_count();
        for (nuint i = 0; i < count; i++)
        {
            var device = LlamaNative.ggml_backend_dev_get(i);
            if (device == 0)
            {
                continue;
            }
            nuint free = 0, total = 0;
            LlamaNative.ggml_backend_dev_memory(device, &free, &total);
            var kind = LlamaNative.ggml_backend_dev_type(device) switch
            {
                0 => "cpu",
                1 => "gpu",
                2 => "igpu",
                3 => "accel",
                4 => "meta",
                var other => $"type {other}",
            };
            var registry = LlamaNative.ggml_backend_dev_backend_reg(device);
            devices.Add(new LlamaComputeDevice(
                ReadUtf8(LlamaNative.ggml_backend_dev_name(device)) ?? "",
                ReadUtf8(LlamaNative.ggml_backend_dev_description(device)) ?? "",
                kind,
                registry == 0 ? "" : ReadUtf8(LlamaNative.ggml_backend_reg_name(registry)) ?? "",
                total,
                free));
        }
        return devices;
    }

    /// <summary>A GPU build that found no GPU would run everything on the CPU under a GPU label: refuse it, and say why.</summary>
    private static void RequireGpu(LlamaBuild build, string directory, List<(int Level, string Text)> loadLog)
    {
        if (ComputeDevices.Any(d => d.IsGpu && string.Equals(d.Backend, build.GpuBackendName, StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }
        var reasons = loadLog.Where(l => l.Level >= 3).Select(l => l.Text).ToList();
        var plugin = Path.Combine(directory, build.GpuPlugin!);
        if (LlamaNative.ggml_backend_reg_by_name(build.GpuBackendName!) == 0)
        {
            if (!File.Exists(plugin))
            {
                reasons.Add($"{plugin} is missing");
            }
            else
            {
                // Loading it by name is not silent: ggml logs the loader's reason (e.g. "libcudart.so.13: cannot open shared object file").
                List<(int Level, string Text)> explicitLog;
                using (Capture(out explicitLog))
                {
                    LlamaNative.ggml_backend_load(plugin);
                }
                reasons.AddRange(explicitLog.Where(l => l.Level >= 3).Select(l => l.Text));
            }
        }
        var why = reasons.Count > 0 ? string.Join(" | ", reasons.Distinct()) : $"the {build.GpuBackendName} backend registered no GPU";
        throw new SettingException("device",
            $"{build.Device.WireName()}: llama.cpp's {build.Device.WireName()} build (from {directory}) found no GPU: {why}. " +
            $"It needs {build.Requirements}; or choose cpu.");
    }

    /// <summary>Collects llama.cpp's log lines of this thread (level, text) until disposed, whatever the logger's level.</summary>
    internal static IDisposable Capture(out List<(int Level, string Text)> lines)
    {
        var previous = _capture;
        _capture = lines = [];
        return new CaptureScope(previous);
    }

    /// <summary>
    /// What llama.cpp said went wrong, for an exception message: the error lines captured, else the warnings (the last
    /// few, joined with <c>|</c>), else <paramref name="none"/>. llama.cpp's API returns only NULL or a status; its
    /// reasons (a missing tensor, a wrong shape, an unparsable grammar) are in its log alone.
    /// </summary>
    internal static string Reason(IReadOnlyList<(int Level, string Text)> log, string none)
    {
        const int MaxLines = 6;
        var errors = log.Where(l => l.Level >= 4).Select(l => l.Text).Distinct().ToArray();
        var lines = errors.Length > 0 ? errors : log.Where(l => l.Level == 3).Select(l => l.Text).Distinct().ToArray();
        return lines.Length switch
        {
            0 => none,
            <= MaxLines => string.Join(" | ", lines),
            _ => "… | " + string.Join(" | ", lines[^MaxLines..]),
        };
    }

    private sealed class CaptureScope(List<(int Level, string Text)>? previous) : IDisposable
    {
        public void Dispose() => _capture = previous;
    }

    private static void CheckDefaultParameters(string directory, LlamaBuild build)
    {
        var model = LlamaNative.llama_model_default_params();
        var context = LlamaNative.llama_context_default_params();
        var mismatches = new List<string>();
        void Expect<T>(string name, T actual, T expected)
        {
            if (!EqualityComparer<T>.Default.Equals(actual, expected))
            {
                mismatches.Add($"{name} = {actual} (expected {expected})");
            }
        }
        Expect("llama_model_params.n_gpu_layers", model.NGpuLayers, -1);
        Expect("llama_model_params.split_mode", model.SplitMode, 1);
        Expect("llama_model_params.load_mode", model.LoadMode, -1);
        Expect("llama_model_params.lazy_mode", model.LazyMode, 1);
        Expect("llama_model_params.main_gpu", model.MainGpu, 0);
        Expect("llama_model_params.use_extra_bufts", model.UseExtraBufts, (byte)1);
        Expect("llama_model_params.vocab_only", model.VocabOnly, (byte)0);
        Expect("llama_model_params.load_mtp", model.LoadMtp, (byte)0);
        Expect("llama_context_params.n_ctx", context.NCtx, 512u);
        Expect("llama_context_params.n_batch", context.NBatch, 2048u);
        Expect("llama_context_params.n_ubatch", context.NUbatch, 512u);
        Expect("llama_context_params.n_seq_max", context.NSeqMax, 1u);
        Expect("llama_context_params.n_outputs_max_per_seq", context.NOutputsMaxPerSeq, 1u);
        Expect("llama_context_params.n_threads", context.NThreads, 4);
        Expect("llama_context_params.flash_attn_type", context.FlashAttnType, -1);
        Expect("llama_context_params.yarn_ext_factor", context.YarnExtFactor, -1f);
        Expect("llama_context_params.defrag_thold", context.DefragThold, -1f);
        Expect("llama_context_params.type_k", context.TypeK, GgmlType.F16);
        Expect("llama_context_params.type_v", context.TypeV, GgmlType.F16);
        Expect("llama_context_params.offload_kqv", context.OffloadKqv, (byte)1);
        Expect("llama_context_params.no_perf", context.NoPerf, (byte)1);
        Expect("llama_context_params.swa_full", context.SwaFull, (byte)1);
        Expect("llama_context_params.kv_unified", context.KvUnified, (byte)0);
        Expect("llama_context_params.n_samplers", context.NSamplers, (nuint)0);
        Expect("llama_context_params.ctx_other", context.CtxOther, nint.Zero);
        if (mismatches.Count > 0)
        {
            throw new LlamaRuntimeException(
                $"The llama.cpp library in {directory} (version {Version}) does not match the struct layouts the bindings were transcribed from: " +
                string.Join("; ", mismatches) + $". Use npm {build.PackageSpec}.");
        }
    }

    private static string FindLibrary(LlamaBuild build, string directory, string pattern, string displayName)
    {
        if (!Directory.Exists(directory))
        {
            throw new LlamaRuntimeException($"The llama.cpp runtime folder {directory} does not exist. {HowToGet(build)}");
        }
        var match = Directory.EnumerateFiles(directory, pattern).Order(StringComparer.Ordinal).FirstOrDefault();
        if (match is not null)
        {
            return match;
        }
        // A folder of another build (CULTUREPROBE_LLAMA_LIB_DIR at the CUDA build, say) is named as such.
        var other = LlamaBuild.All.FirstOrDefault(b => b != build && Directory.EnumerateFiles(directory, b.LlamaPattern).Any());
        var hint = other is null ? "" : $" It holds the {other.Device.WireName()} build instead: choose that device, and point {other.DirectoryVariable} at the folder.";
        throw new LlamaRuntimeException($"{displayName} is missing from {directory}.{hint} {HowToGet(build)}");
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) => libraryName switch
    {
        LlamaNative.LlamaLibrary => _llamaHandle,
        LlamaNative.GgmlLibrary => _ggmlHandle,
        LlamaNative.GgmlBaseLibrary => _ggmlBaseHandle,
        _ => nint.Zero,
    };

    internal static string? ReadUtf8(byte* text) =>
        text is null ? null : Marshal.PtrToStringUTF8((nint)text);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnNativeLog(int level, byte* text, void* userData)
    {
        try
        {
            var logger = _logger;
            // GGML_LOG_LEVEL_CONT (5) continues the previous line at its level.
            var raw = level == 5 ? _lastRawLevel : level;
            _lastRawLevel = raw;
            var mapped = raw switch
            {
                1 => LogLevel.Trace,
                2 => LogLevel.Debug,
                3 => LogLevel.Warning,
                4 => LogLevel.Error,
                _ => LogLevel.Debug,
            };
            var capture = _capture;
            if (text is null || (capture is null && !logger.IsEnabled(mapped)))
            {
                return;
            }
            var message = Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(text)).TrimEnd();
            if (message.Length == 0)
            {
                return;
            }
            capture?.Add((raw, message));
            if (logger.IsEnabled(mapped))
            {
                logger.Log(mapped, "llama.cpp: {Message}", message);
            }
        }
#pragma warning disable CA1031 // An exception must never unwind into native code.
        catch (Exception)
        {
        }
#pragma warning restore CA1031
    }
}

/// <summary>The llama.cpp runtime is missing, cannot be loaded, or is not the release the bindings were written for.</summary>
public sealed class LlamaRuntimeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LlamaRuntimeException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public LlamaRuntimeException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with no message (for serializers).</summary>
    public LlamaRuntimeException() : base("The llama.cpp runtime could not be loaded.")
    {
    }
}
