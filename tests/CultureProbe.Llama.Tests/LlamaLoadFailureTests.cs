using System.Text;
using CultureProbe.Llama.Gguf;

namespace CultureProbe.Llama.Tests;

/// <summary>
/// Files that pass the managed check but that llama.cpp still refuses: its reason, found only in its log, is in the
/// error (no logger attached), and the command line exits 2.
/// </summary>
public sealed class LlamaLoadFailureTests(TinyModels models) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>The GQA model with one tensor renamed (same length, so every offset stays): llama.cpp misses the original.</summary>
    private string WithTensorRenamed(string name, string renamed)
    {
        var bytes = File.ReadAllBytes(models.Gqa);
        var from = Encoding.UTF8.GetBytes(name);
        var to = Encoding.UTF8.GetBytes(renamed);
        from.Length.ShouldBe(to.Length);
        var at = bytes.AsSpan().IndexOf(from);
        at.ShouldBeGreaterThan(0);
        bytes.AsSpan(at + 1).IndexOf(from).ShouldBe(-1, "the name occurs once");
        to.CopyTo(bytes, at);
        var path = _temp.File("renamed.gguf");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public async Task A_missing_tensor_is_reported_with_llama_cpps_own_reason()
    {
        LlamaRuntime.Logger.ShouldBe(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, "the reason must come without a logger");
        var path = WithTensorRenamed("blk.1.ffn_up.weight", "blk.1.ffn_up.weighX");

        var error = await Should.ThrowAsync<InvalidModelFileException>(() => LlamaModel.OpenAsync(path, TinyModels.Exact, TestContext.Current.CancellationToken));

        error.Message.ShouldStartWith($"{path}: llama.cpp could not load this model: ");
        error.Message.ShouldContain("tensor 'blk.1.ffn_up.weight' not found", customMessage: error.Message);
        error.Message.ShouldNotContain("logger");
    }

    [Fact]
    public void On_the_command_line_the_reason_is_printed_and_the_exit_code_is_2()
    {
        var path = WithTensorRenamed("blk.0.attn_k.weight", "blk.0.attn_k.weighX");

        var (code, _, error) = CliRunner.Run("score", "--model", path, "--token-ids", "1 300 271");

        code.ShouldBe(2, error);
        error.ShouldContain("tensor 'blk.0.attn_k.weight' not found");
    }

    [Fact]
    public void A_bad_hyperparameter_is_refused_before_llama_cpp_runs_with_exit_code_2_naming_the_key()
    {
        // llama.cpp itself would abort the whole process on this file at the first decode (GGML_ASSERT(eps >= 0.0f)).
        var path = _temp.File("nan-eps.gguf");
        TinyLlamaGgufWriter.Write(path, new TinyLlamaSpec(Words: TinyModels.Words, RmsEpsilon: float.NaN));

        var (code, _, error) = CliRunner.Run("score", "--model", path, "--token-ids", "1 300 271");

        code.ShouldBe(2, error);
        error.ShouldContain("llama.attention.layer_norm_rms_epsilon = NaN: expected a finite number ≥ 0");
    }

    [Fact]
    public void The_reason_is_the_error_lines_else_the_last_warnings()
    {
        LlamaRuntime.Reason([(2, "info"), (3, "a warning"), (4, "first error"), (4, "first error"), (4, "second error")], "none")
            .ShouldBe("first error | second error");
        LlamaRuntime.Reason([(2, "info"), (3, "a warning")], "none").ShouldBe("a warning");
        LlamaRuntime.Reason([(2, "info")], "none").ShouldBe("none");
        LlamaRuntime.Reason([.. Enumerable.Range(1, 9).Select(i => (4, $"e{i}"))], "none").ShouldBe("… | e4 | e5 | e6 | e7 | e8 | e9");
    }
}
