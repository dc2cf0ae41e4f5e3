using System.Globalization;
using System.Text.Json.Nodes;
using CultureProbe.Models;
using CultureProbe.Remote.Tests.Fakes;
using CultureProbe.Remote.Transport;
using Shouldly;

namespace CultureProbe.Remote.Tests.Transport;

public sealed class ResilienceTests
{
    private static readonly OptionRequest One = OptionRequest.Single("Question: Is family important?\nAnswer:", [" A) Yes"]);

    /// <summary>A server that answers the first <paramref name="failures"/> requests with <paramref name="fault"/>, then properly.</summary>
    private static Task<FakeServer> FailingFirst(int failures, Func<JsonNode, FakeReply> fault)
    {
        var seen = 0;
        return FakeServer.StartAsync((_, body) => Interlocked.Increment(ref seen) <= failures ? fault(body) : FakeReply.Json(FakeEngine.OpenAIEcho(body)));
    }

    private static async Task<(ContinuationScore Score, IRemoteModel Model, VirtualTimeProvider Time)> ScoreOnce(FakeServer server, Func<RemoteModelOptions, RemoteModelOptions>? configure = null)
    {
        var options = Fake.Options("openai-completions", server);
        options = configure?.Invoke(options) ?? options;
        var model = Fake.OpenLogProbs(options);
        var result = await model.ScoreAsync(One);
        return (result.Branches[0][0], model, (VirtualTimeProvider)options.TimeProvider);
    }

    private static double Expected => FakeEngine.Expected(One.Prefix, One.Branches[0].Choices[0].Text);

    [Fact]
    public async Task A_429_is_retried_after_the_seconds_of_its_Retry_After()
    {
        await using var server = await FailingFirst(1, _ => new FakeReply(429, "{\"error\":\"slow down\"}", new Dictionary<string, string> { ["Retry-After"] = "7" }));
        var (score, model, time) = await ScoreOnce(server);
        score.Sum.ShouldBe(Expected, 1e-9);
        time.Delays.ShouldContain(TimeSpan.FromSeconds(7));
        model.Usage.Retries.ShouldBe(1);
        model.Usage.Attempts.ShouldBe(2);
    }

    [Fact]
    public async Task A_Retry_After_date_is_honoured()
    {
        VirtualTimeProvider? clock = null;
        await using var server = await FailingFirst(1, _ => new FakeReply(503, "busy", new Dictionary<string, string>
        {
            ["Retry-After"] = clock!.GetUtcNow().AddSeconds(20).ToString("R", CultureInfo.InvariantCulture),
        }));
        var options = Fake.Options("openai-completions", server);
        clock = (VirtualTimeProvider)options.TimeProvider;
        await using var model = Fake.OpenLogProbs(options);
        await model.ScoreAsync(One);
        clock.Delays.ShouldContain(d => d > TimeSpan.FromSeconds(18) && d <= TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Server_errors_are_retried_with_growing_jittered_backoff()
    {
        await using var server = await FailingFirst(4, _ => new FakeReply(500, "internal error"));
        var (score, model, time) = await ScoreOnce(server, o => o with { RetryBaseDelay = TimeSpan.FromSeconds(1), CircuitBreakerFailures = 100 });
        score.Sum.ShouldBe(Expected, 1e-9);
        time.Delays.Count.ShouldBe(4);
        for (var i = 0; i < 4; i++)
        {
            // Equal jitter: between half and all of base × 2^i.
            time.Delays[i].TotalSeconds.ShouldBeInRange(Math.Pow(2, i) / 2, Math.Pow(2, i));
        }
        model.Usage.Retries.ShouldBe(4);
    }

    [Fact]
    public async Task A_timeout_is_retried()
    {
        await using var server = await FailingFirst(1, body => FakeReply.Json(FakeEngine.OpenAIEcho(body)) with { Delay = TimeSpan.FromSeconds(30) });
        var (score, model, _) = await ScoreOnce(server, o => o with { Timeout = TimeSpan.FromMilliseconds(300) });
        score.Sum.ShouldBe(Expected, 1e-9);
        model.Usage.Retries.ShouldBe(1);
    }

    [Fact]
    public async Task A_broken_connection_is_retried()
    {
        await using var server = await FailingFirst(2, _ => new FakeReply(200, "", Abort: true));
        var (score, model, _) = await ScoreOnce(server);
        score.Sum.ShouldBe(Expected, 1e-9);
        model.Usage.Retries.ShouldBe(2);
    }

    [Fact]
    public async Task Malformed_json_is_a_protocol_error_that_is_not_retried()
    {
        await using var server = await FailingFirst(1, _ => new FakeReply(200, "{\"choices\": [ {\"text\": \"Quest"));
        await using var model = Fake.OpenLogProbs(Fake.Options("openai-completions", server));
        var error = await Should.ThrowAsync<RemoteResponseException>(() => model.ScoreAsync(One));
        error.Message.ShouldContain($"POST http://127.0.0.1:{server.Uri.Port}/v1/completions");
        error.Message.ShouldContain("not JSON");
        error.Message.ShouldContain("\"{\"choices\": [ {\"text\": \"Quest\" (29 bytes)", Case.Sensitive, "an excerpt of the body");
        server.Requests.ShouldBe(1);
        model.Usage.Retries.ShouldBe(0);
        model.Usage.FailedRequests.ShouldBe(1);
        // The endpoint still works: the next request is answered.
        (await model.ScoreAsync(One)).Branches[0][0].Sum.ShouldBe(Expected, 1e-9);
    }

    [Fact]
    public async Task A_client_error_is_not_retried_and_says_what_the_server_said()
    {
        await using var server = await FakeServer.StartAsync((_, _) => new FakeReply(400, "{\"error\":\"This model's maximum context length is 4096 tokens\"}"));
        await using var model = Fake.OpenLogProbs(Fake.Options("openai-completions", server));
        var error = await Should.ThrowAsync<RemoteRequestException>(() => model.ScoreAsync(One));
        error.StatusCode.ShouldBe(400);
        error.Message.ShouldContain("maximum context length");
        server.Requests.ShouldBe(1);
    }

    [Fact]
    public async Task After_its_retries_a_request_fails_with_the_last_cause()
    {
        await using var server = await FakeServer.StartAsync((_, _) => new FakeReply(502, "bad gateway"));
        await using var model = Fake.OpenLogProbs(Fake.Options("openai-completions", server) with { Retries = 3 });
        var error = await Should.ThrowAsync<RemoteRequestException>(() => model.ScoreAsync(One));
        error.Message.ShouldContain("gave up after 4 attempt(s)");
        error.Message.ShouldContain("502");
        model.Usage.FailedRequests.ShouldBe(1);
    }

    [Fact]
    public async Task An_open_circuit_sends_the_work_to_the_healthy_endpoint()
    {
        await using var broken = await FakeServer.StartAsync((_, _) => new FakeReply(500, "down"));
        await using var healthy = await FakeServer.StartAsync((_, body) => FakeReply.Json(FakeEngine.OpenAIEcho(body)));
        await using var model = Fake.OpenLogProbs(Fake.Options("openai-completions", broken, healthy) with
        {
            CircuitBreakerFailures = 3,
            CircuitBreakDuration = TimeSpan.FromHours(1),
            MaxInFlight = 1,
            PromptsPerRequest = 1,
        });
        for (var i = 0; i < 20; i++)
        {
            (await model.ScoreAsync(One)).Branches[0][0].Sum.ShouldBe(Expected, 1e-9);
        }
        broken.Requests.ShouldBe(3, "the circuit opens after three failures and stays open for the hour");
        healthy.Requests.ShouldBe(20);
    }

    [Fact]
    public async Task An_open_circuit_lets_one_trial_through_after_its_break()
    {
        var down = true;
        await using var server = await FakeServer.StartAsync((_, body) => Volatile.Read(ref down) ? new FakeReply(500, "down") : FakeReply.Json(FakeEngine.OpenAIEcho(body)));
        var options = Fake.Options("openai-completions", server) with { CircuitBreakerFailures = 2, CircuitBreakDuration = TimeSpan.FromSeconds(30), Retries = 1, RetryBaseDelay = TimeSpan.FromMilliseconds(1) };
        await using var model = Fake.OpenLogProbs(options);
        await Should.ThrowAsync<RemoteRequestException>(() => model.ScoreAsync(One));
        Volatile.Write(ref down, false);
        (await model.ScoreAsync(One)).Branches[0][0].Sum.ShouldBe(Expected, 1e-9);
        ((VirtualTimeProvider)options.TimeProvider).Delays.ShouldContain(d => d >= TimeSpan.FromSeconds(29), "the second call waited for the break to end");
    }

    [Fact]
    public async Task A_cancelled_trial_request_does_not_leave_the_circuit_stuck()
    {
        var mode = 0; // 0: fail, 1: hang, 2: healthy
        await using var server = await FakeServer.StartAsync((_, body) => Volatile.Read(ref mode) switch
        {
            0 => new FakeReply(500, "down"),
            1 => FakeReply.Json(FakeEngine.OpenAIEcho(body)) with { Delay = TimeSpan.FromSeconds(30) },
            _ => FakeReply.Json(FakeEngine.OpenAIEcho(body)),
        });
        var options = Fake.Options("openai-completions", server) with { CircuitBreakerFailures = 1, Retries = 0 };
        await using var model = Fake.OpenLogProbs(options);
        await Should.ThrowAsync<RemoteRequestException>(() => model.ScoreAsync(One));
        Volatile.Write(ref mode, 1);
        using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
        {
            await Should.ThrowAsync<OperationCanceledException>(() => model.ScoreAsync(One, cancel.Token));
        }
        Volatile.Write(ref mode, 2);
        var score = await model.ScoreAsync(One).WaitAsync(TimeSpan.FromSeconds(10));
        score.Branches[0][0].Sum.ShouldBe(Expected, 1e-9);
    }

    [Fact]
    public async Task Requests_in_flight_never_exceed_the_limit_and_reach_it()
    {
        await using var server = await FakeServer.StartAsync((_, body) => FakeReply.Json(FakeEngine.OpenAIEcho(body)) with { Delay = TimeSpan.FromMilliseconds(100) });
        await using var model = Fake.OpenLogProbs(Fake.Options("openai-completions", server) with { MaxInFlight = 4, PromptsPerRequest = 1 });
        var request = new OptionRequest("Question: Is family important?\n", Enumerable.Range(0, 4).Select(i => new OptionBranch($"In country {i}, Answer:", Fake.Choices(" A) Yes", " B) No", " C) Maybe"))).ToArray());
        await model.ScoreAsync(request);
        server.Requests.ShouldBe(12);
        server.MaxInFlight.ShouldBe(4);
    }

    [Fact]
    public async Task Several_endpoints_share_the_work()
    {
        await using var first = await FakeServer.StartAsync((_, body) => FakeReply.Json(FakeEngine.OpenAIEcho(body)) with { Delay = TimeSpan.FromMilliseconds(20) });
        await using var second = await FakeServer.StartAsync((_, body) => FakeReply.Json(FakeEngine.OpenAIEcho(body)) with { Delay = TimeSpan.FromMilliseconds(20) });
        await using var model = Fake.OpenLogProbs(Fake.Options("openai-completions", first, second) with { PromptsPerRequest = 1 });
        await model.ScoreAsync(Fake.Request());
        (first.Requests + second.Requests).ShouldBe(6);
        first.Requests.ShouldBeGreaterThan(0);
        second.Requests.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task The_api_key_comes_from_the_named_variable_and_never_appears_in_errors()
    {
        const string variable = "CULTUREPROBE_TEST_KEY_1";
        const string secret = "sk-test-0123456789abcdef";
        Environment.SetEnvironmentVariable(variable, secret);
        try
        {
            await using var server = await FakeServer.StartAsync((_, _) => new FakeReply(401, $"{{\"error\":\"invalid key {secret}\"}}"));
            await using var model = Fake.OpenLogProbs(Fake.Options("openai-completions", server) with { ApiKeyVariable = variable });
            var error = await Should.ThrowAsync<SettingException>(() => model.ScoreAsync(One));
            error.Setting.ShouldBe("api_key_env");
            server.Log[0].Authorization.ShouldBe($"Bearer {secret}");
            error.ToString().ShouldNotContain(secret);
            error.Message.ShouldContain("[redacted]");
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void A_missing_key_variable_is_bad_input()
    {
        var error = Should.Throw<InputException>(() => Fake.OpenLogProbs(new RemoteModelOptions { Backend = "vllm", Endpoints = [new Uri("http://127.0.0.1:9")], Model = "m", ApiKeyVariable = "CULTUREPROBE_SURELY_UNSET_VARIABLE" }));
        error.Message.ShouldContain("CULTUREPROBE_SURELY_UNSET_VARIABLE");
    }

    [Theory]
    [InlineData("llama", "backend", "expected one of")]
    [InlineData("vllm", "endpoint", "an http:// or https:// URL")]
    public void Bad_options_are_bad_input_naming_the_setting(string backend, string setting, string message)
    {
        var endpoint = backend == "vllm" ? new Uri("ftp://host/") : new Uri("http://127.0.0.1:9");
        var error = Should.Throw<SettingException>(() => RemoteBackends.Open(new RemoteModelOptions { Backend = backend, Endpoints = [endpoint], Model = "m" }));
        error.Setting.ShouldBe(setting);
        error.Message.ShouldContain(message);
    }

    [Fact]
    public async Task Token_counts_and_prices_give_a_cost_estimate()
    {
        await using var server = await FakeServer.StartAsync((_, body) => FakeReply.Json(FakeEngine.OpenAIEcho(body)));
        await using var model = Fake.OpenLogProbs(Fake.Options("openai-completions", server) with { Prices = new RemotePrices(2m, 10m) });
        await model.ScoreAsync(Fake.Request());
        var usage = model.Usage;
        var prompt = server.Log.Sum(l => l.Body["prompt"]!.AsArray().Sum(p => FakeEngine.Tokenize(p!.GetValue<string>()).Count));
        usage.PromptTokens.ShouldBe(prompt);
        usage.CompletionTokens.ShouldBe(6);
        usage.EstimatedCost.ShouldBe(((prompt * 2m) + (6 * 10m)) / 1_000_000m);
        usage.Currency.ShouldBe("USD");
    }

    [Fact]
    public async Task A_trailing_v1_in_the_endpoint_is_accepted()
    {
        await using var server = await FakeServer.StartAsync((path, body) => path == "/v1/completions" ? FakeReply.Json(FakeEngine.OpenAIEcho(body)) : new FakeReply(404, "no such path"));
        await using var model = Fake.OpenLogProbs(Fake.Options("openai-completions", server) with { Endpoints = [new Uri(server.Uri, "/v1")] });
        (await model.ScoreAsync(One)).Branches[0][0].Sum.ShouldBe(Expected, 1e-9);
    }
}
