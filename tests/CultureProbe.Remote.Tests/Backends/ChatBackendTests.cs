using System.Text.Json;
using System.Text.Json.Nodes;
using CultureProbe.Analysis;
using CultureProbe.Models;
using CultureProbe.Remote.Backends;
using CultureProbe.Remote.Tests.Fakes;
using CultureProbe.Remote.Transport;
using Shouldly;

namespace CultureProbe.Remote.Tests.Backends;

public sealed class ChatBackendTests
{
    private static readonly string[] Answers = [" A) Very important", " B) Rather important", " C) Not very important", " D) Not at all important"];

    private static ScoringRequest Request() => ScoringRequest.Single("Question: How important is family in your life?\nIn Japan, Answer:", Answers);

    /// <summary>An OpenAI chat completion with first-token top_logprobs (shape of the OpenAI chat API reference).</summary>
    private static JsonNode TopLogProbsReply(params (string Token, double LogProb)[] top) => new JsonObject
    {
        ["id"] = "chatcmpl-fake",
        ["object"] = "chat.completion",
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = top[0].Token },
            ["logprobs"] = new JsonObject
            {
                ["content"] = new JsonArray(new JsonObject
                {
                    ["token"] = top[0].Token,
                    ["logprob"] = top[0].LogProb,
                    ["bytes"] = new JsonArray(),
                    ["top_logprobs"] = new JsonArray(top.Select(t => (JsonNode)new JsonObject { ["token"] = t.Token, ["logprob"] = t.LogProb, ["bytes"] = null }).ToArray()),
                }),
            },
            ["finish_reason"] = "length",
        }),
        ["usage"] = new JsonObject { ["prompt_tokens"] = 30, ["completion_tokens"] = 1, ["total_tokens"] = 31 },
    };

    [Fact]
    public async Task Top_logprobs_give_option_probabilities_with_OpinionQA_imputation()
    {
        // A: 0.6 (as "A") + 0.05 (as " A"); B: 0.2; C, D absent; "The": 0.1. Listed mass 0.95, leftover 0.05,
        // least listed 0.05: C and D each get min(0.05, 0.05 / 2) = 0.025.
        var top = new[] { ("A", Math.Log(0.6)), ("B", Math.Log(0.2)), ("The", Math.Log(0.1)), (" A", Math.Log(0.05)) };
        await using var server = await FakeServer.StartAsync((_, _) => FakeReply.Json(TopLogProbsReply(top)));
        await using var model = RemoteModelFactory.Create(Fake.Options("chat-logprobs", server) with { TopLogProbs = 4 });

        var result = await model.ScoreAsync(Request());

        result.Method.ShouldBe(ScoringMethod.ChatTopLogProbs);
        var scores = result.Branches[0].Continuations;
        double[] expected = [0.65, 0.2, 0.025, 0.025];
        for (var k = 0; k < 4; k++)
        {
            scores[k].Sum.ShouldBe(Math.Log(expected[k]), 1e-12);
            scores[k].Tokens.ShouldBeEmpty();
        }
        scores[0].IsGreedy.ShouldBeTrue();
        var distribution = ModelDistribution.FromLogLikelihoods(scores.Select(s => new OptionLikelihood(s.Sum, 1, 1)).ToArray(), LikelihoodNormalization.None);
        var total = expected.Sum();
        for (var k = 0; k < 4; k++)
        {
            distribution[k].ShouldBe(expected[k] / total, 1e-9);
        }
        using var details = JsonDocument.Parse(result.Branches[0].Details!);
        details.RootElement.GetProperty("imputed_options").GetInt32().ShouldBe(2);
        details.RootElement.GetProperty("imputed_mass").GetDouble().ShouldBe(0.05, 1e-12);
        result.Engine.ShouldContain("imputed 2 option(s)");

        var (_, body, _) = server.Log.ShouldHaveSingleItem();
        body["logprobs"]!.GetValue<bool>().ShouldBeTrue();
        body["top_logprobs"]!.GetValue<int>().ShouldBe(4);
        body["max_tokens"]!.GetValue<int>().ShouldBe(1);
        body["messages"]![0]!["content"]!.GetValue<string>().ShouldBe(Request().Prefix);
        model.ScorerOptions.ShouldContain("top_logprobs=4");
    }

    [Fact]
    public void Imputation_takes_the_least_listed_probability_when_it_is_smaller()
    {
        // Listed: A 0.5, B 0.3, "I" 0.01 → leftover 0.19 over C and D = 0.095 each, but the least listed is 0.01.
        var top = new[] { ("A", Math.Log(0.5)), ("B", Math.Log(0.3)), ("I", Math.Log(0.01)) };
        var (scores, imputed, mass, _) = ChatTopLogProbsModel.Distribute(Answers, Answers.Select(ChatOption.Parse).ToArray(), top, 3);
        imputed.ShouldBe(2);
        mass.ShouldBe(0.02, 1e-12);
        scores[2].Sum.ShouldBe(Math.Log(0.01), 1e-12);
        scores[3].Sum.ShouldBe(Math.Log(0.01), 1e-12);
    }

    [Fact]
    public async Task No_option_among_the_top_tokens_is_an_error_not_a_uniform_guess()
    {
        await using var server = await FakeServer.StartAsync((_, _) => FakeReply.Json(TopLogProbsReply(("The", -0.1), ("I", -2.5))));
        await using var model = RemoteModelFactory.Create(Fake.Options("chat-logprobs", server));
        var error = await Should.ThrowAsync<RemoteResponseException>(() => model.ScoreAsync(Request()));
        error.Message.ShouldContain("none of the answer keys");
    }

    [Fact]
    public async Task Chat_logprobs_needs_lettered_answers()
    {
        await using var server = await FakeServer.StartAsync((_, _) => FakeReply.Json(TopLogProbsReply(("A", -0.1))));
        await using var model = RemoteModelFactory.Create(Fake.Options("chat-logprobs", server));
        await Should.ThrowAsync<InputException>(() => model.ScoreAsync(ScoringRequest.Single("Q:", [" Yes", " No"])));
    }

    private static JsonNode SampleReply(IEnumerable<string> texts) => new JsonObject
    {
        ["id"] = "chatcmpl-fake",
        ["object"] = "chat.completion",
        ["choices"] = new JsonArray(texts.Select((t, i) => (JsonNode)new JsonObject
        {
            ["index"] = i,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = t },
            ["finish_reason"] = "stop",
        }).ToArray()),
        ["usage"] = new JsonObject { ["prompt_tokens"] = 30, ["completion_tokens"] = 3 },
    };

    [Fact]
    public async Task Samples_are_parsed_by_letter_or_label_and_unparseable_ones_reported()
    {
        string[] replies = ["A", "A)", "(B)", "Answer: A", "Very important", "B) Rather important", "I cannot answer that.", "not very important.", "A lot depends", "**A**"];
        await using var server = await FakeServer.StartAsync((_, body) => FakeReply.Json(SampleReply(replies.Take(body["n"]!.GetValue<int>()))));
        await using var model = RemoteModelFactory.Create(Fake.Options("chat-sample", server) with { Samples = 10, Temperature = 0.7, Seed = 42 });

        var result = await model.ScoreAsync(Request());

        result.Method.ShouldBe(ScoringMethod.ChatSampling);
        model.IsSampled.ShouldBeTrue();
        // A: "A", "A)", "Answer: A", "Very important", "**A**" = 5; B: "(B)", "B) Rather important" = 2; C: "not very important." = 1; unparseable 2.
        double[] shares = [5 / 8.0, 2 / 8.0, 1 / 8.0, 0];
        var scores = result.Branches[0].Continuations;
        for (var k = 0; k < 3; k++)
        {
            scores[k].Sum.ShouldBe(Math.Log(shares[k]), 1e-12);
        }
        scores[3].Sum.ShouldBe(Math.Log(ChatModel.ProbabilityFloor), 1e-12);
        var distribution = ModelDistribution.FromLogLikelihoods(scores.Select(s => new OptionLikelihood(s.Sum, 1, 1)).ToArray(), LikelihoodNormalization.None);
        for (var k = 0; k < 4; k++)
        {
            distribution[k].ShouldBe(shares[k], 1e-9);
        }
        using var details = JsonDocument.Parse(result.Branches[0].Details!);
        details.RootElement.GetProperty("unparseable").GetInt32().ShouldBe(2);
        details.RootElement.GetProperty("seed").GetInt64().ShouldBe(42);
        details.RootElement.GetProperty("n").GetInt32().ShouldBe(10);
        result.Engine.ShouldContain("unparseable 2 of 10");

        var (_, body, _) = server.Log.ShouldHaveSingleItem();
        body["n"]!.GetValue<int>().ShouldBe(10);
        body["seed"]!.GetValue<long>().ShouldBe(42);
        body["temperature"]!.GetValue<double>().ShouldBe(0.7);
        model.ScorerOptions.ShouldContain("seed=42");
        model.ScorerOptions.ShouldContain("temperature=0.7");
        model.ScorerOptions.ShouldContain("n=10");
    }

    [Fact]
    public async Task Servers_without_n_get_one_request_per_sample_with_successive_seeds()
    {
        await using var server = await FakeServer.StartAsync((_, body) => FakeReply.Json(SampleReply(["B"])));
        await using var model = RemoteModelFactory.Create(Fake.Options("chat-sample", server) with { Samples = 5, SamplesPerRequest = 1, Seed = 7 });
        var result = await model.ScoreAsync(Request());
        server.Log.Select(l => l.Body["seed"]!.GetValue<long>()).Order().ShouldBe([7L, 8, 9, 10, 11]);
        result.Branches[0].Continuations[1].Sum.ShouldBe(0.0);
    }

    [Fact]
    public async Task Fewer_replies_than_asked_is_an_error()
    {
        await using var server = await FakeServer.StartAsync((_, _) => FakeReply.Json(SampleReply(["A"])));
        await using var model = RemoteModelFactory.Create(Fake.Options("chat-sample", server) with { Samples = 4 });
        (await Should.ThrowAsync<RemoteResponseException>(() => model.ScoreAsync(Request()))).Message.ShouldContain("samples per request to 1");
    }

    [Fact]
    public void Different_sampling_settings_give_different_scorer_options()
    {
        var endpoint = new Uri("http://127.0.0.1:9");
        string Options(long seed, double temperature, int n) =>
            RemoteModelFactory.Create(new RemoteModelOptions("chat-sample", [endpoint], "m") { Seed = seed, Temperature = temperature, Samples = n }).ScorerOptions;
        new[] { Options(1, 1, 20), Options(2, 1, 20), Options(1, 0.5, 20), Options(1, 1, 40) }.Distinct().Count().ShouldBe(4);
        RemoteModelFactory.Create(new RemoteModelOptions("vllm", [endpoint], "m")).ScorerOptions.ShouldBe("");
    }

    [Fact]
    public async Task The_identity_names_the_deployment_not_the_endpoints_so_a_fleet_can_change_between_runs()
    {
        IRemoteLanguageModel Create(params string[] urls) => RemoteModelFactory.Create(new RemoteModelOptions("vllm", urls.Select(u => new Uri(u)).ToArray(), "llama-70b"));
        await using var one = Create("http://gpu1:8000");
        await using var two = Create("http://gpu2:8000", "http://gpu1:8000");
        (one.Identity.Backend, one.Identity.Source, one.Identity.Name).ShouldBe((two.Identity.Backend, two.Identity.Source, two.Identity.Name));
        two.Identity.Properties["endpoints"].ShouldBe("http://gpu2:8000/ http://gpu1:8000/");
        await using var elsewhere = RemoteModelFactory.Create(new RemoteModelOptions("vllm", [new Uri("http://gpu1:8000")], "llama-70b") { Deployment = "other-cluster" });
        elsewhere.Identity.Source.ShouldBe("other-cluster");
    }

    [Theory]
    [InlineData("A", 0)]
    [InlineData(" B ", 1)]
    [InlineData("(C)", 2)]
    [InlineData("D.", 3)]
    [InlineData("Answer: B", 1)]
    [InlineData("The answer is (A)", 0)]
    [InlineData("C) Not very important", 2)]
    [InlineData("not at all important", 3)]
    [InlineData("Rather important.", 1)]
    [InlineData("A lot", -1)]
    [InlineData("I think so", -1)]
    [InlineData("", -1)]
    [InlineData("E", -1)]
    public void Replies_are_read_by_key_or_label(string reply, int option)
    {
        ChatAnswers.Parse(reply, Answers.Select(ChatOption.Parse).ToArray()).ShouldBe(option);
    }
}
