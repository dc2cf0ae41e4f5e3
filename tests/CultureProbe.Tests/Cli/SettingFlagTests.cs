using Shouldly;

namespace CultureProbe.Tests.Cli;

/// <summary>Library errors name settings; the command line turns each into its flag, in one line, before anything runs.</summary>
public sealed class SettingFlagTests
{
    [Theory]
    [InlineData("--request-batch", "0", "--request-batch: expected 1 to 4096, found 0")]
    [InlineData("--max-in-flight", "0", "--max-in-flight: expected 1 to 4096, found 0")]
    [InlineData("--samples-per-request", "0", "--samples-per-request: expected at least 1, found 0")]
    [InlineData("--max-answer-tokens", "0", "--max-answer-tokens: expected 1 to 1048576, found 0")]
    [InlineData("--deployment", " ", "--deployment: expected a non-empty name")]
    public void A_bad_server_setting_is_named_by_its_flag(string flag, string value, string message)
    {
        var (code, _, error) = CliRunner.Run("score", "--backend", "vllm", "--endpoint", "http://127.0.0.1:9", "--model", "m", "--continuation", " Yes", flag, value);
        code.ShouldBe(2);
        error.ShouldStartWith("error: " + message);
        error.Trim().Split('\n').Length.ShouldBe(1, error);
    }

    [Fact]
    public void A_normalisation_that_does_not_apply_to_the_backend_is_refused_before_anything_runs()
    {
        using var temp = new TempDirectory();
        CliRunner.Run("synth", "--out", temp.File("s.synthetic.csv"), "--countries", "USA,JPN", "--rows", "30").ExitCode.ShouldBe(0);
        CliRunner.Run("import", temp.File("s.synthetic.csv"), "--out", temp.File("p.json")).ExitCode.ShouldBe(0);
        var (code, _, error) = CliRunner.Run("run", "--pack", temp.File("p.json"), "--backend", "chat-logprobs", "--endpoint", "http://127.0.0.1:9", "--model", "m",
            "--normalisation", "per-token", "--out", temp.File("run"));
        code.ShouldBe(2);
        error.ShouldStartWith("error: --normalisation: per-token divides log-likelihoods by answer length, but backend chat-logprobs measures chat-top-logprobs");
        Directory.Exists(temp.File("run")).ShouldBeFalse("nothing was written");
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("metal")]
    [InlineData("")]
    public void A_device_llama_cpp_has_no_build_for_is_bad_usage_before_anything_runs(string device)
    {
        using var temp = new TempDirectory();
        var (code, _, error) = CliRunner.Run("score", "--model", temp.File("absent.gguf"), "--continuation", " Yes", "--device", device);
        code.ShouldBe(2);
        error.Trim().ShouldBe($"error: --device: expected cpu, cuda, vulkan, found '{device}'");
    }

    [Fact]
    public void Every_model_verb_offers_the_device()
    {
        foreach (var verb in new[] { "score", "run", "study" })
        {
            var (code, output, _) = CliRunner.Run(verb, "--help");
            code.ShouldBe(0);
            output.ShouldContain("--device");
        }
    }

    [Fact]
    public void An_unknown_backend_is_bad_usage()
    {
        var (code, _, error) = CliRunner.Run("score", "--backend", "ollama-nope", "--model", "m", "--continuation", " Yes");
        code.ShouldBe(2);
        error.ShouldContain("--backend: expected one of llama, openai-completions, vllm");
    }
}
