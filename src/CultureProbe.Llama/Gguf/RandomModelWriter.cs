using System.Globalization;
using System.Text;

namespace CultureProbe.Llama.Gguf;

/// <summary>
/// Writes a model of a given <see cref="ModelShape"/> with random weights and a real vocabulary (<see cref="GgufVocabulary"/>),
/// so that tests and benchmarks tokenize, decode and cost what a real model of that shape would, without its weights.
/// Matrices are in the chosen type (F32, F16 or Q8_0; ggml's reference quantizer for Q8_0), norms and biases in F32, as
/// llama.cpp's converter writes them. Every value is a function of (seed, tensor name, position), so a seed always gives the
/// same bytes, and values are produced while the file is written: memory stays bounded for any size (a Llama-2-7B shape too).
/// </summary>
public static class RandomModelWriter
{
    /// <summary>Writes the model to <paramref name="path"/> (atomically: a temporary file renamed into place).</summary>
    /// <param name="path">The GGUF file to write.</param>
    /// <param name="shape">Hyperparameters.</param>
    /// <param name="vocabulary">The tokenizer; its size is the model's vocabulary size.</param>
    /// <param name="weightType">Type of the matrices: F32, F16 or Q8_0 (Q8_0 needs every row length to be a multiple of 32).</param>
    /// <param name="seed">Seed of the weights.</param>
    public static void Write(string path, ModelShape shape, GgufVocabulary vocabulary, GgmlTensorType weightType, ulong seed) =>
        Build(shape, vocabulary, weightType, seed).Write(path);

    /// <summary>The writer with every key and tensor added, not yet written (to inspect or to write elsewhere).</summary>
    public static GgufWriter Build(ModelShape shape, GgufVocabulary vocabulary, GgmlTensorType weightType, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(vocabulary);
        shape.Validate();
        var a = shape.Architecture;
        var e = (long)shape.EmbeddingLength;
        var f = (long)shape.FeedForwardLength;
        var q = (long)shape.HeadCount * shape.HeadDimension;
        var kv = (long)shape.KvHeadCount * shape.HeadDimension;
        var v = (long)vocabulary.Tokens.Count;
        var fileType = weightType switch { GgmlTensorType.F32 => 0u, GgmlTensorType.F16 => 1u, GgmlTensorType.Q8_0 => 7u, _ => throw new ArgumentOutOfRangeException(nameof(weightType)) };
        var writer = new GgufWriter()
            .Add("general.architecture", a)
            .Add("general.name", string.Create(CultureInfo.InvariantCulture, $"random {shape.Name}, {weightType}, seed {seed}"))
            .Add("general.alignment", 32u)
            .Add("general.file_type", fileType);
        if (weightType == GgmlTensorType.Q8_0)
        {
            writer.Add("general.quantization_version", 2u);
        }
        writer.Add($"{a}.context_length", (uint)shape.ContextLength)
            .Add($"{a}.embedding_length", (uint)shape.EmbeddingLength)
            .Add($"{a}.block_count", (uint)shape.LayerCount)
            .Add($"{a}.feed_forward_length", (uint)shape.FeedForwardLength)
            .Add($"{a}.attention.head_count", (uint)shape.HeadCount)
            .Add($"{a}.attention.head_count_kv", (uint)shape.KvHeadCount)
            .Add($"{a}.rope.dimension_count", (uint)shape.HeadDimension)
            .Add($"{a}.rope.freq_base", shape.RopeFreqBase)
            .Add($"{a}.attention.layer_norm_rms_epsilon", shape.RmsEpsilon)
            .Add($"{a}.vocab_size", (uint)v);
        vocabulary.WriteTo(writer);

        void Matrix(string name, long rows, long columns) =>
            writer.AddTensor(name, [rows, columns], weightType, Uniform(seed, name, 1.0 / Math.Sqrt(rows), 0f));
        void Norm(string name, long length) =>
            writer.AddTensor(name, [length], GgmlTensorType.F32, Uniform(seed, name, 0.1, 1f));
        void Bias(string name, long length) =>
            writer.AddTensor(name, [length], GgmlTensorType.F32, Uniform(seed, name, 0.02, 0f));

        // Embeddings scaled so that tied logits (hidden state of RMS ≈ 1 times the embeddings) have a standard deviation of about 1.
        Matrix("token_embd.weight", e, v);
        Norm("output_norm.weight", e);
        if (!shape.TiedEmbeddings)
        {
            Matrix("output.weight", e, v);
        }
        for (var layer = 0; layer < shape.LayerCount; layer++)
        {
            var p = "blk." + layer.ToString(CultureInfo.InvariantCulture) + ".";
            Norm(p + "attn_norm.weight", e);
            Matrix(p + "attn_q.weight", e, q);
            Matrix(p + "attn_k.weight", e, kv);
            Matrix(p + "attn_v.weight", e, kv);
            if (shape.QkvBias)
            {
                Bias(p + "attn_q.bias", q);
                Bias(p + "attn_k.bias", kv);
                Bias(p + "attn_v.bias", kv);
            }
            Matrix(p + "attn_output.weight", q, e);
            Norm(p + "ffn_norm.weight", e);
            Matrix(p + "ffn_gate.weight", e, f);
            Matrix(p + "ffn_up.weight", e, f);
            Matrix(p + "ffn_down.weight", f, e);
        }
        return writer;
    }

    /// <summary>
    /// Values uniform on [center − s√3, center + s√3] (standard deviation <paramref name="deviation"/>), each a hash of the
    /// seed, the tensor's name and the value's position: the same for any chunking or thread count.
    /// </summary>
    private static TensorValues Uniform(ulong seed, string tensor, double deviation, float center)
    {
        var stream = Mix(seed ^ Fnv1A(tensor));
        var half = (float)(deviation * Math.Sqrt(3));
        return (start, destination) =>
        {
            for (var i = 0; i < destination.Length; i++)
            {
                var bits = Mix(stream + (ulong)(start + i));
                // 24 random bits → [-1, 1).
                var unit = ((bits >> 40) * (2.0f / (1 << 24))) - 1f;
                destination[i] = center + (unit * half);
            }
        };
    }

    /// <summary>SplitMix64's finaliser: a bijective mix of 64 bits.</summary>
    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    private static ulong Fnv1A(string text)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 0x100000001B3UL;
        }
        return hash;
    }
}
