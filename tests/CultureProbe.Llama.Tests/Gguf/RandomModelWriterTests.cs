using System.Buffers.Binary;
using System.Security.Cryptography;
using CultureProbe.Llama.Gguf;
using CultureProbe.Llama.Tests.Tokenizers;
using CultureProbe.Models;

namespace CultureProbe.Llama.Tests.Gguf;

/// <summary>Random-weight models of realistic shapes, in F32, F16 or Q8_0, carrying a real vocabulary.</summary>
public sealed class RandomModelWriterTests(RealVocabularies vocabularies) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cultureprobe-random-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("smollm2-135m", 49_152, 134_515_008)]
    [InlineData("qwen2.5-0.5b", 151_936, 494_032_768)]
    [InlineData("llama2-7b", 32_000, 6_738_415_616)]
    public void The_shapes_have_the_parameter_counts_of_the_published_checkpoints(string name, int vocabulary, long parameters)
    {
        ModelShape.Named(name).ParameterCount(vocabulary).ShouldBe(parameters);
    }

    [Fact]
    public void An_unknown_shape_lists_the_known_ones()
    {
        Should.Throw<InputException>(() => ModelShape.Named("gpt-5")).Message.ShouldContain("smollm2-135m");
    }

    [Theory]
    [InlineData("smollm2-135m", GgmlTensorType.Q8_0)]
    [InlineData("qwen2.5-0.5b", GgmlTensorType.F16)]
    [InlineData("qwen2.5-0.5b", GgmlTensorType.Q8_0)]
    public async Task A_one_block_model_of_a_real_shape_loads_and_scores_in_llama_cpp(string name, GgmlTensorType type)
    {
        // One block of the real per-block shapes, with the 32,000-token Mistral vocabulary to keep the file small.
        var shape = ModelShape.Named(name).WithLayers(1);
        var vocabulary = vocabularies.Vocabulary("llama2");
        var path = Path.Combine(_folder, $"{name}-{type}.gguf");
        RandomModelWriter.Write(path, shape, vocabulary, type, seed: 3);

        var gguf = GgufFile.Read(path);
        gguf.GetString("general.architecture").ShouldBe(shape.Architecture);
        gguf.Tensors.Count(t => t.Name.EndsWith(".bias", StringComparison.Ordinal)).ShouldBe(shape.QkvBias ? 3 : 0);
        gguf.Tensors.Where(t => t.Dimensions.Count == 2).ShouldAllBe(t => t.Type == (uint)type);
        gguf.Tensors.Where(t => t.Dimensions.Count == 1).ShouldAllBe(t => t.Type == (uint)GgmlTensorType.F32);

        await using var model = await LlamaModel.OpenAsync(path, new LlamaModelOptions { ContextSize = 256, Threads = 1 }, Cancel);
        model.VocabularySize.ShouldBe(32_000);
        model.Identity.Properties["architecture"].ShouldBe(shape.Architecture);
        model.Identity.Properties["parameters"].ShouldBe(shape.ParameterCount(32_000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var result = await model.ScoreAsync(OptionRequest.Single("Question: How important is family?\nAnswer:", [" Very important", " Not at all"]), Cancel);
        result.Branches[0].ShouldAllBe(c => double.IsFinite(c.Sum) && c.Sum < 0);
    }

    [Fact]
    public void The_same_seed_gives_the_same_bytes_and_another_seed_other_weights()
    {
        var vocabulary = vocabularies.Vocabulary("llama2");
        string Write(string file, ulong seed)
        {
            var path = Path.Combine(_folder, file);
            RandomModelWriter.Write(path, ModelShape.Minimal, vocabulary, GgmlTensorType.Q8_0, seed);
            using var stream = File.OpenRead(path);
            return Convert.ToHexString(SHA256.HashData(stream));
        }
        var first = Write("a.gguf", 1);
        Write("b.gguf", 1).ShouldBe(first);
        Write("c.gguf", 2).ShouldNotBe(first);
    }

    [Fact]
    public void Q8_0_weights_are_the_F32_weights_quantized_block_by_block()
    {
        var vocabulary = vocabularies.Vocabulary("llama2");
        var f32 = Path.Combine(_folder, "f32.gguf");
        var q8 = Path.Combine(_folder, "q8.gguf");
        RandomModelWriter.Write(f32, ModelShape.Minimal, vocabulary, GgmlTensorType.F32, seed: 9);
        RandomModelWriter.Write(q8, ModelShape.Minimal, vocabulary, GgmlTensorType.Q8_0, seed: 9);
        var exact = TensorBytes(f32, "blk.0.ffn_down.weight");
        var quantized = TensorBytes(q8, "blk.0.ffn_down.weight");
        quantized.Length.ShouldBe(exact.Length / 4 / 32 * 34);
        var values = new float[32];
        var block = new byte[34];
        for (var b = 0; b < quantized.Length / 34; b++)
        {
            for (var i = 0; i < 32; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(exact.AsSpan(((b * 32) + i) * 4));
            }
            GgufWriter.QuantizeQ8(values, block);
            quantized.AsSpan(b * 34, 34).SequenceEqual(block).ShouldBeTrue($"block {b}");
            var d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
            for (var i = 0; i < 32; i++)
            {
                Math.Abs((d * (sbyte)block[2 + i]) - values[i]).ShouldBeLessThanOrEqualTo((d * 0.5f) + (values.Max(Math.Abs) * 1e-3f));
            }
        }
    }

    [Fact]
    public void The_Q8_0_quantizer_is_ggmls_reference_quantizer()
    {
        // d = max|x| / 127 stored as a half, q = round(x / d) with halves away from zero (ggml-quants.c, quantize_row_q8_0_ref).
        var values = new float[32];
        values[0] = 127f;
        values[1] = -63.5f;
        values[2] = 0.5f;
        values[3] = -0.49f;
        values[4] = -127f;
        var block = new byte[34];
        GgufWriter.QuantizeQ8(values, block);
        ((float)BinaryPrimitives.ReadHalfLittleEndian(block)).ShouldBe(1f);
        ((sbyte)block[2]).ShouldBe((sbyte)127);
        ((sbyte)block[3]).ShouldBe((sbyte)-64);
        ((sbyte)block[4]).ShouldBe((sbyte)1);
        ((sbyte)block[5]).ShouldBe((sbyte)0);
        ((sbyte)block[6]).ShouldBe((sbyte)-127);

        GgufWriter.QuantizeQ8(new float[32], block);
        block.ShouldAllBe(b => b == 0);
    }

    [Fact]
    public void A_Q8_0_tensor_needs_rows_of_whole_blocks()
    {
        Should.Throw<ArgumentException>(() => new GgufWriter().AddTensor("w", [48, 2], GgmlTensorType.Q8_0, new float[96]))
            .Message.ShouldContain("blocks of 32");
    }

    [Fact]
    public void A_shape_llama_cpp_would_abort_on_is_refused_before_writing()
    {
        var vocabulary = vocabularies.Vocabulary("llama2");
        var path = Path.Combine(_folder, "bad.gguf");
        Should.Throw<ArgumentException>(() => RandomModelWriter.Write(path, ModelShape.Minimal.WithLayers(513), vocabulary, GgmlTensorType.F16, 1))
            .Message.ShouldContain("1 to 512");
        Should.Throw<ArgumentException>(() => RandomModelWriter.Write(path, ModelShape.Minimal with { KvHeadCount = 3 }, vocabulary, GgmlTensorType.F16, 1))
            .Message.ShouldContain("KV heads");
        File.Exists(path).ShouldBeFalse();
    }

    private static byte[] TensorBytes(string path, string name)
    {
        var gguf = GgufFile.Read(path);
        var tensor = gguf.Tensors.Single(t => t.Name == name);
        using var stream = File.OpenRead(path);
        stream.Position = gguf.DataOffset + tensor.Offset;
        var bytes = new byte[tensor.ByteCount!.Value];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
