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
    private static readonly AnswerChoice[] Answers =
    [
        new("A", "Very important", " A) Very important"),
        new("B", "Rather important", " B) Rather important"),
        new("C", "Not very important", " C) Not very important"),
        new("D", "Not at all important", " D) Not at all important"),
    ];

    private static OptionRequest Request() => new("Question: How important is family in your life?\nIn Japan, Answer:", [new OptionBranch("", Answers)]);

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
        await using var model = Fake.OpenShares(Fake.Options("chat-logprobs", server) with { TopLogProbs = 4 });

        var result = await model.MeasureSharesAsync(Request());

        model.Method.ShouldBe(ScoringMethod.ChatTopLogProbs);
        var shares = result.Branches[0].Shares;
        double[] expected = [0.65, 0.2, 0.025, 0.025];
        shares.ShouldBe(expected, 1e-12);
        var distribution = ModelDistribution.FromShares(shares);
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
        model.Fingerprint.ToDictionary()["top_logprobs"].ShouldBe("4");
    }

    [Fact]
    public void Imputation_takes_the_least_listed_probability_when_it_is_smaller()
    {
        // Listed: A 0.5, B 0.3, "I" 0.01 → leftover 0.19 over C and D = 0.095 each, but the least listed is 0.01.
        var top = new[] { ("A", Math.Log(0.5)), ("B", Math.Log(0.3)), ("I", Math.Log(0.01)) };
        var (shares, imputed, mass, _) = ChatTopLogProbsModel.Distribute(Answers, top, 3);
        imputed.ShouldBe(2);
        mass.ShouldBe(0.02, 1e-12);
        shares[2].ShouldBe(0.01, 1e-12);
        shares[3].ShouldBe(0.01, 1e-12);
    }

    [Fact]
    public async Task No_option_among_the_top_tokens_is_an_error_not_a_uniform_guess()
    {
        await using var server = await FakeServer.StartAsync((_, _) => FakeReply.Json(TopLogProbsReply(("The", -0.1), ("I", -2.5))));
        await using var model = Fake.OpenShares(Fake.Options("chat-logprobs", server));
        var error = await Should.ThrowAsync<RemoteResponseException>(() => model.MeasureSharesAsync(Request()));
        error.Message.ShouldContain("none of the answer keys");
    }

    [Fact]
    public async Task Chat_logprobs_needs_lettered_answers()
    {
        await using var server = await FakeServer.StartAsync((_, _) => FakeReply.Json(TopLogProbsReply(("A", -0.1))));
        await using var model = Fake.OpenShares(Fake.Options("chat-logprobs", server));
        await Should.ThrowAsync<InputException>(() => model.MeasureSharesAsync(OptionRequest.Single("Q:", [" Yes", " No"])));
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
        await using var model = Fake.OpenShares(Fake.Options("chat-sample", server) with { Samples = 10, Temperature = 0.7, Seed = 42 });

        var result = await model.MeasureSharesAsync(Request());

        model.Method.ShouldBe(ScoringMethod.ChatSampling);
        // A: "A", "A)", "Answer: A", "Very important", "**A**" = 5; B: "(B)", "B) Rather important" = 2; C: "not very important." = 1; unparseable 2.
        double[] shares = [5 / 8.0, 2 / 8.0, 1 / 8.0, 0];
        result.Branches[0].Shares.ShouldBe(shares);
        ModelDistribution.FromShares(result.Branches[0].Shares).ShouldBe(shares);
        using var details = JsonDocument.Parse(result.Branches[0].Details!);
        details.RootElement.GetProperty("unparseable").GetInt32().ShouldBe(2);
        details.RootElement.GetProperty("seed").GetInt64().ShouldBe(42);
        details.RootElement.GetProperty("n").GetInt32().ShouldBe(10);
        result.Engine.ShouldContain("unparseable 2 of 10");

        var (_, body, _) = server.Log.ShouldHaveSingleItem();
        body["n"]!.GetValue<int>().ShouldBe(10);
        body["seed"]!.GetValue<long>().ShouldBe(42);
        body["temperature"]!.GetValue<double>().ShouldBe(0.7);
        var fingerprint = model.Fingerprint.ToDictionary();
        (fingerprint["seed"], fingerprint["temperature"], fingerprint["samples"]).ShouldBe(("42", "0.7", "10"));
    }

    [Fact]
    public async Task Servers_without_n_get_one_request_per_sample_with_successive_seeds()
    {
        await using var server = await FakeServer.StartAsync((_, body) => FakeReply.Json(SampleReply(["B"])));
        await using var model = Fake.OpenShares(Fake.Options("chat-sample", server) with { Samples = 5, SamplesPerRequest = 1, Seed = 7 });
        var result = await model.MeasureSharesAsync(Request());
        server.Log.Select(l => l.Body["seed"]!.GetValue<long>()).Order().ShouldBe([7L, 8, 9, 10, 11]);
        result.Branches[0].Shares[1].ShouldBe(1.0);
    }

    [Fact]
    public async Task Fewer_replies_than_asked_is_an_error()
    {
        await using var server = await FakeServer.StartAsync((_, _) => FakeReply.Json(SampleReply(["A"])));
        await using var model = Fake.OpenShares(Fake.Options("chat-sample", server) with { Samples = 4 });
        (await Should.ThrowAsync<RemoteResponseException>(() => model.MeasureSharesAsync(Request()))).Message.ShouldContain("samples per request to 1");
    }

    [Fact]
    public async Task Every_sampling_setting_and_the_system_prompt_are_in_the_fingerprint_and_nothing_else_is()
    {
        var endpoint = new Uri("http://127.0.0.1:9");
        async Task<string> Fingerprint(RemoteModelOptions options)
        {
            await using var model = RemoteBackends.Open(options with { Endpoints = [endpoint], Model = "m" });
            return model.Fingerprint.Sha256;
        }
        var sample = new RemoteModelOptions { Backend = "chat-sample" };
        string[] different =
        [
            await Fingerprint(sample),
            await Fingerprint(sample with { Seed = 2 }),
            await Fingerprint(sample with { Temperature = 0.5 }),
            await Fingerprint(sample with { Samples = 40 }),
            await Fingerprint(sample with { SamplesPerRequest = 1 }),
            await Fingerprint(sample with { MaxAnswerTokens = 4 }),
            await Fingerprint(sample with { SystemPrompt = "Answer with a letter." }),
            await Fingerprint(sample with { Backend = "chat-logprobs" }),
            await Fingerprint(sample with { Backend = "chat-logprobs", TopLogProbs = 5 }),
        ];
        different.Distinct().Count().ShouldBe(different.Length);
        // Settings that only change how the work is spread do not change the numbers, so they are not in it.
        (await Fingerprint(sample with { MaxInFlight = 64, Retries = 1, Timeout = TimeSpan.FromSeconds(5) })).ShouldBe(await Fingerprint(sample));
        (await Fingerprint(new RemoteModelOptions { Backend = "vllm", PromptsPerRequest = 1 })).ShouldBe(await Fingerprint(new RemoteModelOptions { Backend = "vllm", PromptsPerRequest = 32 }));
    }

    [Fact]
    public async Task A_deployment_name_stands_for_its_servers_and_without_one_the_servers_themselves_do()
    {
        IRemoteModel Open(string? deployment, params string[] urls) =>
            RemoteBackends.Open(new RemoteModelOptions { Backend = "vllm", Endpoints = urls.Select(u => new Uri(u)).ToArray(), Model = "llama-70b", Deployment = deployment });
        await using var one = Open(null, "http://gpu1:8000");
        await using var two = Open(null, "http://gpu2:8000", "http://gpu1:8000");
        await using var twoReordered = Open(null, "http://gpu1:8000", "http://gpu2:8000");
        one.Fingerprint.Sha256.ShouldNotBe(two.Fingerprint.Sha256, "other servers may serve other weights");
        two.Fingerprint.Sha256.ShouldBe(twoReordered.Fingerprint.Sha256, "the order of the endpoints does not matter");

        await using var fleetA = Open("lab-q8", "http://gpu1:8000");
        await using var fleetB = Open("lab-q8", "http://gpu2:8000", "http://gpu3:8000");
        await using var other = Open("lab-fp16", "http://gpu1:8000");
        fleetA.Fingerprint.Sha256.ShouldBe(fleetB.Fingerprint.Sha256, "one deployment may grow or shrink between reruns");
        fleetA.Fingerprint.Sha256.ShouldNotBe(other.Fingerprint.Sha256);
        two.Identity.Properties["endpoints"].ShouldBe("http://gpu2:8000/ http://gpu1:8000/");
        fleetA.Fingerprint.ToDictionary()["deployment"].ShouldBe("lab-q8");
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
        ChatAnswers.Parse(reply, Answers).ShouldBe(option);
    }
}
