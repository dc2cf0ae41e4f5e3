using System.Text.Json.Nodes;
using CultureProbe.Models;
using CultureProbe.Remote.Tests.Fakes;
using CultureProbe.Remote.Transport;
using Shouldly;

namespace CultureProbe.Remote.Tests.Backends;

/// <summary>Text generation through every remote backend, against fake servers answering in each server's documented shape.</summary>
public sealed class GenerationBackendTests
{
    private const string Prompt = "In one sentence: what do people in Japan value most?";

    public static TheoryData<string> Backends => ["openai-completions", "vllm", "tgi", "sglang", "chat-sample", "chat-logprobs", "ollama"];

    /// <summary>Backends that take several samples in one request (<c>n</c>, or SGLang's text list).</summary>
    public static TheoryData<string> BatchingBackends => ["openai-completions", "vllm", "sglang", "chat-sample", "chat-logprobs"];

    private static readonly GenerationSettings Settings = new(Temperature: 0.7, TopP: 0.9, Seed: 40, MaxTokens: 32, Stop: ["\n\n", "Question:"]);

    private static ITextGenerator Open(RemoteModelOptions options) => (ITextGenerator)RemoteBackends.Open(options);

    private static Task<FakeServer> Serve() => FakeServer.StartAsync((path, body) => FakeReply.Json(FakeGeneration.Reply(path, body)));

    private static string PathOf(string backend) => backend switch
    {
        "openai-completions" or "vllm" => "/v1/completions",
        "chat-sample" or "chat-logprobs" => "/v1/chat/completions",
        "ollama" => "/api/chat",
        _ => "/generate",
    };

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task One_request_per_sample_sends_seed_plus_j_and_replies_come_back_in_sample_order(string backend)
    {
        await using var server = await Serve();
        await using var model = Open(Fake.Options(backend, server) with { SamplesPerRequest = 1 });

        var result = await model.GenerateAsync(new GenerationRequest(Prompt, 5, Settings), TestContext.Current.CancellationToken);

        result.Samples.Select(s => s.Text).ShouldBe([.. Enumerable.Range(40, 5).Select(seed => FakeGeneration.Text(seed))]);
        server.Requests.ShouldBe(5);
        server.Log.ShouldAllBe(l => l.Path == PathOf(backend));
        var seeds = server.Log.Select(l => backend switch
        {
            "tgi" => l.Body["parameters"]!["seed"]!.GetValue<long>(),
            "sglang" => l.Body["sampling_params"]![0]!["sampling_seed"]!.GetValue<long>(),
            "ollama" => l.Body["options"]!["seed"]!.GetValue<long>(),
            _ => l.Body["seed"]!.GetValue<long>(),
        });
        seeds.Order().ShouldBe([40L, 41, 42, 43, 44]);
        result.Engine.ShouldContain(PathOf(backend));
        result.Engine.ShouldContain(Settings.ToString());
        result.Samples.ShouldAllBe(s => s.FinishReason == "stop" || s.FinishReason == "length");
        ((IRemoteModel)model).Usage.Requests.ShouldBe(5);
    }

    [Theory]
    [MemberData(nameof(BatchingBackends))]
    public async Task Samples_go_together_up_to_samples_per_request_and_each_request_is_seeded_by_its_first_sample(string backend)
    {
        await using var server = await Serve();
        await using var model = Open(Fake.Options(backend, server) with { SamplesPerRequest = 2 });

        var result = await model.GenerateAsync(new GenerationRequest(Prompt, 5, Settings), TestContext.Current.CancellationToken);

        server.Requests.ShouldBe(3);
        if (backend == "sglang")
        {
            // Every copy of the prompt carries its own seed, so sample j is seeded seed + j exactly.
            result.Samples.Select(s => s.Text).ShouldBe([.. Enumerable.Range(40, 5).Select(seed => FakeGeneration.Text(seed))]);
            server.Log.SelectMany(l => l.Body["sampling_params"]!.AsArray().Select(p => p!["sampling_seed"]!.GetValue<long>())).Order()
                .ShouldBe([40L, 41, 42, 43, 44]);
            server.Log.Select(l => l.Body["text"]!.AsArray().Count).Order().ShouldBe([1, 2, 2]);
        }
        else
        {
            // n = 2, 2, 1 with seeds 40, 42, 44; the server's choices (listed in reverse) are put back in index order.
            result.Samples.Select(s => s.Text).ShouldBe([
                FakeGeneration.Text(40, 0), FakeGeneration.Text(40, 1), FakeGeneration.Text(42, 0), FakeGeneration.Text(42, 1), FakeGeneration.Text(44, 0)]);
            result.Samples.Select(s => s.FinishReason).ShouldBe(["length", "stop", "length", "stop", "length"]);
            server.Log.Select(l => (l.Body["seed"]!.GetValue<long>(), l.Body["n"]!.GetValue<int>())).Order().ShouldBe([(40L, 2), (42L, 2), (44L, 1)]);
            // Token counts are per request, so a choice among several has none of its own.
            result.Samples[4].Tokens.ShouldBe(4);
            result.Samples[0].Tokens.ShouldBe(0);
        }
    }

    [Theory]
    [InlineData("openai-completions")]
    [InlineData("chat-sample")]
    public async Task Without_samples_per_request_every_sample_goes_in_one_request(string backend)
    {
        await using var server = await Serve();
        await using var model = Open(Fake.Options(backend, server));

        var result = await model.GenerateAsync(new GenerationRequest(Prompt, 4, Settings), TestContext.Current.CancellationToken);

        var (_, body, _) = server.Log.ShouldHaveSingleItem();
        body["n"]!.GetValue<int>().ShouldBe(4);
        body["seed"]!.GetValue<long>().ShouldBe(40);
        result.Samples.Select(s => s.Text).ShouldBe([.. Enumerable.Range(0, 4).Select(i => FakeGeneration.Text(40, i))]);
        var usage = ((IRemoteModel)model).Usage;
        (usage.PromptTokens, usage.CompletionTokens).ShouldBe((11L, 16L));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Request_bodies_carry_the_sampling_settings_in_each_servers_fields(string backend)
    {
        await using var server = await Serve();
        await using var model = Open(Fake.Options(backend, server) with { SamplesPerRequest = 1, SystemPrompt = "Answer briefly." });

        await model.GenerateAsync(new GenerationRequest(Prompt, 1, Settings), TestContext.Current.CancellationToken);

        var body = server.Log.ShouldHaveSingleItem().Body;
        string[] stops = ["\n\n", "Question:"];
        static string[] Strings(JsonNode? node) => [.. node!.AsArray().Select(s => s!.GetValue<string>())];
        switch (backend)
        {
            case "openai-completions" or "vllm":
                body["model"]!.GetValue<string>().ShouldBe("fake-7b");
                body["prompt"]!.GetValue<string>().ShouldBe(Prompt);
                (body["n"]!.GetValue<int>(), body["temperature"]!.GetValue<double>(), body["top_p"]!.GetValue<double>(), body["max_tokens"]!.GetValue<int>())
                    .ShouldBe((1, 0.7, 0.9, 32));
                Strings(body["stop"]).ShouldBe(stops);
                body["echo"].ShouldBeNull();
                body["logprobs"].ShouldBeNull();
                break;
            case "chat-sample" or "chat-logprobs":
                var messages = body["messages"]!.AsArray();
                (messages[0]!["role"]!.GetValue<string>(), messages[0]!["content"]!.GetValue<string>()).ShouldBe(("system", "Answer briefly."));
                (messages[1]!["role"]!.GetValue<string>(), messages[1]!["content"]!.GetValue<string>()).ShouldBe(("user", Prompt));
                (body["n"]!.GetValue<int>(), body["temperature"]!.GetValue<double>(), body["top_p"]!.GetValue<double>(), body["max_tokens"]!.GetValue<int>())
                    .ShouldBe((1, 0.7, 0.9, 32));
                Strings(body["stop"]).ShouldBe(stops);
                body["logprobs"].ShouldBeNull();
                break;
            case "tgi":
                body["inputs"]!.GetValue<string>().ShouldBe(Prompt);
                var parameters = body["parameters"]!;
                (parameters["do_sample"]!.GetValue<bool>(), parameters["temperature"]!.GetValue<double>(), parameters["top_p"]!.GetValue<double>(), parameters["max_new_tokens"]!.GetValue<int>())
                    .ShouldBe((true, 0.7, 0.9, 32));
                Strings(parameters["stop"]).ShouldBe(stops);
                parameters["details"]!.GetValue<bool>().ShouldBeTrue();
                parameters["decoder_input_details"].ShouldBeNull();
                break;
            case "sglang":
                Strings(body["text"]).ShouldBe([Prompt]);
                var sampling = body["sampling_params"]![0]!;
                (sampling["temperature"]!.GetValue<double>(), sampling["top_p"]!.GetValue<double>(), sampling["max_new_tokens"]!.GetValue<int>(), sampling["sampling_seed"]!.GetValue<long>())
                    .ShouldBe((0.7, 0.9, 32, 40L));
                Strings(sampling["stop"]).ShouldBe(stops);
                body["return_logprob"].ShouldBeNull();
                break;
            case "ollama":
                body["model"]!.GetValue<string>().ShouldBe("fake-7b");
                body["stream"]!.GetValue<bool>().ShouldBeFalse();
                body["messages"]!.AsArray().Select(m => m!["role"]!.GetValue<string>()).ShouldBe(["system", "user"]);
                body["messages"]![1]!["content"]!.GetValue<string>().ShouldBe(Prompt);
                var options = body["options"]!;
                (options["temperature"]!.GetValue<double>(), options["top_p"]!.GetValue<double>(), options["num_predict"]!.GetValue<int>(), options["seed"]!.GetValue<long>())
                    .ShouldBe((0.7, 0.9, 32, 40L));
                Strings(options["stop"]).ShouldBe(stops);
                break;
            default:
                throw new InvalidOperationException(backend);
        }
    }

    [Fact]
    public async Task Tgi_greedy_leaves_out_temperature_and_top_p_which_it_refuses_at_0_and_1()
    {
        await using var server = await Serve();
        await using var model = Open(Fake.Options("tgi", server));

        await model.GenerateAsync(new GenerationRequest(Prompt, 1, new GenerationSettings(Temperature: 0, TopP: 1, Seed: 3, MaxTokens: 8)), TestContext.Current.CancellationToken);
        await model.GenerateAsync(new GenerationRequest(Prompt, 1, new GenerationSettings(Temperature: 0.5, TopP: 1, Seed: 3, MaxTokens: 8)), TestContext.Current.CancellationToken);

        var greedy = server.Log[0].Body["parameters"]!;
        greedy["do_sample"]!.GetValue<bool>().ShouldBeFalse();
        greedy["temperature"].ShouldBeNull();
        greedy["top_p"].ShouldBeNull();
        greedy["stop"].ShouldBeNull();
        var sampled = server.Log[1].Body["parameters"]!;
        sampled["temperature"]!.GetValue<double>().ShouldBe(0.5);
        sampled["top_p"].ShouldBeNull();
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_grammar_is_refused_before_any_request_since_no_server_backend_enforces_one(string backend)
    {
        await using var server = await Serve();
        await using var model = Open(Fake.Options(backend, server));

        var error = await Should.ThrowAsync<SettingException>(() => model.GenerateAsync(new GenerationRequest(Prompt, 1, Settings with { Grammar = "root ::= \"x\"" }), TestContext.Current.CancellationToken));

        error.Setting.ShouldBe("grammar");
        server.Requests.ShouldBe(0);
    }

    [Fact]
    public async Task A_stop_sequence_kept_in_the_servers_text_is_cut_and_the_reply_counts_as_stopped()
    {
        await using var server = await Serve();
        await using var model = Open(Fake.Options("tgi", server));

        var result = await model.GenerateAsync(new GenerationRequest(Prompt, 2, Settings), TestContext.Current.CancellationToken);

        result.Samples.Select(s => (s.Text, s.FinishReason, s.Tokens)).ShouldBe([(FakeGeneration.Text(40), "stop", 5), (FakeGeneration.Text(41), "stop", 5)]);
        ((IRemoteModel)model).Usage.CompletionTokens.ShouldBe(10);
    }

    public static TheoryData<string, string, string> MalformedReplies => new()
    {
        { "openai-completions", """{"choices":[{"index":0,"text":"a","finish_reason":"stop"}]}""", "1 choices where n=2" },
        { "openai-completions", """{"choices":[{"index":0,"text":"a","finish_reason":"stop"},{"index":0,"text":"b","finish_reason":"stop"}]}""", "index out of range or repeated" },
        { "openai-completions", """{"choices":[{"index":0,"text":"a"},{"index":1,"text":"b","finish_reason":"stop"}]}""", "finish_reason" },
        { "vllm", """{"choices":[{"index":0,"text":"a","finish_reason":"stop"},{"index":1,"finish_reason":"stop"}]}""", "'text'" },
        { "chat-sample", """{"choices":[{"index":0,"message":{"role":"assistant","content":"a"},"finish_reason":"content_filter"},{"index":1,"message":{"role":"assistant","content":"b"},"finish_reason":"stop"}]}""", "content_filter" },
        { "chat-logprobs", """{"choices":[{"index":0,"message":{"role":"assistant","content":null},"finish_reason":"stop"},{"index":1,"message":{"role":"assistant","content":"b"},"finish_reason":"stop"}]}""", "'content'" },
        { "sglang", """[{"text":"a","meta_info":{"finish_reason":{"type":"stop"}}}]""", "expected an array of 2 answers" },
        { "sglang", """[{"text":"a","meta_info":{"finish_reason":{"type":"abort"}}},{"text":"b","meta_info":{"finish_reason":{"type":"stop"}}}]""", "'abort'" },
        { "tgi", """{"generated_text":"a"}""", "'details'" },
        { "tgi", """[{"generated_text":"a","details":{"finish_reason":"length"}},{"generated_text":"b","details":{"finish_reason":"length"}}]""", "2 answers for one prompt" },
        { "ollama", """{"message":{"role":"assistant","content":"a"},"done":false,"done_reason":"stop"}""", "'done' is not true" },
        { "ollama", """{"message":{"role":"assistant","content":"a"},"done":true}""", "'done_reason'" },
        { "ollama", """{"done":true,"done_reason":"stop"}""", "'message'" },
    };

    [Theory]
    [MemberData(nameof(MalformedReplies))]
    public async Task Malformed_replies_are_refused_and_not_retried(string backend, string reply, string problem)
    {
        await using var server = await FakeServer.StartAsync((_, _) => new FakeReply(200, reply));
        await using var model = Open(Fake.Options(backend, server) with { Retries = 1 });

        var error = await Should.ThrowAsync<RemoteResponseException>(() => model.GenerateAsync(new GenerationRequest(Prompt, 2, Settings), TestContext.Current.CancellationToken));

        error.Message.ShouldContain(problem);
        error.Message.ShouldContain(server.Uri.Authority);
        ((IRemoteModel)model).Usage.Retries.ShouldBe(0);
    }

    [Fact]
    public async Task A_malformed_reply_fails_its_own_request_only()
    {
        var calls = 0;
        await using var server = await FakeServer.StartAsync((path, body) => Interlocked.Increment(ref calls) == 1
            ? new FakeReply(200, """{"message":{"content":"half"},"done":false}""")
            : FakeReply.Json(FakeGeneration.Reply(path, body)));
        await using var model = Open(Fake.Options("ollama", server));
        var token = TestContext.Current.CancellationToken;

        await Should.ThrowAsync<RemoteResponseException>(() => model.GenerateAsync(new GenerationRequest(Prompt, 1, Settings), token));
        var result = await model.GenerateAsync(new GenerationRequest(Prompt, 1, Settings), token);

        result.Samples.ShouldHaveSingleItem().Text.ShouldBe(FakeGeneration.Text(40));
        var usage = ((IRemoteModel)model).Usage;
        (usage.Retries, usage.FailedRequests, usage.Requests).ShouldBe((0L, 1L, 1L));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Bad_requests_are_refused_by_setting_before_anything_is_sent(string backend)
    {
        await using var server = await Serve();
        await using var model = Open(Fake.Options(backend, server));
        var token = TestContext.Current.CancellationToken;

        (await Should.ThrowAsync<SettingException>(() => model.GenerateAsync(new GenerationRequest(Prompt, 1, Settings with { TopP = 0 }), token))).Setting.ShouldBe("top_p");
        (await Should.ThrowAsync<SettingException>(() => model.GenerateAsync(new GenerationRequest(Prompt, 0, Settings), token))).Setting.ShouldBe("samples");
        (await Should.ThrowAsync<SettingException>(() => model.GenerateAsync(new GenerationRequest(Prompt, 1, Settings with { Stop = [""] }), token))).Setting.ShouldBe("stop");
        await Should.ThrowAsync<InputException>(() => model.GenerateAsync(new GenerationRequest("", 1, Settings), token));
        if (backend == "tgi")
        {
            (await Should.ThrowAsync<SettingException>(() => model.GenerateAsync(new GenerationRequest(Prompt, 1, Settings with { Seed = -1 }), token))).Setting.ShouldBe("seed");
        }
        server.Requests.ShouldBe(0);
    }

    [Fact]
    public async Task Ollama_end_to_end_generates_through_api_chat_and_only_generates()
    {
        await using var server = await Serve();
        var backend = RemoteBackends.All.Single(b => b.Name == "ollama");
        backend.Method.ShouldBe(ScoringMethod.Generation);
        backend.Method.Measures().ShouldBe(MeasurementKind.GeneratedText);
        await using var opened = RemoteBackends.Open(Fake.Options("ollama", server));
        opened.ShouldNotBeAssignableTo<ILikelihoodModel>();
        opened.ShouldNotBeAssignableTo<IOptionShareModel>();
        var model = opened.ShouldBeAssignableTo<ITextGenerator>()!;
        model.Method.ShouldBe(ScoringMethod.Generation);
        model.PromptStyle.ShouldBe(PromptStyle.Chat);
        var fingerprint = model.Fingerprint.Sha256;

        var result = await model.GenerateAsync(new GenerationRequest(Prompt, 3, Settings), TestContext.Current.CancellationToken);

        result.Samples.Select(s => (s.Text, s.Tokens, s.FinishReason)).ShouldBe([
            (FakeGeneration.Text(40), 6, "stop"), (FakeGeneration.Text(41), 6, "stop"), (FakeGeneration.Text(42), 6, "stop")]);
        server.Log.ShouldAllBe(l => l.Path == "/api/chat");
        server.Log.Select(l => l.Body["messages"]!.AsArray().Count).ShouldAllBe(c => c == 1);
        var usage = ((IRemoteModel)model).Usage;
        (usage.Requests, usage.PromptTokens, usage.CompletionTokens).ShouldBe((3L, 27L, 18L));
        // The generation settings travel with each request; the fingerprint is the model's own.
        model.Fingerprint.Sha256.ShouldBe(fingerprint);
        model.Fingerprint.ToDictionary().Keys.Order().ShouldBe(["backend", "endpoints", "served_model"]);
    }
}
