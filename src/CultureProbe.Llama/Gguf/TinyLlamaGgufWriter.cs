using System.Globalization;

namespace CultureProbe.Llama.Gguf;

/// <summary>Shape and tokenizer of a generated Llama-architecture model.</summary>
/// <param name="EmbeddingLength">n_embd.</param>
/// <param name="LayerCount">Transformer blocks.</param>
/// <param name="HeadCount">Attention heads.</param>
/// <param name="KvHeadCount">Key/value heads (grouped-query attention when fewer than heads).</param>
/// <param name="FeedForwardLength">Hidden size of the SwiGLU feed-forward block.</param>
/// <param name="VocabularySize">Total tokens: 3 specials, 256 byte tokens, then pieces (words given first, generated fillers after).</param>
/// <param name="Words">Pieces to put in the vocabulary (SentencePiece style, '▁' for a leading space); every prefix of a word
/// of two or more characters is added too so that the SentencePiece merges can build the word.</param>
/// <param name="ContextLength">Training context length written to the file.</param>
/// <param name="TensorType">F32 for exact tests, F16 for realistic speed.</param>
/// <param name="Seed">Seed of the random weights.</param>
/// <param name="TiedEmbeddings">When true no <c>output.weight</c> is written: the classifier reuses the token embeddings.</param>
/// <param name="ChatTemplate">Optional <c>tokenizer.chat_template</c>.</param>
/// <param name="RopeFreqBase">RoPE base frequency.</param>
/// <param name="RmsEpsilon">RMS norm epsilon.</param>
/// <param name="EosTokenId">The end-of-sequence token (2, <c>&lt;/s&gt;</c>, by default); tests point it at an ordinary piece to see generation end there.</param>
public sealed record TinyLlamaSpec(
    int EmbeddingLength = 32,
    int LayerCount = 2,
    int HeadCount = 4,
    int KvHeadCount = 2,
    int FeedForwardLength = 64,
    int VocabularySize = 400,
    IReadOnlyList<string>? Words = null,
    int ContextLength = 256,
    GgmlTensorType TensorType = GgmlTensorType.F32,
    int Seed = 1,
    bool TiedEmbeddings = false,
    string? ChatTemplate = null,
    float RopeFreqBase = 10000f,
    float RmsEpsilon = 1e-5f,
    int EosTokenId = 2)
{
    /// <summary>The shapes of SmolLM2-135M (576 wide, 30 blocks, 9 heads, 3 KV heads, 49152 tokens, tied embeddings) in F16.</summary>
    public static TinyLlamaSpec SmolLm2Shaped(IReadOnlyList<string>? words = null) => new(
        EmbeddingLength: 576, LayerCount: 30, HeadCount: 9, KvHeadCount: 3, FeedForwardLength: 1536,
        VocabularySize: 49152, Words: words, ContextLength: 2048, TensorType: GgmlTensorType.F16,
        TiedEmbeddings: true, RopeFreqBase: 100000f);
}

/// <summary>
/// Creates Llama-architecture GGUF models with random weights and a SentencePiece ("llama") tokenizer with
/// byte fallback: ids 0-2 are <c>&lt;unk&gt; &lt;s&gt; &lt;/s&gt;</c>, ids 3-258 the byte tokens <c>&lt;0x00&gt;</c>..<c>&lt;0xFF&gt;</c>,
/// then ordinary pieces. Random weights cost the same time as trained ones, so these serve tests, the demo and the benchmark.
/// </summary>
public static class TinyLlamaGgufWriter
{
    /// <summary>Writes a model with <paramref name="spec"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, TinyLlamaSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.EmbeddingLength % spec.HeadCount != 0 || spec.HeadCount % spec.KvHeadCount != 0 || spec.EmbeddingLength / spec.HeadCount % 2 != 0)
        {
            throw new ArgumentException("heads must divide the embedding into even head sizes, and KV heads must divide heads", nameof(spec));
        }
        var pieces = BuildVocabulary(spec);
        var n = pieces.Count;
        var scores = new float[n];
        var types = new int[n];
        for (var i = 0; i < n; i++)
        {
            types[i] = i switch { 0 => 2, 1 or 2 => 3, < 259 => 6, _ => 1 };
            // SentencePiece merges the adjacent pair whose union scores highest: longer pieces win.
            scores[i] = i < 259 ? 0f : pieces[i].Length - (i * 1e-6f);
        }
        var headDim = spec.EmbeddingLength / spec.HeadCount;
        var kvDim = headDim * spec.KvHeadCount;
        var writer = new GgufWriter()
            .Add("general.architecture", "llama")
            .Add("general.name", $"tiny-random-llama-{spec.EmbeddingLength}x{spec.LayerCount}-seed{spec.Seed}")
            .Add("general.alignment", 32u)
            .Add("llama.context_length", (uint)spec.ContextLength)
            .Add("llama.embedding_length", (uint)spec.EmbeddingLength)
            .Add("llama.block_count", (uint)spec.LayerCount)
            .Add("llama.feed_forward_length", (uint)spec.FeedForwardLength)
            .Add("llama.rope.dimension_count", (uint)headDim)
            .Add("llama.attention.head_count", (uint)spec.HeadCount)
            .Add("llama.attention.head_count_kv", (uint)spec.KvHeadCount)
            .Add("llama.attention.layer_norm_rms_epsilon", spec.RmsEpsilon)
            .Add("llama.rope.freq_base", spec.RopeFreqBase)
            .Add("llama.vocab_size", (uint)n)
            .Add("tokenizer.ggml.model", "llama")
            .Add("tokenizer.ggml.tokens", pieces)
            .Add("tokenizer.ggml.scores", scores)
            .Add("tokenizer.ggml.token_type", types)
            .Add("tokenizer.ggml.unknown_token_id", 0u)
            .Add("tokenizer.ggml.bos_token_id", 1u)
            .Add("tokenizer.ggml.eos_token_id", (uint)spec.EosTokenId)
            .Add("tokenizer.ggml.add_bos_token", true)
            .Add("tokenizer.ggml.add_eos_token", false);
        if (spec.ChatTemplate is not null)
        {
            writer.Add("tokenizer.chat_template", spec.ChatTemplate);
        }
        var random = new Random(spec.Seed);
        var e = spec.EmbeddingLength;
        var t = spec.TensorType;
        writer.AddTensor("token_embd.weight", [e, n], t, RandomArray(random, (long)e * n, 1.0));
        writer.AddTensor("output_norm.weight", [e], GgmlTensorType.F32, NormWeights(random, e));
        if (!spec.TiedEmbeddings)
        {
            writer.AddTensor("output.weight", [e, n], t, RandomArray(random, (long)e * n, 1.0 / Math.Sqrt(e)));
        }
        for (var layer = 0; layer < spec.LayerCount; layer++)
        {
            var p = $"blk.{layer.ToString(CultureInfo.InvariantCulture)}.";
            var inScale = 1.0 / Math.Sqrt(e);
            writer.AddTensor(p + "attn_norm.weight", [e], GgmlTensorType.F32, NormWeights(random, e));
            writer.AddTensor(p + "attn_q.weight", [e, e], t, RandomArray(random, (long)e * e, inScale));
            writer.AddTensor(p + "attn_k.weight", [e, kvDim], t, RandomArray(random, (long)e * kvDim, inScale));
            writer.AddTensor(p + "attn_v.weight", [e, kvDim], t, RandomArray(random, (long)e * kvDim, inScale));
            writer.AddTensor(p + "attn_output.weight", [e, e], t, RandomArray(random, (long)e * e, inScale));
            writer.AddTensor(p + "ffn_norm.weight", [e], GgmlTensorType.F32, NormWeights(random, e));
            writer.AddTensor(p + "ffn_gate.weight", [e, spec.FeedForwardLength], t, RandomArray(random, (long)e * spec.FeedForwardLength, inScale));
            writer.AddTensor(p + "ffn_up.weight", [e, spec.FeedForwardLength], t, RandomArray(random, (long)e * spec.FeedForwardLength, inScale));
            writer.AddTensor(p + "ffn_down.weight", [spec.FeedForwardLength, e], t, RandomArray(random, (long)e * spec.FeedForwardLength, 1.0 / Math.Sqrt(spec.FeedForwardLength)));
        }
        writer.Write(path);
    }

    private static List<string> BuildVocabulary(TinyLlamaSpec spec)
    {
        var pieces = new List<string> { "<unk>", "<s>", "</s>" };
        for (var b = 0; b < 256; b++)
        {
            pieces.Add($"<0x{b:X2}>");
        }
        var seen = new HashSet<string>(pieces, StringComparer.Ordinal);
        void Add(string piece)
        {
            if (pieces.Count < spec.VocabularySize && seen.Add(piece))
            {
                pieces.Add(piece);
            }
        }
        foreach (var word in spec.Words ?? [])
        {
            for (var length = 2; length <= word.Length; length++)
            {
                Add(word[..length]);
            }
        }
        // Fillers: every lower-case pair and triple, with and without a leading space, until the vocabulary is full.
        const string letters = "etaoinshrdlcumwfgypbvkjxqz";
        foreach (var prefix in new[] { "▁", "" })
        {
            foreach (var a in letters)
            {
                Add($"{prefix}{a}");
                foreach (var b in letters)
                {
                    Add($"{prefix}{a}{b}");
                }
            }
        }
        for (var i = 0; pieces.Count < spec.VocabularySize; i++)
        {
            var a = letters[i % 26];
            var b = letters[i / 26 % 26];
            var c = letters[i / 676 % 26];
            var d = letters[i / 17576 % 26];
            Add($"{a}{b}{c}{d}");
            Add($"▁{a}{b}{c}");
        }
        return pieces;
    }

    private static float[] RandomArray(Random random, long count, double scale)
    {
        var data = new float[count];
        // Uniform on [-a, a] with standard deviation `scale`: a = scale * sqrt(3).
        var a = (float)(scale * Math.Sqrt(3));
        for (long i = 0; i < count; i++)
        {
            data[i] = ((random.NextSingle() * 2f) - 1f) * a;
        }
        return data;
    }

    private static float[] NormWeights(Random random, int count)
    {
        var data = new float[count];
        for (var i = 0; i < count; i++)
        {
            data[i] = 1f + (((random.NextSingle() * 2f) - 1f) * 0.2f);
        }
        return data;
    }
}
