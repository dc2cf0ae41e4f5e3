namespace CultureProbe.Llama;

/// <summary>How <see cref="LlamaModel"/> loads a model and scores with it.</summary>
public sealed record LlamaModelOptions
{
    /// <summary>CPU threads for decoding; null = the machine's physical cores.</summary>
    public int? Threads { get; init; }

    /// <summary>KV cache cells shared by all sequences of one scoring pass; null = the model's training context, at most 4096.</summary>
    public int? ContextSize { get; init; }

    /// <summary>Most tokens per <c>llama_decode</c> call (logical and physical batch).</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>Keep the KV cache in F32 instead of F16: slower, but matches a float64 reference to about 1e-5 nats.</summary>
    public bool F32KvCache { get; init; }

    /// <summary>Flash attention: null = llama.cpp decides (off whenever <see cref="F32KvCache"/> is on, for exactness).</summary>
    public bool? FlashAttention { get; init; }

    /// <summary>
    /// Where llama.cpp runs; selects the prebuilt library of the pinned release (CPU by default). The runtime is
    /// process-wide: every model of one process must ask for the same device.
    /// </summary>
    public LlamaDevice Device { get; init; } = LlamaDevice.Cpu;

    /// <summary>Layers to offload to the GPU; null = all of them on a GPU device (nothing is offloaded on the CPU build).</summary>
    public int? GpuLayers { get; init; }

    /// <summary>Score every (context, continuation) from scratch, as lm-evaluation-harness does; for checks and the benchmark.</summary>
    public bool Naive { get; init; }

    /// <summary>Wrap each context in the model's embedded chat template: the context is the user turn, the continuation starts the assistant turn.</summary>
    public bool Chat { get; init; }

    /// <summary>Most continuations decoded side by side (llama.cpp sequences, at most 255).</summary>
    public int MaxParallelSequences { get; init; } = 64;

    /// <summary>
    /// Most KV cells one group of continuations adds beyond the prefixes. llama.cpp's unified cache makes every token
    /// attend over all used cells, so bounding the group bounds the cost of attention; too small a group gives
    /// <c>llama_decode</c> too few tokens per call. 512 keeps a 10-country question in one or two groups; with one
    /// question per pass, 512 and 4096 measured the same (docs/llama-backend.md).
    /// </summary>
    public int GroupCells { get; init; } = 512;

    /// <summary>
    /// Question trees scored together in one pass (the runner keeps this many in flight), so decode calls see more tokens.
    /// Default 1: on the 2-core CPU one question's tree (10 countries × K answers, ~160 tokens) already keeps the decoder
    /// busy, and the cells of more trees cost attention (SmolLM2-135M shape: 423 tokens/s alone, 346–379 with 4 and 323
    /// with 8; Qwen2.5-0.5B within noise; docs/llama-backend.md). Larger values are for backends that need bigger
    /// batches, e.g. a GPU (not measured).
    /// </summary>
    public int CoalescedRequests { get; init; } = 1;

    /// <summary>Checks every setting; a bad one is reported by its name.</summary>
    /// <exception cref="SettingException">A setting is out of range.</exception>
    public void Validate()
    {
        // More threads than logical cores only makes llama.cpp's threads wait on each other (and thousands never finish).
        SettingException.Require(Threads is null || (Threads >= 1 && Threads <= Environment.ProcessorCount), "threads", $"1 to {Environment.ProcessorCount} (the machine's logical cores)", Threads);
        SettingException.Require(ContextSize is null || ContextSize is >= 8 and <= 1 << 20, "context_size", "8 to 1048576 tokens", ContextSize);
        SettingException.Require(BatchSize is >= 1 and <= 1 << 16, "batch_size", "1 to 65536 tokens", BatchSize);
        SettingException.Require(MaxParallelSequences is >= 1 and <= 255, "parallel_sequences", "1 to 255", MaxParallelSequences);
        SettingException.Require(GpuLayers is null or >= 0, "gpu_layers", "0 or more", GpuLayers);
        SettingException.Require(GroupCells is >= 16 and <= 1 << 20, "group_cells", "16 to 1048576 cells", GroupCells);
        SettingException.Require(CoalescedRequests is >= 1 and <= 64, "coalesced_requests", "1 to 64", CoalescedRequests);
        SettingException.Require(Enum.IsDefined(Device), "device", string.Join(", ", WireNames.All<LlamaDevice>()), Device);
    }
}
