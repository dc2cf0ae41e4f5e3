using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using CultureProbe.Llama.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CultureProbe.Llama;

/// <summary>
/// Finds, loads and checks the llama.cpp shared libraries (release v0.5.0) once per process.
/// The build copies them to <c>&lt;app&gt;/llama/</c>; <see cref="LibraryDirectoryVariable"/> overrides that folder,
/// e.g. with the CUDA build of the same release.
/// </summary>
public static unsafe class LlamaRuntime
{
    /// <summary>Environment variable naming a folder that holds another build of the same llama.cpp release.</summary>
    public const string LibraryDirectoryVariable = "CULTUREPROBE_LLAMA_LIB_DIR";

    /// <summary>The llama.cpp release whose header the bindings were transcribed from.</summary>
    public const string ExpectedVersionPrefix = "0.5.0";

    private const string HowToGet =
        "Build the solution once with network access to npm (the build runs 'npm pack @node-llama-cpp/linux-x64@3.22.1' into .cache/llama/ " +
        "and copies its libraries to <output>/llama/), or set " + LibraryDirectoryVariable +
        " to a folder holding libllama.v0.5.0.so, libggml.v0.5.0.so, libggml-base.so and libggml-cpu-*.so of that package " +
        "(e.g. bins/linux-x64/ of the npm package, or bins/linux-x64-cuda/ of @node-llama-cpp/linux-x64-cuda@3.22.1).";

    private static readonly Lock Gate = new();
    private static nint _llamaHandle;
    private static nint _ggmlHandle;
    private static bool _loaded;
    private static LlamaRuntimeException? _failure;
    private static volatile ILogger _logger = NullLogger.Instance;
    private static LogLevel _lastLevel = LogLevel.Information;

    /// <summary>
    /// Where llama.cpp's own log goes. Quiet by default (<see cref="NullLogger"/>); its info lines map to
    /// <see cref="LogLevel.Debug"/> and its debug lines to <see cref="LogLevel.Trace"/>.
    /// </summary>
    public static ILogger Logger
    {
        get => _logger;
        set => _logger = value ?? NullLogger.Instance;
    }

    /// <summary>The folder the libraries were loaded from, once loaded.</summary>
    public static string? LibraryDirectory { get; private set; }

    /// <summary>The library's version string (<c>llama_version()</c>), once loaded.</summary>
    public static string? Version { get; private set; }

    /// <summary>The library's system-info line (CPU features of the chosen ggml-cpu variant), once loaded.</summary>
    public static string? SystemInfo { get; private set; }

    /// <summary>Whether the loaded build can offload layers to a GPU.</summary>
    public static bool SupportsGpuOffload { get; private set; }

    /// <summary>Loads and checks the runtime; later calls return at once (or rethrow the first failure).</summary>
    /// <exception cref="LlamaRuntimeException">The libraries are missing, fail to load, or are not the pinned release.</exception>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_loaded)
            {
                return;
            }
            if (_failure is not null)
            {
                throw _failure;
            }
            try
            {
                Load();
                _loaded = true;
            }
            catch (LlamaRuntimeException ex)
            {
                _failure = ex;
                throw;
            }
        }
    }

    /// <summary>The folder searched for the libraries: the override variable, else <c>&lt;app&gt;/llama/</c>.</summary>
    public static string ResolveLibraryDirectory()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(LibraryDirectoryVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment)
            ? Path.Combine(AppContext.BaseDirectory, "llama")
            : Path.GetFullPath(fromEnvironment);
    }

    private static void Load()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            throw new LlamaRuntimeException(
                $"The bundled llama.cpp runtime is built for linux-x64; this is {RuntimeInformation.RuntimeIdentifier}. " +
                $"Point {LibraryDirectoryVariable} at a build of llama.cpp v0.5.0 for this platform.");
        }
        var directory = ResolveLibraryDirectory();
        var llamaPath = FindLibrary(directory, "libllama.v*.so", "libllama.so");
        var ggmlPath = FindLibrary(directory, "libggml.v*.so", "libggml.so");
        var ggmlBasePath = FindLibrary(directory, "libggml-base.so", "libggml-base.so");
        try
        {
            // Dependencies first: the libraries find each other through RUNPATH $ORIGIN, but loading them by
            // full path keeps a system-wide libggml from being picked up instead.
            NativeLibrary.Load(ggmlBasePath);
            _ggmlHandle = NativeLibrary.Load(ggmlPath);
            _llamaHandle = NativeLibrary.Load(llamaPath);
        }
        catch (DllNotFoundException ex)
        {
            throw new LlamaRuntimeException($"Could not load the llama.cpp libraries from {directory}: {ex.Message}. {HowToGet}", ex);
        }
        catch (BadImageFormatException ex)
        {
            throw new LlamaRuntimeException($"The llama.cpp libraries in {directory} are not loadable on this machine: {ex.Message}. {HowToGet}", ex);
        }
        NativeLibrary.SetDllImportResolver(typeof(LlamaRuntime).Assembly, Resolve);
        LibraryDirectory = directory;

        // The version comes before any call that passes a struct by value: a different release may have a
        // different layout, and calling with the wrong one could corrupt memory instead of failing.
        Version = ReadUtf8(LlamaNative.llama_version()) ?? "";
        if (!Version.StartsWith(ExpectedVersionPrefix, StringComparison.Ordinal))
        {
            throw new LlamaRuntimeException(
                $"The llama.cpp library in {directory} reports version '{Version}', but the bindings were written for release {ExpectedVersionPrefix} " +
                $"(npm @node-llama-cpp/linux-x64@3.22.1). Use that release, or unset {LibraryDirectoryVariable}.");
        }
        LlamaNative.llama_log_set(&OnNativeLog, null);
        CheckDefaultParameters(directory);
        LlamaNative.ggml_backend_load_all_from_path(directory);
        LlamaNative.llama_backend_init();
        SystemInfo = ReadUtf8(LlamaNative.llama_print_system_info())?.Trim() ?? "";
        SupportsGpuOffload = LlamaNative.llama_supports_gpu_offload();
        if (!SystemInfo.Contains("CPU", StringComparison.Ordinal) && !SupportsGpuOffload)
        {
            throw new LlamaRuntimeException(
                $"llama.cpp in {directory} loaded no compute backend (no libggml-cpu-*.so found or none fits this CPU). {HowToGet}");
        }
        Logger.LogDebug("llama.cpp {Version} loaded from {Directory}: {SystemInfo}", Version, directory, SystemInfo);
    }

    private static void CheckDefaultParameters(string directory)
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
                string.Join("; ", mismatches) + ". Use npm @node-llama-cpp/linux-x64@3.22.1.");
        }
    }

    private static string FindLibrary(string directory, string pattern, string displayName)
    {
        if (!Directory.Exists(directory))
        {
            throw new LlamaRuntimeException($"The llama.cpp runtime folder {directory} does not exist. {HowToGet}");
        }
        var match = Directory.EnumerateFiles(directory, pattern).Order(StringComparer.Ordinal).FirstOrDefault();
        return match ?? throw new LlamaRuntimeException($"{displayName} is missing from {directory}. {HowToGet}");
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) => libraryName switch
    {
        LlamaNative.LlamaLibrary => _llamaHandle,
        LlamaNative.GgmlLibrary => _ggmlHandle,
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
            var mapped = level switch
            {
                1 => LogLevel.Trace,
                2 => LogLevel.Debug,
                3 => LogLevel.Warning,
                4 => LogLevel.Error,
                5 => _lastLevel,
                _ => LogLevel.Debug,
            };
            _lastLevel = mapped;
            if (text is null || !logger.IsEnabled(mapped))
            {
                return;
            }
            var message = Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(text)).TrimEnd();
            if (message.Length > 0)
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
