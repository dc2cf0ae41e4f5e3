using System.Net;
using System.Net.Sockets;
using System.Text;
using CultureProbe.Remote.Tests.Fakes;
using Shouldly;

namespace CultureProbe.Remote.Tests.Cli;

/// <summary>
/// <c>score</c> against a server that fails in every way a server can (issue 13, item 4): the command line prints one
/// clear line naming the endpoint, never a stack trace, never the server's control characters, and exits 1 when the
/// server failed or 2 when its answer shows a setting is wrong, naming the flag to fix.
/// </summary>
public sealed class RemoteFailureCliTests
{
    // NUL, ESC sequences (clear screen, set the window title, bell), C1 CSI (U+009B as UTF-8), bytes that are not UTF-8,
    // a right-to-left override, and a line that looks like a stack frame.
    private static readonly byte[] Garbage =
    [
        0x00, 0x1B, (byte)'[', (byte)'2', (byte)'J', 0xFF, 0xFE, 0xC2, 0x9B, (byte)'3', (byte)'1', (byte)'m',
        .. "\u001b]0;pwned\u0007 \u202Eevil\n   at Server.Handle() in server.py:line 1\r\n"u8.ToArray(),
    ];

    /// <summary>A failure kind: what the server does, the exit code, and what the message must say.</summary>
    private sealed record Kind(Func<FakeReply>? Reply, int Code, string Says, string[]? Extra = null);

    private static readonly Dictionary<string, Kind> Kinds = new()
    {
        ["connection refused"] = new(null, 1, "refused"),
        ["HTML page"] = new(() => new FakeReply(200, "<!DOCTYPE html>\n<html><head><title>Open WebUI</title></head><body>\u001b[2J</body></html>", ContentType: "text/html"), 1, "HTML"),
        ["empty 200"] = new(() => new FakeReply(200, ""), 1, "empty body"),
        ["garbage bytes"] = new(() => new FakeReply(200, "", Bytes: Garbage, ContentType: "application/octet-stream"), 1, "not JSON"),
        ["JSON of another shape"] = new(() => new FakeReply(200, """{"object":"list","data":[{"id":"fake"}]}"""), 1, "unusable response"),
        ["JSON array of numbers"] = new(() => new FakeReply(200, "[1,2,3]"), 1, "unusable response"),
        ["500 with control bytes"] = new(() => new FakeReply(500, "", Bytes: Garbage), 1, "gave up after 2 attempt(s)", ["500"]),
        ["503 with Retry-After"] = new(() => new FakeReply(503, "overloaded", new Dictionary<string, string> { ["Retry-After"] = "1" }), 1, "503"),
        ["400 context too long"] = new(() => new FakeReply(400, """{"error":"This model's maximum context length is 4096 tokens"}"""), 1, "maximum context length"),
        ["401 no key"] = new(() => new FakeReply(401, """{"error":"Unauthorized"}"""), 2, "--api-key-env:", ["wants an API key"]),
        ["403 forbidden"] = new(() => new FakeReply(403, """{"error":"forbidden"}"""), 2, "--api-key-env:"),
        ["404 model not found"] = new(() => new FakeReply(404, """{"object":"error","message":"The model `fake` does not exist.","type":"NotFoundError","code":404}"""), 2, "--model:", ["'fake'"]),
        ["404 no such path"] = new(() => new FakeReply(404, """{"detail":"Not Found"}"""), 2, "--endpoint:", ["base URL"]),
        ["302 to a login page"] = new(() => new FakeReply(302, "", new Dictionary<string, string> { ["Location"] = "https://sso.example/login?state=opaque" }), 2, "--endpoint:", ["https://sso.example:443/login"]),
        ["closed connection"] = new(() => new FakeReply(200, "", Abort: true), 1, "gave up after 2 attempt(s)"),
        ["hanging connection"] = new(() => new FakeReply(200, "{}", Delay: TimeSpan.FromSeconds(60)), 1, "no complete response within 1 s"),
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var backend in new[] { "vllm", "tgi" })
        {
            foreach (var kind in Kinds.Keys)
            {
                data.Add(kind, backend);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_failing_server_gives_one_clean_line_naming_the_endpoint_and_the_right_exit_code(string kind, string backend)
    {
        var expected = Kinds[kind];
        FakeServer? server = null;
        string endpoint;
        if (expected.Reply is { } reply)
        {
            server = await FakeServer.StartAsync((_, _) => reply());
            endpoint = server.Uri.ToString();
        }
        else
        {
            endpoint = $"http://127.0.0.1:{ClosedPort()}/";
        }
        await using var _ = server;
        var authority = new Uri(endpoint).Authority;

        var (code, output, error) = CliRunner.Run(
            "score", "--backend", backend, "--endpoint", endpoint, "--model", "fake",
            "--context", "Question: Is family important?\nAnswer:", "--continuation", " Yes",
            "--retries", "1", "--retry-delay", "0", "--max-retry-delay", "0", "--timeout", "1");

        code.ShouldBe(expected.Code, error);
        output.ShouldBeEmpty();
        var lines = error.TrimEnd('\n', '\r').Split('\n');
        lines.Length.ShouldBe(1, "one line, no stack trace: " + error);
        error.ShouldStartWith("error: ");
        lines.ShouldAllBe(l => !l.TrimStart().StartsWith("at ", StringComparison.Ordinal), "no stack frame");
        error.ShouldNotContain("Exception:");
        error.Where(c => (char.IsControl(c) && c is not '\n' and not '\r') || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format)
            .ShouldBeEmpty("no control or format character of the server reaches the terminal");
        error.ShouldContain(authority);
        error.ShouldContain(expected.Says);
        foreach (var extra in expected.Extra ?? [])
        {
            error.ShouldContain(extra);
        }
        if (kind.Contains("control", StringComparison.Ordinal) || kind.Contains("garbage", StringComparison.Ordinal))
        {
            error.ShouldContain("\\x1B[2J", Case.Sensitive, "the bytes are shown escaped");
            error.Length.ShouldBeLessThan(700, "a short excerpt, not the body");
        }
    }

    [Fact]
    public async Task A_long_error_body_is_cut_to_a_short_excerpt()
    {
        var body = "{\"error\":\"" + new string('x', 100_000) + "\"}";
        await using var server = await FakeServer.StartAsync((_, _) => new FakeReply(400, body));
        var (code, _, error) = CliRunner.Run("score", "--backend", "vllm", "--endpoint", server.Uri.ToString(), "--model", "fake",
            "--context", "Question:", "--continuation", " Yes");
        code.ShouldBe(1);
        error.Length.ShouldBeLessThan(500);
        error.ShouldContain($"...\" ({Encoding.UTF8.GetByteCount(body)} bytes)");
    }

    [Fact]
    public async Task Verbose_reports_each_retry_and_the_circuit_on_standard_error()
    {
        var calls = 0;
        await using var server = await FakeServer.StartAsync((_, body) => Interlocked.Increment(ref calls) <= 2
            ? new FakeReply(503, "warming up")
            : FakeReply.Json(FakeEngine.Reply("vllm", body)));
        var (code, _, error) = CliRunner.Run("score", "--backend", "vllm", "--endpoint", server.Uri.ToString(), "--model", "fake",
            "--context", "Question: Is family important?\nAnswer:", "--continuation", " Yes",
            "--retry-delay", "0", "--max-retry-delay", "0", "--circuit-failures", "2", "--circuit-break", "0.1", "--verbose");
        code.ShouldBe(0, error);
        var lines = error.TrimEnd().Split('\n');
        lines.Count(l => l.StartsWith("warning: POST http://" + server.Uri.Authority + "/v1/completions answered 503", StringComparison.Ordinal) && l.Contains("retrying", StringComparison.Ordinal)).ShouldBe(2);
        lines.ShouldContain(l => l.StartsWith("warning: http://" + server.Uri.Authority + ": circuit opened", StringComparison.Ordinal));
        lines.ShouldContain(l => l.StartsWith("info: http://" + server.Uri.Authority + ": circuit closed", StringComparison.Ordinal));

        var quiet = CliRunner.Run("score", "--backend", "vllm", "--endpoint", server.Uri.ToString(), "--model", "fake",
            "--context", "Question: Is family important?\nAnswer:", "--continuation", " Yes");
        quiet.ExitCode.ShouldBe(0);
        quiet.Error.ShouldBeEmpty();
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
