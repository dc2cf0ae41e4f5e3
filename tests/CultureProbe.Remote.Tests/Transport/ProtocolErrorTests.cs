using System.Text;
using System.Text.Json;
using CultureProbe.Models;
using CultureProbe.Remote.Tests.Fakes;
using CultureProbe.Remote.Transport;
using Microsoft.Extensions.Logging;
using Shouldly;

namespace CultureProbe.Remote.Tests.Transport;

/// <summary>What is retried and what is not, what a failure says, and what is logged.</summary>
public sealed class ProtocolErrorTests
{
    private static readonly OptionRequest One = OptionRequest.Single("Question: Is family important?\nAnswer:", [" A) Yes"]);

    private static RemoteTransport Transport(FakeServer server, ListLogger? logger = null, int retries = 3) =>
        new(Fake.Options("openai-completions", server) with { Retries = retries, Logger = logger }, null);

    [Fact]
    public async Task A_bug_in_a_parser_is_thrown_as_it_is_never_retried_nor_blamed_on_the_server()
    {
        await using var server = await FakeServer.StartAsync((_, _) => new FakeReply(200, """{"choices":[]}"""));
        using var transport = Transport(server);
        var bug = await Should.ThrowAsync<InvalidOperationException>(() => transport.PostAsync<int>("/v1/completions", "{}"u8.ToArray(),
            _ => throw new InvalidOperationException("a bug in this project"), TestContext.Current.CancellationToken));
        bug.Message.ShouldBe("a bug in this project");
        server.Requests.ShouldBe(1);
        transport.Usage.Snapshot().Retries.ShouldBe(0);

        var index = await Should.ThrowAsync<IndexOutOfRangeException>(() => transport.PostAsync<int>("/v1/completions", "{}"u8.ToArray(),
            _ => new ParsedResponse<int>(Array.Empty<int>()[1], 0, 0), TestContext.Current.CancellationToken));
        index.ShouldNotBeNull();
        server.Requests.ShouldBe(2);
    }

    [Theory]
    [InlineData("""{"n":"seven"}""")]
    [InlineData("""{"n":7.5}""")]
    [InlineData("""{"n":[]}""")]
    public async Task A_json_value_of_another_shape_met_by_an_accessor_is_a_protocol_error_naming_the_endpoint(string body)
    {
        await using var server = await FakeServer.StartAsync((_, _) => new FakeReply(200, body));
        using var transport = Transport(server);
        var error = await Should.ThrowAsync<RemoteResponseException>(() => transport.PostAsync("/v1/completions", "{}"u8.ToArray(),
            root => new ParsedResponse<int>(root.GetProperty("n").GetInt32() + root.GetProperty("n")[3].GetInt32(), 0, 0), TestContext.Current.CancellationToken));
        error.Message.ShouldContain($"POST http://{server.Uri.Authority}/v1/completions");
        error.Message.ShouldContain("documented shape");
        error.Message.ShouldContain($"\"{body}\" ({body.Length} bytes)");
        server.Requests.ShouldBe(1);
    }

    [Fact]
    public async Task Server_errors_are_still_retried_and_each_retry_is_logged()
    {
        var calls = 0;
        await using var server = await FakeServer.StartAsync((_, body) => Interlocked.Increment(ref calls) <= 2
            ? new FakeReply(503, "overloaded")
            : FakeReply.Json(FakeEngine.OpenAIEcho(body)));
        var logger = new ListLogger();
        await using var model = Fake.OpenLogProbs(Fake.Options("openai-completions", server) with { Logger = logger });
        await model.ScoreAsync(One);
        model.Usage.Retries.ShouldBe(2);
        var retries = logger.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.Contains("retrying", StringComparison.Ordinal)).ToArray();
        retries.Length.ShouldBe(2);
        retries[0].Message.ShouldContain($"POST http://{server.Uri.Authority}/v1/completions answered 503");
        retries[0].Message.ShouldContain("attempt 1 of 7");
        retries[1].Message.ShouldContain("attempt 2 of 7");
    }

    [Fact]
    public async Task A_circuit_opening_its_trial_and_its_closing_are_logged()
    {
        var down = true;
        await using var server = await FakeServer.StartAsync((_, body) => Volatile.Read(ref down) ? new FakeReply(500, "down") : FakeReply.Json(FakeEngine.OpenAIEcho(body)));
        var logger = new ListLogger();
        await using var model = Fake.OpenLogProbs(Fake.Options("openai-completions", server) with { CircuitBreakerFailures = 2, Retries = 1, Logger = logger });
        var failure = await Should.ThrowAsync<RemoteRequestException>(() => model.ScoreAsync(One));
        Volatile.Write(ref down, false);
        await model.ScoreAsync(One);

        var endpoint = $"http://{server.Uri.Authority}";
        var lines = logger.Entries.Select(e => (e.Level, e.Message)).ToArray();
        lines.ShouldContain((LogLevel.Warning, $"{endpoint}: circuit opened after 2 consecutive failures; no requests for 30 s"));
        lines.ShouldContain((LogLevel.Error, failure.Message));
        lines.ShouldContain((LogLevel.Information, $"{endpoint}: circuit half-open, one trial request"));
        lines.ShouldContain((LogLevel.Information, $"{endpoint}: circuit closed, the endpoint answers again"));
    }

    [Fact]
    public async Task A_redirect_is_not_followed_and_names_the_endpoint_setting_and_where_it_leads()
    {
        await using var server = await FakeServer.StartAsync((_, _) => new FakeReply(302, "", new Dictionary<string, string> { ["Location"] = "https://login.example/sso?token=secret-state" }));
        await using var model = Fake.OpenLogProbs(Fake.Options("openai-completions", server));
        var error = await Should.ThrowAsync<SettingException>(() => model.ScoreAsync(One));
        error.Setting.ShouldBe("endpoint");
        error.Message.ShouldContain("https://login.example:443/sso");
        error.Message.ShouldNotContain("secret-state");
        server.Requests.ShouldBe(1);
    }

    [Theory]
    [InlineData(401, "", "api_key_env")]
    [InlineData(403, """{"error":"forbidden"}""", "api_key_env")]
    [InlineData(404, """{"object":"error","message":"The model `fake-7b` does not exist.","type":"NotFoundError","code":404}""", "model")]
    [InlineData(404, """{"detail":"Not Found"}""", "endpoint")]
    [InlineData(405, """{"detail":"Method Not Allowed"}""", "endpoint")]
    public async Task Answers_that_show_a_setting_is_wrong_name_it_and_are_not_retried(int status, string body, string setting)
    {
        await using var server = await FakeServer.StartAsync((_, _) => new FakeReply(status, body));
        await using var model = Fake.OpenLogProbs(Fake.Options("openai-completions", server));
        var error = await Should.ThrowAsync<SettingException>(() => model.ScoreAsync(One));
        error.Setting.ShouldBe(setting);
        error.Message.ShouldContain(server.Uri.Authority);
        error.Message.ShouldContain(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        server.Requests.ShouldBe(1);
    }

    [Fact]
    public void Printable_text_escapes_every_control_and_format_character_and_keeps_the_rest()
    {
        ResponseText.Printable("a\u001b[2Jb\0c\u009b31md\r\ne\u202Ef\u200Bg\u2028h\ti").ShouldBe("a\\x1B[2Jb\\x00c\\x9B31md\\r\\ne\\u202Ef\\u200Bg\\u2028h\\ti");
        ResponseText.Printable("Ελληνικά, 日本語, emoji 😀, tab-free").ShouldBe("Ελληνικά, 日本語, emoji 😀, tab-free");
        ResponseText.Printable("lone \uD800 half").ShouldBe("lone \\uD800 half");
        ResponseText.Printable(new string('x', 50), 10).ShouldBe("xxxxxxxxxx...");
        ResponseText.Printable("ab😀", 3).ShouldBe("ab...", "a surrogate pair is never cut in half");
    }

    [Fact]
    public void An_excerpt_is_short_escaped_and_redacted_before_it_is_cut()
    {
        const string key = "sk-0123456789abcdef0123456789";
        var body = Encoding.UTF8.GetBytes(new string('.', 150) + key + "\u001b[31m" + new string('z', 5000));
        var excerpt = ResponseText.Excerpt(body, t => t.Replace(key, "[redacted]", StringComparison.Ordinal));
        excerpt.ShouldNotContain("sk-0123");
        excerpt.ShouldStartWith("\"" + new string('.', 150) + "[redacted]");
        excerpt.ShouldContain("\\x1B[31m");
        excerpt.ShouldEndWith($"...\" ({body.Length} bytes)");
        excerpt.Length.ShouldBeLessThan(ResponseText.ExcerptLength + 30);
        ResponseText.Excerpt([0xFF, 0xFE, 0x00], t => t).ShouldBe("\"\uFFFD\uFFFD\\x00\" (3 bytes)");
        ResponseText.Excerpt([], t => t).ShouldBe("an empty body");
    }

    /// <summary>Collects what is logged.</summary>
    private sealed class ListLogger : ILogger
    {
        private readonly Lock _lock = new();
        private readonly List<(LogLevel Level, string Message)> _entries = [];

        public IReadOnlyList<(LogLevel Level, string Message)> Entries
        {
            get
            {
                lock (_lock)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lock)
            {
                _entries.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
