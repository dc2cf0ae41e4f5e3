using System.Text.Json;
using System.Text.Json.Nodes;
using CultureProbe.Models;
using CultureProbe.Remote.Tests.Fakes;
using Shouldly;

namespace CultureProbe.Remote.Tests.Backends;

/// <summary>
/// Each backend against a response written in its server's documented shape (Fixtures/README.md cites the
/// documentation). The expected numbers are read from the fixture itself: the continuation " Very important"
/// is the prompt's last two tokens.
/// </summary>
public sealed class FixtureTests
{
    private const string Context = "Is family important?\nAnswer:";
    private const string Continuation = " Very important";

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    private static async Task<LikelihoodResult> Serve(string backend, string fixture)
    {
        var text = Fixture(fixture);
        await using var server = await FakeServer.StartAsync((_, _) => new FakeReply(200, text));
        await using var model = Fake.OpenLogProbs(Fake.Options(backend, server) with { Retries = 0 });
        return await model.ScoreAsync(OptionRequest.Single(Context, [Continuation]));
    }

    private static async Task<ShareResult> ServeChat(string backend, string fixture, Func<RemoteModelOptions, RemoteModelOptions> configure)
    {
        var text = Fixture(fixture);
        await using var server = await FakeServer.StartAsync((_, _) => new FakeReply(200, text));
        await using var model = Fake.OpenShares(configure(Fake.Options(backend, server) with { Retries = 0 }));
        return await model.MeasureSharesAsync(new OptionRequest("Question: ...\nAnswer:", [new OptionBranch("", Fake.Choices(" A) Very important", " B) Rather important", " C) Not very important", " D) Not at all important"))]));
    }

    [Theory]
    [InlineData("openai-completions", "openai-completions-echo.json")]
    [InlineData("vllm", "vllm-prompt-logprobs.json")]
    [InlineData("tgi", "tgi-generate-details.json")]
    [InlineData("sglang", "sglang-generate-logprob.json")]
    public async Task The_continuation_is_the_sum_of_its_served_token_log_probs(string backend, string fixture)
    {
        var json = JsonNode.Parse(Fixture(fixture))!;
        double[] served = backend switch
        {
            "openai-completions" => [.. json["choices"]![0]!["logprobs"]!["token_logprobs"]!.AsArray().Skip(7).Take(2).Select(n => n!.GetValue<double>())],
            "vllm" => [.. json["choices"]![0]!["prompt_logprobs"]!.AsArray().TakeLast(2).Select(p => p!.AsObject().First(e => e.Value!["rank"]!.GetValue<int>() != 1).Value!["logprob"]!.GetValue<double>())],
            "tgi" => [.. json["details"]!["prefill"]!.AsArray().TakeLast(2).Select(t => t!["logprob"]!.GetValue<double>())],
            _ => [.. json[0]!["meta_info"]!["input_token_logprobs"]!.AsArray().TakeLast(2).Select(t => t![0]!.GetValue<double>())],
        };

        var result = await Serve(backend, fixture);

        var score = result.Branches[0].ShouldHaveSingleItem();
        score.Tokens.Select(t => t.Piece).ShouldBe([" Very", " important"]);
        score.Sum.ShouldBe(served.Sum(), 1e-12);
        score.Sum.ShouldBe(-5.125, 1e-12);
        score.IsGreedy.ShouldBeFalse();
    }

    [Fact]
    public async Task Chat_top_logprobs_fixture()
    {
        var result = await ServeChat("chat-logprobs", "openai-chat-top-logprobs.json", o => o with { TopLogProbs = 5 });
        var listed = new[] { -0.5, -1.25, -3.0, -3.5, -4.0 }.Sum(Math.Exp);
        double[] expected = [Math.Exp(-1.25), Math.Exp(-0.5) + Math.Exp(-4.0), Math.Exp(-3.0), Math.Min(Math.Exp(-4.0), 1 - listed)];
        result.Branches[0].Shares.ShouldBe(expected, 1e-12);
        using var details = JsonDocument.Parse(result.Branches[0].Details!);
        details.RootElement.GetProperty("imputed_options").GetInt32().ShouldBe(1);
        details.RootElement.GetProperty("imputed_mass").GetDouble().ShouldBe(1 - listed, 1e-12);
    }

    [Fact]
    public async Task Chat_samples_fixture()
    {
        var result = await ServeChat("chat-sample", "openai-chat-samples.json", o => o with { Samples = 5 });
        result.Branches[0].Shares[0].ShouldBe(0.25, 1e-12);
        result.Branches[0].Shares[1].ShouldBe(0.75, 1e-12);
        using var details = JsonDocument.Parse(result.Branches[0].Details!);
        details.RootElement.GetProperty("unparseable").GetInt32().ShouldBe(1);
        details.RootElement.GetProperty("parsed").GetInt32().ShouldBe(4);
    }

    public static TheoryData<string, string, int> GenerationFixtures => new()
    {
        { "openai-completions", "openai-completions-text.json", 2 },
        { "vllm", "openai-completions-text.json", 2 },
        { "chat-sample", "openai-chat-text.json", 2 },
        { "tgi", "tgi-generate-text.json", 1 },
        { "sglang", "sglang-generate-text.json", 2 },
        { "ollama", "ollama-chat.json", 1 },
    };

    [Theory]
    [MemberData(nameof(GenerationFixtures))]
    public async Task Generated_text_fixtures(string backend, string fixture, int samples)
    {
        var text = Fixture(fixture);
        await using var server = await FakeServer.StartAsync((_, _) => new FakeReply(200, text));
        await using var model = (IRemoteModel)RemoteBackends.Open(Fake.Options(backend, server) with { Retries = 0 });

        var result = await ((ITextGenerator)model).GenerateAsync(
            new GenerationRequest("What do people in Japan value most?", samples, new GenerationSettings(Seed: 40, MaxTokens: 16)), TestContext.Current.CancellationToken);

        (string, int, string)[] expected = fixture switch
        {
            // Choices listed out of order come back by index; token counts are per request, so none per choice.
            "openai-completions-text.json" => [(" Most people would name their family first, then work and", 0, "length"), (" Family and harmony with others, in that order.", 0, "stop")],
            "openai-chat-text.json" => [("Family comes first for most people in Japan.", 0, "stop"), ("Harmony, family and hard work are the values most", 0, "length")],
            "tgi-generate-text.json" => [(" Family, above all.", 6, "stop")],
            "sglang-generate-text.json" => [(" Family, then community.", 6, "stop"), (" Respect for elders and a", 5, "length")],
            _ => [("Family and social harmony.", 7, "stop")],
        };
        result.Samples.Select(s => (s.Text, s.Tokens, s.FinishReason)).ShouldBe(expected);
        var json = JsonNode.Parse(text)!;
        (long Prompt, long Completion) usage = fixture switch
        {
            "tgi-generate-text.json" => (0, 6),
            "sglang-generate-text.json" => (26, 11),
            "ollama-chat.json" => (26, 7),
            _ => (json["usage"]!["prompt_tokens"]!.GetValue<long>(), json["usage"]!["completion_tokens"]!.GetValue<long>()),
        };
        (model.Usage.PromptTokens, model.Usage.CompletionTokens).ShouldBe(usage);
    }
}
