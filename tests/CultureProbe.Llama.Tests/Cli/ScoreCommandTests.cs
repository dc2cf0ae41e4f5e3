using Shouldly;
using Xunit;
using System.Text.Json;
using CultureProbe.Llama.Gguf;

namespace CultureProbe.Llama.Tests.Cli;

/// <summary><c>cultureprobe score</c> end to end on a generated tiny model: output shapes and exit codes.</summary>
public sealed class ScoreCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _model;

    public ScoreCommandTests()
    {
        _model = Path.Combine(_temp.Path, "tiny.gguf");
        TinyLlamaGgufWriter.Write(_model, new TinyLlamaSpec(Words: ["▁The", "▁answer", "▁is", "▁yes", "▁no"]));
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Continuations_are_scored_as_json()
    {
        var (code, output, error) = CliRunner.Run("score", "--model", _model, "--context", "The answer is", "--continuation", " yes", "--continuation", " no", "--format", "json");

        code.ShouldBe(0, error);
        using var json = JsonDocument.Parse(output);
        var continuations = json.RootElement.GetProperty("continuations");
        continuations.GetArrayLength().ShouldBe(2);
        continuations[0].GetProperty("tokens")[0].GetProperty("piece").GetString().ShouldBe(" yes");
        continuations[0].GetProperty("sum").GetDouble().ShouldBeLessThan(0);
    }

    [Fact]
    public void Token_ids_are_scored_as_json_in_both_modes_alike()
    {
        var shared = CliRunner.Run("score", "--model", _model, "--token-ids", "1 300 271 45", "--format", "json");
        var naive = CliRunner.Run("score", "--model", _model, "--token-ids", "1 300 271 45", "--naive", "--format", "json");

        shared.ExitCode.ShouldBe(0, shared.Error);
        using var a = JsonDocument.Parse(shared.Output);
        using var b = JsonDocument.Parse(naive.Output);
        a.RootElement.GetProperty("logprobs").GetArrayLength().ShouldBe(3);
        a.RootElement.GetProperty("sum").GetDouble().ShouldBe(b.RootElement.GetProperty("sum").GetDouble(), 1e-4);
    }

    [Fact]
    public void A_table_is_printed_by_default()
    {
        var (code, output, _) = CliRunner.Run("score", "--model", _model, "--context", "The answer is", "--continuation", " yes");
        code.ShouldBe(0);
        output.ShouldContain("yes");
    }

    [Fact]
    public void A_missing_model_exits_with_code_2()
    {
        var (code, _, error) = CliRunner.Run("score", "--model", Path.Combine(_temp.Path, "absent.gguf"), "--continuation", " yes");
        code.ShouldBe(2);
        error.ShouldContain("not found");
    }

    [Fact]
    public void A_corrupt_model_exits_with_code_2()
    {
        var corrupt = Path.Combine(_temp.Path, "corrupt.gguf");
        File.WriteAllBytes(corrupt, File.ReadAllBytes(_model)[..200]);
        var (code, _, error) = CliRunner.Run("score", "--model", corrupt, "--token-ids", "1 2 3");
        code.ShouldBe(2);
        error.ShouldContain("truncated");
    }

    [Fact]
    public void Text_longer_than_the_context_exits_with_code_2()
    {
        var (code, _, error) = CliRunner.Run("score", "--model", _model, "--context", string.Concat(Enumerable.Repeat("The answer is no. ", 200)), "--continuation", " yes");
        code.ShouldBe(2);
        error.ShouldContain("context");
    }

    [Fact]
    public void A_missing_runtime_exits_with_code_1_and_says_how_to_get_it()
    {
        // The runtime is loaded once per process, so this runs the real command in a child process.
        var start = new System.Diagnostics.ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "cultureprobe"), ["score", "--model", _model, "--token-ids", "1 2 3"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.Environment["CULTUREPROBE_LLAMA_LIB_DIR"] = Path.Combine(_temp.Path, "no-runtime-here");
        using var process = System.Diagnostics.Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();

        process.ExitCode.ShouldBe(1);
        error.ShouldContain("npm pack @node-llama-cpp/linux-x64@3.22.1");
        error.ShouldContain("CULTUREPROBE_LLAMA_LIB_DIR");
    }

    [Fact]
    public void Bad_token_ids_exit_with_code_2()
    {
        CliRunner.Run("score", "--model", _model, "--token-ids", "1 x").ExitCode.ShouldBe(2);
        CliRunner.Run("score", "--model", _model, "--token-ids", "1 99999").ExitCode.ShouldBe(2);
    }
}
