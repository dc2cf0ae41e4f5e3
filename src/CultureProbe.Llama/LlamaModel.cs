using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using CultureProbe.Llama.Gguf;
using CultureProbe.Llama.Native;
using CultureProbe.Models;

namespace CultureProbe.Llama;

/// <summary>
/// A GGUF model run in process by llama.cpp, scoring exact log-likelihoods. In shared-prefix mode (the default)
/// the tokens every continuation has in common are decoded once, their KV cache cells are shared with one llama.cpp
/// sequence per continuation (<c>llama_memory_seq_cp</c>), and the remaining tokens go through as a prefix tree:
/// a token common to several continuations (a country suffix, a shared first answer word) is decoded once for all of them.
/// Naive mode decodes every (context, continuation) from scratch. It also writes text (<see cref="GenerateAsync"/>): the
/// prompt is decoded once and its cells are shared by one sequence per sample. Not thread-safe per instance; calls are serialised.
/// </summary>
public sealed partial class LlamaModel : ILikelihoodModel, ITokenSequenceScorer, ITextGenerator
{
    private readonly SafeLlamaModelHandle _model;
    private readonly SafeLlamaContextHandle _context;
    private readonly nint _vocab;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Queue<PendingRequest> _queue = new();
    private readonly LlamaModelOptions _options;
    private long _decodeCalls;
    private long _tokensDecoded;
    private long _decodeTicks;
    private long _scoringTicks;
    private int _disposed;

    private LlamaModel(SafeLlamaModelHandle model, SafeLlamaContextHandle context, LlamaModelOptions options, ModelIdentity identity, int threads, string? chatTemplate, string? gpuOffload)
    {
        _model = model;
        _context = context;
        _options = options;
        _vocab = LlamaNative.llama_model_get_vocab(model);
        Identity = identity;
        Threads = threads;
        VocabularySize = LlamaNative.llama_vocab_n_tokens(_vocab);
        ContextSize = (int)LlamaNative.llama_n_ctx(context);
        BatchSize = (int)LlamaNative.llama_n_batch(context);
        MaxParallelSequences = (int)LlamaNative.llama_n_seq_max(context) - 1;
        BosToken = LlamaNative.llama_vocab_get_add_bos(_vocab) ? LlamaNative.llama_vocab_bos(_vocab) : null;
        ChatTemplate = chatTemplate;
        GpuOffload = gpuOffload;
        Fingerprint = BuildFingerprint(identity, options, chatTemplate);
    }

    /// <inheritdoc />
    public ModelIdentity Identity { get; }

    /// <inheritdoc />
    public ScoringMethod Method => ScoringMethod.LogLikelihoodLocal;

    /// <inheritdoc />
    public ModelFingerprint Fingerprint { get; }

    /// <inheritdoc />
    public PromptStyle PromptStyle => _options.Chat ? PromptStyle.Chat : PromptStyle.Completion;

    /// <summary>The embedded chat template (<c>tokenizer.chat_template</c>) applied in chat mode; null when not in chat mode.</summary>
    public string? ChatTemplate { get; }

    /// <summary>Tokens in the vocabulary.</summary>
    public int VocabularySize { get; }

    /// <summary>KV cache cells of the context.</summary>
    public int ContextSize { get; }

    /// <summary>Most tokens per decode call.</summary>
    public int BatchSize { get; }

    /// <summary>CPU threads used.</summary>
    public int Threads { get; }

    /// <summary>Continuations decoded side by side at most.</summary>
    public int MaxParallelSequences { get; }

    /// <summary>The BOS token prepended to every text, or null when the model adds none.</summary>
    public int? BosToken { get; }

    /// <summary>What llama.cpp said it offloaded when loading, e.g. <c>offloaded 31/31 layers to GPU</c>; null on the CPU.</summary>
    public string? GpuOffload { get; }

    /// <summary>The options the model was opened with.</summary>
    public LlamaModelOptions Options => _options;

    /// <summary>A short description of the engine configuration, recorded with results: the release, the build and device, the settings.</summary>
    public string Engine => string.Create(CultureInfo.InvariantCulture,
        $"llama.cpp {LlamaRuntime.Version}; {LlamaRuntime.Describe()}{(GpuOffload is null ? "" : "; " + GpuOffload)}; {(_options.Naive ? "naive" : "shared-prefix")}; kv={(_options.F32KvCache ? "f32" : "f16")}; ctx={ContextSize}; batch={BatchSize}; threads={Threads}{(_options.Chat ? "; chat-template" : "")}");

    /// <summary>Work counters since opening or the last <see cref="ResetStatistics"/>.</summary>
    public LlamaDecodeStatistics Statistics => new(
        Interlocked.Read(ref _decodeCalls), Interlocked.Read(ref _tokensDecoded),
        TimeSpan.FromSeconds(Interlocked.Read(ref _decodeTicks) / (double)Stopwatch.Frequency),
        TimeSpan.FromSeconds(Interlocked.Read(ref _scoringTicks) / (double)Stopwatch.Frequency));

    /// <summary>Sets the work counters to zero.</summary>
    public void ResetStatistics()
    {
        Interlocked.Exchange(ref _decodeCalls, 0);
        Interlocked.Exchange(ref _tokensDecoded, 0);
        Interlocked.Exchange(ref _decodeTicks, 0);
        Interlocked.Exchange(ref _scoringTicks, 0);
    }

    /// <summary>Validates <paramref name="path"/> in managed code, then loads it with llama.cpp.</summary>
    /// <exception cref="InvalidModelFileException">The file is missing, truncated or malformed.</exception>
    /// <exception cref="LlamaRuntimeException">The llama.cpp runtime is missing, cannot be downloaded, or is not the pinned release.</exception>
    /// <exception cref="SettingException">(<c>device</c>) The device cannot run here, or the process already runs another device.</exception>
    public static async Task<LlamaModel> OpenAsync(string path, LlamaModelOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new LlamaModelOptions();
        options.Validate();
        // Before the file is read and hashed (minutes for a large model): a device that cannot run here fails at once.
        LlamaRuntime.CheckDevice(options.Device);
        var fullPath = Path.GetFullPath(path);
        var gguf = GgufFile.Read(fullPath);
        var sha256 = await HashAsync(fullPath, cancellationToken).ConfigureAwait(false);
        await Task.Run(() => LlamaRuntime.EnsureLoaded(options.Device), cancellationToken).ConfigureAwait(false);
        return await Task.Run(() => Load(fullPath, gguf, sha256, options), cancellationToken).ConfigureAwait(false);
    }

    private static LlamaModel Load(string path, GgufFile gguf, string sha256, LlamaModelOptions options)
    {
        var modelParams = LlamaNative.llama_model_default_params();
        if (options.GpuLayers is { } gpuLayers)
        {
            modelParams.NGpuLayers = gpuLayers;
        }
        else if (options.Device.IsGpu())
        {
            // Negative means every layer (and the output layer) in this release; said here rather than left to the default.
            modelParams.NGpuLayers = -1;
        }
        SafeLlamaModelHandle modelHandle;
        List<(int Level, string Text)> loadLog;
        using (LlamaRuntime.Capture(out loadLog))
        {
            modelHandle = new SafeLlamaModelHandle(LlamaNative.llama_model_load_from_file(path, modelParams));
        }
        if (modelHandle.IsInvalid)
        {
            throw new InvalidModelFileException(path, "llama.cpp could not load this model: " + LlamaRuntime.Reason(loadLog, "it logged no reason"));
        }
        var gpuOffload = options.Device.IsGpu()
            ? loadLog.Select(l => l.Text).FirstOrDefault(t => t.Contains("layers to GPU", StringComparison.Ordinal)) is { } line
                ? line[(line.IndexOf("offloaded", StringComparison.Ordinal) is var at and >= 0 ? at : 0)..].Trim()
                : "offloaded layers unknown"
            : null;
        try
        {
            var threads = options.Threads ?? PhysicalCores.Count;
            var trainContext = LlamaNative.llama_model_n_ctx_train(modelHandle);
            var contextParams = LlamaNative.llama_context_default_params();
            contextParams.NCtx = (uint)(options.ContextSize ?? Math.Clamp(trainContext, 8, 4096));
            contextParams.NBatch = (uint)options.BatchSize;
            contextParams.NUbatch = (uint)options.BatchSize;
            // Sequence 0 holds the shared prefix; 1..n hold one continuation each.
            contextParams.NSeqMax = (uint)options.MaxParallelSequences + 1;
            contextParams.NOutputsMaxPerSeq = 0;
            // llama.cpp reserves room for at least one output per sequence and asserts (aborting the process) when
            // that exceeds the output limit, which defaults to the batch size: raise the limit when sequences outnumber it.
            contextParams.NOutputsMax = (uint)Math.Max(Math.Min(options.BatchSize, (int)contextParams.NCtx), options.MaxParallelSequences + 1);
            contextParams.NThreads = threads;
            contextParams.NThreadsBatch = threads;
            // One KV buffer for all sequences: copying the prefix to a sequence only tags cells, and a token may
            // belong to several sequences at once (a shared suffix decoded once for all its continuations).
            contextParams.KvUnified = 1;
            if (options.F32KvCache)
            {
                contextParams.TypeK = GgmlType.F32;
                contextParams.TypeV = GgmlType.F32;
                contextParams.FlashAttnType = 0;
            }
            if (options.FlashAttention is { } flash)
            {
                contextParams.FlashAttnType = flash ? 1 : 0;
            }
            SafeLlamaContextHandle contextHandle;
            List<(int Level, string Text)> contextLog;
            using (LlamaRuntime.Capture(out contextLog))
            {
                contextHandle = new SafeLlamaContextHandle(LlamaNative.llama_init_from_model(modelHandle, contextParams), modelHandle);
            }
            if (contextHandle.IsInvalid)
            {
                contextHandle.SetHandleAsInvalid();
                throw new InputException($"llama.cpp could not create a context of {contextParams.NCtx} cells and batch {options.BatchSize} for {path}: {LlamaRuntime.Reason(contextLog, "it logged no reason (out of memory?)")}");
            }
            LlamaNative.llama_set_n_threads(contextHandle, threads, threads);
            var identity = BuildIdentity(path, gguf, sha256, modelHandle);
            string? chatTemplate = null;
            if (options.Chat)
            {
                chatTemplate = ChatTemplateOf(modelHandle);
                if (chatTemplate is null)
                {
                    // Refused before anything is scored: without a template, chat mode cannot build a single prompt.
                    contextHandle.Dispose();
                    throw new InputException($"{path}: the model has no embedded chat template (tokenizer.chat_template), so it cannot be asked in chat mode; leave out --chat");
                }
            }
            return new LlamaModel(modelHandle, contextHandle, options, identity, threads, chatTemplate, gpuOffload);
        }
        catch
        {
            modelHandle.Dispose();
            throw;
        }
    }

    private static ModelIdentity BuildIdentity(string path, GgufFile gguf, string sha256, SafeLlamaModelHandle model)
    {
        var properties = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["architecture"] = gguf.GetString("general.architecture") ?? "",
            ["parameters"] = LlamaNative.llama_model_n_params(model).ToString(CultureInfo.InvariantCulture),
            ["context_length"] = LlamaNative.llama_model_n_ctx_train(model).ToString(CultureInfo.InvariantCulture),
            ["gguf_version"] = gguf.Version.ToString(CultureInfo.InvariantCulture),
            ["llama_cpp_version"] = LlamaRuntime.Version ?? "",
            ["llama_cpp_build"] = LlamaRuntime.Describe(),
        };
        if (gguf.GetInteger("general.file_type") is { } fileType)
        {
            properties["file_type"] = fileType.ToString(CultureInfo.InvariantCulture);
        }
        var name = gguf.GetString("general.name") ?? Path.GetFileNameWithoutExtension(path);
        return new ModelIdentity(name, "llama", path, sha256, properties);
    }

    private static unsafe string? ChatTemplateOf(SafeLlamaModelHandle model)
    {
        var template = LlamaNative.llama_model_chat_template(model, null);
        return template is null ? null : System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)template);
    }

    /// <summary>
    /// What decides this model's numbers: the file, the engine release, the device (GPU kernels round differently from
    /// the CPU's), the KV cache type, flash attention, where the layers run, the scoring mode, and in chat mode the chat
    /// template's text. Threads and batch size are left out: they change the order of floating-point sums, not the
    /// numbers beyond rounding. The CPU adds no device part, so keys stored before devices existed stay valid.
    /// </summary>
    internal static ModelFingerprint BuildFingerprint(ModelIdentity identity, LlamaModelOptions options, string? chatTemplate)
    {
        var parts = new List<(string, string)>
        {
            ("backend", "llama"),
            ("file_sha256", identity.Sha256 ?? ""),
            ("engine", "llama.cpp " + (LlamaRuntime.Version ?? "")),
        };
        if (options.Device.IsGpu())
        {
            parts.Add(("device", options.Device.WireName()));
        }
        parts.AddRange(
        [
            ("kv_cache", options.F32KvCache ? "f32" : "f16"),
            ("flash_attention", options.FlashAttention switch { true => "on", false => "off", null => options.F32KvCache ? "off" : "auto" }),
            ("gpu_layers", options.GpuLayers?.ToString(CultureInfo.InvariantCulture) ?? (options.Device.IsGpu() ? "all" : "default")),
            ("mode", options.Naive ? "naive" : "shared-prefix"),
        ]);
        if (chatTemplate is not null)
        {
            parts.Add(("chat_template_sha256", Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(chatTemplate)))));
        }
        return ModelFingerprint.Of([.. parts]);
    }

    private static async Task<string> HashAsync(string path, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
            return Convert.ToHexStringLower(hash);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _context.Dispose();
            _model.Dispose();
        }
        finally
        {
            _gate.Release();
        }
        _gate.Dispose();
    }
}
