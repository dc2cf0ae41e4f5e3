using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CultureProbe.Remote.Tests.Fakes;

/// <summary>
/// What a fake server answers: a status, optional headers, and a body (or a hang, or a dropped connection).
/// <paramref name="Bytes"/>, when given, is sent instead of <paramref name="Body"/> (bytes that are not UTF-8);
/// <paramref name="ContentType"/> replaces application/json.
/// </summary>
public sealed record FakeReply(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null, TimeSpan? Delay = null, bool Abort = false,
    byte[]? Bytes = null, string? ContentType = null)
{
    public static FakeReply Json(JsonNode node) => new(200, node.ToJsonString());
}

/// <summary>A Kestrel server on 127.0.0.1 with a random port, answering every POST with <c>handler</c>.</summary>
public sealed class FakeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _inFlight;
    private int _maxInFlight;
    private int _requests;

    private FakeServer(WebApplication app) => _app = app;

    public Uri Uri { get; private set; } = null!;

    public int Requests => Volatile.Read(ref _requests);

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public List<(string Path, JsonNode Body, string? Authorization)> Log { get; } = [];

    public static async Task<FakeServer> StartAsync(Func<string, JsonNode, FakeReply> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeServer(app);
        app.Run(async context => await server.HandleAsync(context, handler));
        await app.StartAsync();
        server.Uri = new Uri(app.Urls.First());
        return server;
    }

    private async Task HandleAsync(HttpContext context, Func<string, JsonNode, FakeReply> handler)
    {
        var now = Interlocked.Increment(ref _inFlight);
        Interlocked.Increment(ref _requests);
        int seen;
        while ((seen = Volatile.Read(ref _maxInFlight)) < now && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
        {
        }
        try
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = JsonNode.Parse(await reader.ReadToEndAsync())!;
            lock (Log)
            {
                Log.Add((context.Request.Path.Value!, body, context.Request.Headers.Authorization.FirstOrDefault()));
            }
            var reply = handler(context.Request.Path.Value!, body);
            if (reply.Delay is { } delay)
            {
                try
                {
                    await Task.Delay(delay, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            if (reply.Abort)
            {
                context.Abort();
                return;
            }
            context.Response.StatusCode = reply.Status;
            foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }
            context.Response.ContentType = reply.ContentType ?? "application/json";
            if (reply.Bytes is { } bytes)
            {
                await context.Response.Body.WriteAsync(bytes);
            }
            else
            {
                await context.Response.WriteAsync(reply.Body);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
