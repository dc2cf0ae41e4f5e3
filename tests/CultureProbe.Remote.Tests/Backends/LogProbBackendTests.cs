using CultureProbe.Analysis;
using CultureProbe.Models;
using CultureProbe.Remote.Tests.Fakes;
using CultureProbe.Remote.Transport;
using Shouldly;

namespace CultureProbe.Remote.Tests.Backends;

public sealed class LogProbBackendTests
{
    public static TheoryData<string> Backends => new(Fake.LogProbBackends);

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Distributions_equal_the_arithmetic_on_the_served_log_probs(string backend)
    {
        await using var server = await FakeServer.StartAsync((_, body) => FakeReply.Json(FakeEngine.Reply(backend, body)));
        await using var model = Fake.OpenLogProbs(Fake.Options(backend, server));
        var request = Fake.Request();

        var result = await model.ScoreAsync(request);

        model.Method.ShouldBe(ScoringMethod.LogLikelihoodPromptLogProbs);
        model.Identity.Backend.ShouldBe(backend);
        result.Branches.Count.ShouldBe(2);
        for (var b = 0; b < 2; b++)
        {
            var context = request.Prefix + request.Branches[b].Suffix;
            var expected = request.Branches[b].Texts().Select(c => FakeEngine.Expected(context, c)).ToArray();
            var scores = result.Branches[b];
            for (var k = 0; k < expected.Length; k++)
            {
                scores[k].Sum.ShouldBe(expected[k], 1e-9);
                scores[k].TokenCount.ShouldBe(FakeEngine.Tokenize(request.Branches[b].Choices[k].Text).Count);
                scores[k].Text.ShouldBe(request.Branches[b].Choices[k].Text);
            }
            var distribution = ModelDistribution.FromLogLikelihoods(scores.Select(s => new OptionLikelihood(s.Sum, s.TokenCount, 10)).ToArray(), LikelihoodNormalization.None);
            var plain = Fake.Softmax(expected);
            for (var k = 0; k < plain.Length; k++)
            {
                distribution[k].ShouldBe(plain[k], 1e-9);
            }
        }
        model.Usage.Requests.ShouldBe(server.Requests);
        model.Usage.Retries.ShouldBe(0);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Greedy_flags_follow_the_servers_ranks_where_it_gives_them(string backend)
    {
        await using var server = await FakeServer.StartAsync((_, body) => FakeReply.Json(FakeEngine.Reply(backend, body)));
        await using var model = Fake.OpenLogProbs(Fake.Options(backend, server));
        var result = await model.ScoreAsync(Fake.Request());
        var tokens = result.Branches.SelectMany(b => b).SelectMany(c => c.Tokens).ToArray();
        if (backend == "tgi")
        {
            tokens.ShouldAllBe(t => !t.IsGreedy, "TGI's prefill carries no ranks");
        }
        else
        {
            tokens.ShouldAllBe(t => t.IsGreedy == FakeEngine.Greedy(t.LogProb));
            tokens.ShouldContain(t => t.IsGreedy);
            tokens.ShouldContain(t => !t.IsGreedy);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Prompts_are_batched_where_the_server_takes_arrays(string backend)
    {
        await using var server = await FakeServer.StartAsync((_, body) => FakeReply.Json(FakeEngine.Reply(backend, body)));
        await using var model = Fake.OpenLogProbs(Fake.Options(backend, server) with { PromptsPerRequest = 4 });
        await model.ScoreAsync(Fake.Request());
        server.Requests.ShouldBe(backend == "tgi" ? 6 : 2, "six prompts, four per request where arrays are accepted");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Truncated_log_prob_arrays_are_rejected_never_scored(string backend)
    {
        await using var server = await FakeServer.StartAsync((_, body) => FakeReply.Json(FakeEngine.Truncate(backend, FakeEngine.Reply(backend, body))));
        await using var model = Fake.OpenLogProbs(Fake.Options(backend, server) with { Retries = 2 });
        var error = await Should.ThrowAsync<RemoteResponseException>(() => model.ScoreAsync(Fake.Request()));
        error.Message.ShouldContain(server.Uri.Authority);
        model.Usage.Retries.ShouldBe(0, "a response in the wrong shape would come back the same");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Misaligned_tokens_are_rejected_with_a_clear_error(string backend)
    {
        await using var server = await FakeServer.StartAsync((_, body) => FakeReply.Json(FakeEngine.Misalign(backend, FakeEngine.Reply(backend, body))));
        await using var model = Fake.OpenLogProbs(Fake.Options(backend, server) with { Retries = 0 });
        var error = await Should.ThrowAsync<RemoteResponseException>(() => model.ScoreAsync(Fake.Request()));
        error.Message.ShouldContain("line up");
    }

    [Fact]
    public async Task An_echoed_BOS_token_shifting_every_offset_is_skipped()
    {
        // vLLM echoes Llama's BOS as "<s>" and counts offsets over the token texts, so every prompt offset is 3 too far.
        await using var server = await FakeServer.StartAsync((_, body) =>
        {
            var reply = FakeEngine.OpenAIEcho(body);
            foreach (var choice in reply["choices"]!.AsArray())
            {
                var logprobs = choice!["logprobs"]!;
                var offsets = logprobs["text_offset"]!.AsArray();
                for (var i = 0; i < offsets.Count; i++)
                {
                    offsets[i] = offsets[i]!.GetValue<int>() + 3;
                }
                offsets.Insert(0, 0);
                logprobs["tokens"]!.AsArray().Insert(0, "<s>");
                logprobs["token_logprobs"]!.AsArray().Insert(0, null);
                logprobs["top_logprobs"]!.AsArray().Insert(0, null);
                // The first text token now has a log-prob, given the BOS.
                logprobs["token_logprobs"]![1] = -2.5;
            }
            return FakeReply.Json(reply);
        });
        await using var model = Fake.OpenLogProbs(Fake.Options("openai-completions", server));
        var request = Fake.Request();
        var result = await model.ScoreAsync(request);
        result.Branches[1][2].Sum.ShouldBe(FakeEngine.Expected(request.Prefix + request.Branches[1].Suffix, request.Branches[1].Choices[2].Text), 1e-9);
    }

    [Fact]
    public async Task A_generated_end_of_text_token_with_no_text_is_not_taken_for_a_prompt_token()
    {
        await using var server = await FakeServer.StartAsync((_, body) =>
        {
            var reply = FakeEngine.OpenAIEcho(body);
            foreach (var choice in reply["choices"]!.AsArray())
            {
                choice!["text"] = choice["text"]!.GetValue<string>()[..^2];
                var tokens = choice["logprobs"]!["tokens"]!.AsArray();
                tokens[tokens.Count - 1] = "</s>";
            }
            return FakeReply.Json(reply);
        });
        await using var model = Fake.OpenLogProbs(Fake.Options("openai-completions", server));
        var request = Fake.Request();
        var result = await model.ScoreAsync(request);
        result.Branches[0][0].Sum.ShouldBe(FakeEngine.Expected(request.Prefix + request.Branches[0].Suffix, request.Branches[0].Choices[0].Text), 1e-9);
    }

    [Fact]
    public async Task Vllm_picks_the_prompt_token_by_its_text_when_more_tokens_are_listed()
    {
        // A server listing two alternatives at every position, the prompt token sometimes rank 1: the text decides, not the rank.
        await using var server = await FakeServer.StartAsync((_, body) =>
        {
            var reply = FakeEngine.VllmPromptLogProbs(body);
            foreach (var choice in reply["choices"]!.AsArray())
            {
                foreach (var position in choice!["prompt_logprobs"]!.AsArray().Skip(1))
                {
                    position!["8"] = new System.Text.Json.Nodes.JsonObject { ["logprob"] = -9.0, ["rank"] = 40, ["decoded_token"] = "¤" };
                }
            }
            return FakeReply.Json(reply);
        });
        await using var model = Fake.OpenLogProbs(Fake.Options("vllm", server));
        var request = Fake.Request();
        var result = await model.ScoreAsync(request);
        for (var k = 0; k < 3; k++)
        {
            result.Branches[0][k].Sum.ShouldBe(FakeEngine.Expected(request.Prefix + request.Branches[0].Suffix, request.Branches[0].Choices[k].Text), 1e-9);
        }
    }

    [Fact]
    public async Task Vllm_uses_prompt_token_ids_when_the_server_returns_them()
    {
        await using var server = await FakeServer.StartAsync((_, body) =>
        {
            var reply = FakeEngine.VllmPromptLogProbs(body);
            var prompts = body["prompt"]!.AsArray();
            foreach (var choice in reply["choices"]!.AsArray())
            {
                var prompt = prompts[choice!["index"]!.GetValue<int>()]!.GetValue<string>();
                choice["prompt_token_ids"] = new System.Text.Json.Nodes.JsonArray(FakeEngine.Tokenize(prompt).Select(t => (System.Text.Json.Nodes.JsonNode)FakeEngine.Id(t)).ToArray());
            }
            return FakeReply.Json(reply);
        });
        await using var model = Fake.OpenLogProbs(Fake.Options("vllm", server));
        var request = Fake.Request();
        var result = await model.ScoreAsync(request);
        var score = result.Branches[1][0];
        score.Sum.ShouldBe(FakeEngine.Expected(request.Prefix + request.Branches[1].Suffix, request.Branches[1].Choices[0].Text), 1e-9);
        score.Tokens.Select(t => t.Id).ShouldBe(FakeEngine.Tokenize(request.Branches[1].Choices[0].Text).Select(FakeEngine.Id));
    }

    [Fact]
    public async Task An_echo_that_differs_from_the_prompt_is_rejected()
    {
        await using var server = await FakeServer.StartAsync((_, body) =>
        {
            var reply = FakeEngine.OpenAIEcho(body);
            reply["choices"]![0]!["text"] = "something else";
            return FakeReply.Json(reply);
        });
        await using var model = Fake.OpenLogProbs(Fake.Options("openai-completions", server) with { Retries = 0 });
        var error = await Should.ThrowAsync<RemoteResponseException>(() => model.ScoreAsync(Fake.Request()));
        error.Message.ShouldContain("echoed text does not start with the prompt");
    }

    [Fact]
    public async Task Unequal_arrays_are_rejected()
    {
        await using var server = await FakeServer.StartAsync((_, body) =>
        {
            var reply = FakeEngine.OpenAIEcho(body);
            reply["choices"]![0]!["logprobs"]!["token_logprobs"]!.AsArray().RemoveAt(0);
            return FakeReply.Json(reply);
        });
        await using var model = Fake.OpenLogProbs(Fake.Options("openai-completions", server) with { Retries = 0 });
        var error = await Should.ThrowAsync<RemoteResponseException>(() => model.ScoreAsync(Fake.Request()));
        error.Message.ShouldContain("unequal length");
    }

    [Fact]
    public async Task The_request_carries_echo_logprobs_and_a_prompt_array()
    {
        await using var server = await FakeServer.StartAsync((_, body) => FakeReply.Json(FakeEngine.OpenAIEcho(body)));
        await using var model = Fake.OpenLogProbs(Fake.Options("openai-completions", server) with { PromptsPerRequest = 6 });
        await model.ScoreAsync(Fake.Request());
        var (path, body, _) = server.Log.ShouldHaveSingleItem();
        path.ShouldBe("/v1/completions");
        body["echo"]!.GetValue<bool>().ShouldBeTrue();
        body["logprobs"]!.GetValue<int>().ShouldBe(1);
        body["max_tokens"]!.GetValue<int>().ShouldBe(1);
        body["prompt"]!.AsArray().Count.ShouldBe(6);
        body["model"]!.GetValue<string>().ShouldBe("fake-7b");
    }

    [Fact]
    public async Task An_empty_context_is_bad_input()
    {
        await using var server = await FakeServer.StartAsync((_, body) => FakeReply.Json(FakeEngine.OpenAIEcho(body)));
        await using var model = Fake.OpenLogProbs(Fake.Options("openai-completions", server));
        await Should.ThrowAsync<InputException>(() => model.ScoreAsync(OptionRequest.Single("", ["A"])));
    }
}
