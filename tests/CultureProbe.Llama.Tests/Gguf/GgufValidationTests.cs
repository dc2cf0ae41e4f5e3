using CultureProbe.Llama.Gguf;

namespace CultureProbe.Llama.Tests.Gguf;

/// <summary>Every malformed file must become an <see cref="InvalidModelFileException"/> before llama.cpp sees it.</summary>
public sealed class GgufValidationTests(TinyModels models) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cultureprobe-gguf-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Copy(Func<byte[], byte[]> change)
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".gguf");
        File.WriteAllBytes(path, change(File.ReadAllBytes(models.Gqa)));
        return path;
    }

    private static async Task<InvalidModelFileException> OpenShouldFail(string path)
    {
        var ex = await Should.ThrowAsync<InvalidModelFileException>(() => LlamaModel.OpenAsync(path, cancellationToken: TestContext.Current.CancellationToken));
        ex.Message.ShouldStartWith(path);
        ex.ShouldBeAssignableTo<InputException>();
        return ex;
    }

    [Fact]
    public async Task A_missing_file_is_reported()
    {
        (await OpenShouldFail(Path.Combine(_folder, "absent.gguf"))).Message.ShouldContain("not found");
    }

    [Fact]
    public async Task A_folder_is_not_a_model()
    {
        (await OpenShouldFail(_folder)).Message.ShouldContain("folder");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(100)]
    [InlineData(3000)]
    public async Task A_truncated_file_is_reported(int keep)
    {
        (await OpenShouldFail(Copy(b => b[..keep]))).Message.ShouldContain(keep < 24 ? "too short" : "truncated");
    }

    [Fact]
    public async Task A_file_cut_inside_the_tensor_data_is_reported()
    {
        var message = (await OpenShouldFail(Copy(b => b[..(b.Length - 100)]))).Message;
        message.ShouldContain("truncated");
        message.ShouldContain("tensor");
    }

    [Fact]
    public async Task A_file_that_is_not_gguf_is_reported()
    {
        (await OpenShouldFail(Copy(b => [.. "PK\u0003\u0004 not a model at all, just some bytes"u8]))).Message.ShouldContain("not a GGUF file");
    }

    [Fact]
    public async Task An_unsupported_version_is_reported()
    {
        (await OpenShouldFail(Copy(b => { b[4] = 9; return b; }))).Message.ShouldContain("version 9");
    }

    [Fact]
    public async Task An_absurd_string_length_is_reported_as_corrupt()
    {
        // Bytes 24..31 hold the length of the first metadata key.
        (await OpenShouldFail(Copy(b => { b[30] = 0x7F; return b; }))).Message.ShouldContain("truncated or corrupt");
    }

    [Fact]
    public async Task A_vocabulary_with_a_duplicate_piece_is_refused_before_llama_cpp_aborts_on_it()
    {
        var path = Path.Combine(_folder, "duplicate.gguf");
        string[] tokens = ["<unk>", "<s>", "</s>", "▁a", "▁b", "▁a"];
        new GgufWriter()
            .Add("general.architecture", "llama")
            .Add("llama.embedding_length", 8u)
            .Add("llama.block_count", 1u)
            .Add("tokenizer.ggml.model", "llama")
            .Add("tokenizer.ggml.tokens", tokens)
            .AddTensor("token_embd.weight", [8, tokens.Length], GgmlTensorType.F32, new float[8 * tokens.Length])
            .Write(path);
        var message = (await OpenShouldFail(path)).Message;
        message.ShouldContain("'▁a' twice");
        message.ShouldContain("ids 3 and 5");
    }

    [Fact]
    public async Task A_token_embedding_of_the_wrong_shape_is_reported()
    {
        var path = Path.Combine(_folder, "shape.gguf");
        new GgufWriter()
            .Add("general.architecture", "llama")
            .Add("llama.embedding_length", 8u)
            .Add("llama.block_count", 1u)
            .Add("tokenizer.ggml.tokens", ["<unk>", "<s>", "</s>"])
            .AddTensor("token_embd.weight", [8, 4], GgmlTensorType.F32, new float[32])
            .Write(path);
        (await OpenShouldFail(path)).Message.ShouldContain("token_embd.weight is [8, 4]");
    }

    [Fact]
    public async Task A_file_without_architecture_or_vocabulary_is_reported()
    {
        var path = Path.Combine(_folder, "empty.gguf");
        new GgufWriter().Add("general.name", "nothing").Write(path);
        (await OpenShouldFail(path)).Message.ShouldContain("general.architecture");
    }

    [Theory]
    [InlineData(0u, 2u)]
    [InlineData(3u, 3u)]
    [InlineData(4u, 3u)]
    [InlineData(4u, 0u)]
    public async Task Head_counts_that_do_not_divide_the_shapes_are_reported(uint heads, uint kvHeads)
    {
        var path = Path.Combine(_folder, $"heads-{heads}-{kvHeads}.gguf");
        new GgufWriter()
            .Add("general.architecture", "llama")
            .Add("llama.embedding_length", 8u)
            .Add("llama.block_count", 1u)
            .Add("llama.attention.head_count", heads)
            .Add("llama.attention.head_count_kv", kvHeads)
            .Add("tokenizer.ggml.tokens", ["<unk>", "<s>", "</s>"])
            .AddTensor("token_embd.weight", [8, 3], GgmlTensorType.F32, new float[24])
            .Write(path);
        (await OpenShouldFail(path)).Message.ShouldContain("does not divide");
    }

    [Fact]
    public void The_writer_round_trips_metadata_and_tensors()
    {
        var file = GgufFile.Read(models.Gqa);
        file.Version.ShouldBe(3u);
        file.GetString("general.architecture").ShouldBe("llama");
        file.GetInteger("llama.embedding_length").ShouldBe(32);
        file.GetFloat("llama.rope.freq_base").ShouldBe(10000);
        ((object[])file.Metadata["tokenizer.ggml.tokens"])[3].ShouldBe("<0x00>");
        file.Tensors.Count.ShouldBe(3 + (2 * 9));
        file.ReadTensor("output_norm.weight").ShouldAllBe(w => w >= 0.8 && w <= 1.2);
    }
}
