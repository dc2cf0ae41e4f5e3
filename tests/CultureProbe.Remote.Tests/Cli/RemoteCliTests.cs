using System.Globalization;
using System.Text.Json;
using CultureProbe.Remote.Tests.Fakes;
using Shouldly;

namespace CultureProbe.Remote.Tests.Cli;

/// <summary>The run and score verbs pointed at a fake vLLM server.</summary>
public sealed class RemoteCliTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cultureprobe-remote-cli", Guid.NewGuid().ToString("N"));

    public RemoteCliTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int Code, string Output, string Error) Cli(params string[] args) => CliRunner.Run(args);

    [Fact]
    public async Task Score_against_a_server_prints_the_served_log_probs()
    {
        await using var server = await FakeServer.StartAsync((_, body) => FakeReply.Json(FakeEngine.Reply("vllm", body)));
        var (code, output, error) = Cli("score", "--backend", "vllm", "--endpoint", server.Uri.ToString(), "--model", "fake",
            "--context", "Question: Is family important?\nAnswer:", "--continuation", " Yes", "--continuation", " No", "--format", "json");
        code.ShouldBe(0, error);
        using var json = JsonDocument.Parse(output);
        var continuations = json.RootElement.GetProperty("continuations");
        continuations[0].GetProperty("sum").GetDouble().ShouldBe(FakeEngine.Expected("Question: Is family important?\nAnswer:", " Yes"), 1e-9);
        continuations[1].GetProperty("sum").GetDouble().ShouldBe(FakeEngine.Expected("Question: Is family important?\nAnswer:", " No"), 1e-9);
    }

    [Fact]
    public void Ollama_is_offered_by_the_command_line_but_refused_for_survey_items_because_it_only_writes_text()
    {
        var csv = Path.Combine(_folder, "s.synthetic.csv");
        Cli("synth", "--out", csv, "--countries", "USA,JPN", "--rows", "40").Code.ShouldBe(0);
        var pack = Path.Combine(_folder, "p.json");
        Cli("import", csv, "--out", pack).Code.ShouldBe(0);

        var (code, output, error) = Cli("run", "--pack", pack, "--backend", "ollama", "--endpoint", "http://127.0.0.1:9", "--model", "llama3",
            "--questions", "Q1", "--countries", "USA,JPN", "--out", Path.Combine(_folder, "run"), "--bootstrap", "0");

        code.ShouldBe(2, output + error);
        error.ShouldContain("--backend");
        error.ShouldContain("ollama only writes free text");
    }

    [Fact]
    public async Task Run_against_a_server_gives_the_softmax_of_the_served_log_likelihoods()
    {
        var csv = Path.Combine(_folder, "s.synthetic.csv");
        Cli("synth", "--out", csv, "--countries", "USA,JPN,DEU", "--rows", "80").Code.ShouldBe(0);
        var pack = Path.Combine(_folder, "p.json");
        Cli("import", csv, "--out", pack).Code.ShouldBe(0);
        await using var server = await FakeServer.StartAsync((_, body) => FakeReply.Json(FakeEngine.Reply("vllm", body)));

        var outFolder = Path.Combine(_folder, "run");
        var (code, output, error) = Cli("run", "--pack", pack, "--backend", "vllm", "--endpoint", server.Uri.ToString(), "--model", "fake-70b",
            "--questions", "Q1-Q6", "--countries", "USA,JPN,DEU", "--out", outFolder, "--bootstrap", "0");
        code.ShouldBe(0, error + output);

        var rows = File.ReadAllLines(Path.Combine(outFolder, "items.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        rows.Length.ShouldBeGreaterThan(0);
        var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(outFolder, "results.json")));
        results.RootElement.GetProperty("results").GetProperty("models")[0].GetProperty("scoring_method").GetString().ShouldBe("loglik-prompt-logprobs");
        // Recompute Q1 for Japan by hand: the Figure 5 prompt, the served log-likelihood of each answer, softmax.
        const string prompt = "Question: How important is family in your life?\nChoices: A) Very important, B) Rather important, C) Not very important, D) Not at all important\nIn Japan, Answer:";
        string[] answers = [" A) Very important", " B) Rather important", " C) Not very important", " D) Not at all important"];
        var expected = Fake.Softmax(answers.Select(a => FakeEngine.Expected(prompt, a)).ToArray());
        var japan = rows.Where(r => r[1] == "JPN" && r[2] == "Q1").Select(r => double.Parse(r[4], CultureInfo.InvariantCulture)).ToArray();
        japan.Length.ShouldBe(4);
        for (var k = 0; k < 4; k++)
        {
            japan[k].ShouldBe(expected[k], 1e-9);
        }
    }

    [Fact]
    public void A_server_backend_without_an_endpoint_is_bad_usage()
    {
        var (code, _, error) = Cli("score", "--backend", "tgi", "--model", "x", "--continuation", " Yes");
        code.ShouldBe(2);
        error.ShouldContain("--endpoint");
    }
}
