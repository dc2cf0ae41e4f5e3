using System.Globalization;

namespace CultureProbe.Llama.Gguf;

/// <summary>
/// The hyperparameters of a transformer that <see cref="RandomModelWriter"/> gives random weights. The vocabulary size
/// is not part of the shape: it is the length of the vocabulary written with it.
/// </summary>
/// <param name="Name">A name for the shape (written into <c>general.name</c>).</param>
/// <param name="Architecture">llama.cpp architecture: <c>llama</c> or <c>qwen2</c>.</param>
/// <param name="EmbeddingLength">Width of the residual stream (n_embd).</param>
/// <param name="FeedForwardLength">Hidden width of the SwiGLU feed-forward block.</param>
/// <param name="LayerCount">Transformer blocks (1 to 512, llama.cpp's limit).</param>
/// <param name="HeadCount">Query heads.</param>
/// <param name="KvHeadCount">Key/value heads (fewer than the query heads for grouped-query attention).</param>
/// <param name="HeadDimension">Width of one head.</param>
/// <param name="ContextLength">Training context written to the file (the default context size when none is asked for).</param>
/// <param name="RopeFreqBase">RoPE base frequency.</param>
/// <param name="RmsEpsilon">RMS norm epsilon.</param>
/// <param name="TiedEmbeddings">When true no <c>output.weight</c> is written: the classifier reuses the token embeddings.</param>
/// <param name="QkvBias">Whether the query, key and value projections have biases (Qwen 2).</param>
public sealed record ModelShape(
    string Name,
    string Architecture,
    int EmbeddingLength,
    int FeedForwardLength,
    int LayerCount,
    int HeadCount,
    int KvHeadCount,
    int HeadDimension,
    int ContextLength,
    float RopeFreqBase,
    float RmsEpsilon,
    bool TiedEmbeddings,
    bool QkvBias)
{
    /// <summary>SmolLM2-135M (HF config): <c>llama</c>, 576 wide, 30 blocks, 9 heads / 3 KV heads of 64, feed-forward 1536, tied embeddings.</summary>
    public static ModelShape SmolLm2With135M { get; } = new("SmolLM2-135M", "llama", 576, 1536, 30, 9, 3, 64, 8192, 100_000f, 1e-5f, TiedEmbeddings: true, QkvBias: false);

    /// <summary>Qwen2.5-0.5B (HF config): <c>qwen2</c>, 896 wide, 24 blocks, 14 heads / 2 KV heads of 64, feed-forward 4864, q/k/v biases, tied embeddings.</summary>
    public static ModelShape Qwen25With05B { get; } = new("Qwen2.5-0.5B", "qwen2", 896, 4864, 24, 14, 2, 64, 32768, 1_000_000f, 1e-6f, TiedEmbeddings: true, QkvBias: true);

    /// <summary>Llama-2-7B: <c>llama</c>, 4096 wide, 32 blocks, 32 heads of 128, feed-forward 11008, separate output matrix (about 7.2 GB in Q8_0 with a 32,000-token vocabulary).</summary>
    public static ModelShape Llama2With7B { get; } = new("Llama-2-7B", "llama", 4096, 11008, 32, 32, 32, 128, 4096, 10_000f, 1e-5f, TiedEmbeddings: false, QkvBias: false);

    /// <summary>The smallest useful carrier of a vocabulary: one block 64 wide (2 heads of 32), for tokenizer tests that need a loadable model.</summary>
    public static ModelShape Minimal { get; } = new("minimal", "llama", 64, 64, 1, 2, 1, 32, 4096, 10_000f, 1e-5f, TiedEmbeddings: true, QkvBias: false);

    /// <summary>The shapes above, by name.</summary>
    public static IReadOnlyList<ModelShape> Known { get; } = [SmolLm2With135M, Qwen25With05B, Llama2With7B, Minimal];

    /// <summary>The known shape called <paramref name="name"/>, ignoring case and hyphens (<c>smollm2-135m</c>, <c>qwen2.5-0.5b</c>, <c>llama2-7b</c>).</summary>
    /// <exception cref="InputException">No shape has that name.</exception>
    public static ModelShape Named(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        static string Key(string text) => text.Replace("-", "", StringComparison.Ordinal).ToUpperInvariant();
        return Known.FirstOrDefault(s => Key(s.Name) == Key(name))
            ?? throw new InputException($"unknown model shape '{name}'; known: {string.Join(", ", Known.Select(s => s.Name.ToLowerInvariant()))}");
    }

    /// <summary>
    /// Weights of this shape with a vocabulary of <paramref name="vocabularySize"/> tokens, counted as llama.cpp counts them
    /// (<c>llama_model_n_params</c>): 134,515,008 for SmolLM2-135M with its own 49,152 tokens, 494,032,768 for Qwen2.5-0.5B
    /// with 151,936, as the published checkpoints have.
    /// </summary>
    public long ParameterCount(long vocabularySize)
    {
        long e = EmbeddingLength, f = FeedForwardLength, q = (long)HeadCount * HeadDimension, kv = (long)KvHeadCount * HeadDimension;
        var block = (2 * e) + (2 * e * q) + (2 * e * kv) + (3 * e * f) + (QkvBias ? q + (2 * kv) : 0);
        return (vocabularySize * e * (TiedEmbeddings ? 1 : 2)) + e + (LayerCount * block);
    }

    /// <summary>The same per-block shapes with <paramref name="layers"/> blocks (a cheaper model with realistic matrices).</summary>
    public ModelShape WithLayers(int layers) => this with
    {
        LayerCount = layers,
        Name = layers == LayerCount ? Name : $"{Name} ({layers.ToString(CultureInfo.InvariantCulture)} of {LayerCount.ToString(CultureInfo.InvariantCulture)} layers)",
    };

    /// <summary>Checks what llama.cpp would reject or abort on.</summary>
    /// <exception cref="ArgumentException">A hyperparameter is out of range; the message names it.</exception>
    public void Validate()
    {
        void Require(bool condition, string message)
        {
            if (!condition)
            {
                throw new ArgumentException($"model shape {Name}: {message}");
            }
        }
        Require(Architecture is "llama" or "qwen2", $"architecture '{Architecture}' is not one this writer knows (llama, qwen2)");
        Require(LayerCount is >= 1 and <= 512, $"{LayerCount} layers: llama.cpp accepts 1 to 512");
        Require(EmbeddingLength > 0 && FeedForwardLength > 0 && HeadDimension > 0 && ContextLength > 0, "sizes must be positive");
        Require(HeadCount > 0 && KvHeadCount > 0 && HeadCount % KvHeadCount == 0, $"{KvHeadCount} KV heads must divide {HeadCount} heads");
        Require(HeadDimension % 2 == 0, $"head dimension {HeadDimension} must be even (RoPE rotates pairs)");
        Require(Architecture != "qwen2" || HeadCount * HeadDimension == EmbeddingLength, "qwen2 needs heads × head dimension = embedding length");
        Require(Architecture != "llama" || HeadCount * HeadDimension == EmbeddingLength, "llama needs heads × head dimension = embedding length (llama.cpp checks the rotary dimension against it)");
        Require(RmsEpsilon > 0 && RopeFreqBase > 0, "epsilon and RoPE base must be positive");
    }
}
