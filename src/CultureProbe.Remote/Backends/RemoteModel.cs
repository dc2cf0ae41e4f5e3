using System.Globalization;
using System.Text.Json;
using CultureProbe.Models;
using CultureProbe.Remote.Transport;

namespace CultureProbe.Remote.Backends;

/// <summary>What every remote backend shares: identity, fingerprint, transport, usage, and the fan-out of requests.</summary>
internal abstract class RemoteModel : IRemoteModel
{
    protected RemoteModel(RemoteModelOptions options, RemoteTransport transport)
    {
        Options = options;
        Transport = transport;
        var endpoints = options.Endpoints.Select(e => e.ToString()).ToArray();
        Identity = new ModelIdentity(
            options.Model,
            options.Backend,
            $"{options.Model} at {string.Join(", ", endpoints)}",
            null,
            new Dictionary<string, string>
            {
                ["endpoints"] = string.Join(' ', endpoints),
                ["deployment"] = options.Deployment ?? "",
                ["max_in_flight"] = options.MaxInFlight.ToString(CultureInfo.InvariantCulture),
                ["prompts_per_request"] = options.PromptsPerRequest.ToString(CultureInfo.InvariantCulture),
            });
        _fingerprint = new Lazy<ModelFingerprint>(() =>
        {
            // Without a deployment name the servers themselves identify the numbers; with one, every server of the
            // deployment is taken to give the same numbers, so the fleet may change between reruns.
            var where = options.Deployment is { } deployment
                ? ("deployment", deployment.Trim())
                : ("endpoints", string.Join(' ', endpoints.Order(StringComparer.Ordinal)));
            return ModelFingerprint.Of([("backend", options.Backend), ("served_model", options.Model), where, .. NumberSettings(options)]);
        });
    }

    private readonly Lazy<ModelFingerprint> _fingerprint;

    public ModelIdentity Identity { get; }

    public ModelFingerprint Fingerprint => _fingerprint.Value;

    public abstract ScoringMethod Method { get; }

    public abstract PromptStyle PromptStyle { get; }

    public RemoteUsage Usage => Transport.Usage.Snapshot();

    public int PreferredParallelism => Options.MaxInFlight;

    public string? UsageSummary
    {
        get
        {
            var usage = Usage;
            return string.Create(CultureInfo.InvariantCulture,
                $"{usage.Requests} requests, {usage.Retries} retries, {usage.FailedRequests} failed; {usage.PromptTokens} prompt + {usage.CompletionTokens} completion tokens{(usage.EstimatedCost is { } cost ? $"; estimated cost {cost:0.####} {usage.Currency}" : "")}");
        }
    }

    protected RemoteModelOptions Options { get; }

    protected RemoteTransport Transport { get; }

    /// <summary>The request settings of this backend that change its numbers (sampling settings, system prompt); none for prompt log-probs.</summary>
    protected virtual IEnumerable<(string Name, string Value)> NumberSettings(RemoteModelOptions options) => [];

    public ValueTask DisposeAsync()
    {
        Transport.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Checks that a request has branches; every backend refuses an empty one the same way.</summary>
    protected static void CheckRequest(OptionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Branches.Count == 0)
        {
            throw new InputException("a request needs at least one branch");
        }
    }

    /// <summary>
    /// Generates the samples of <paramref name="request"/> in units of at most <paramref name="perRequest"/> samples, all at
    /// once under the transport's bound; <paramref name="send"/> asks for one unit and returns its replies in sample order.
    /// Stop strings are cut from every reply. <paramref name="how"/> (endpoint and fields) goes into the result's engine text.
    /// </summary>
    protected async Task<GenerationResult> GenerateInUnitsAsync(GenerationRequest request, int perRequest, string how,
        Func<SampleUnit, CancellationToken, Task<IReadOnlyList<GeneratedText>>> send, CancellationToken cancellationToken)
    {
        RemoteGeneration.Check(request);
        var units = RemoteGeneration.Units(request.Samples, perRequest);
        var replies = await AllAsync(units, send, cancellationToken).ConfigureAwait(false);
        var samples = new List<GeneratedText>(request.Samples);
        for (var u = 0; u < units.Length; u++)
        {
            if (replies[u].Count != units[u].Count)
            {
                throw new RemoteResponseException($"{Options.Backend}: {replies[u].Count} replies for {units[u].Count} samples");
            }
            samples.AddRange(replies[u].Select(r => RemoteGeneration.CutAtStop(r, request.Settings.Stop)));
        }
        var engine = string.Create(CultureInfo.InvariantCulture,
            $"{Options.Backend} {how}; {units[0].Count} sample(s) per request, sample j with seed + j; {request.Settings}");
        return new GenerationResult(samples, engine);
    }

    /// <summary>Writes the <c>model</c> and the chat <c>messages</c>: the system prompt when set, then <paramref name="content"/> as the user turn.</summary>
    protected void WriteMessages(Utf8JsonWriter w, string content)
    {
        w.WriteString("model", Options.Model);
        w.WriteStartArray("messages");
        if (!string.IsNullOrEmpty(Options.SystemPrompt))
        {
            w.WriteStartObject();
            w.WriteString("role", "system");
            w.WriteString("content", Options.SystemPrompt);
            w.WriteEndObject();
        }
        w.WriteStartObject();
        w.WriteString("role", "user");
        w.WriteString("content", content);
        w.WriteEndObject();
        w.WriteEndArray();
    }

    /// <summary>
    /// Runs <paramref name="work"/> for every unit at once (the transport bounds what is in flight);
    /// the first failure cancels the rest and is rethrown.
    /// </summary>
    protected static async Task<TResult[]> AllAsync<TUnit, TResult>(IReadOnlyList<TUnit> units, Func<TUnit, CancellationToken, Task<TResult>> work, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new Task<TResult>[units.Count];
        for (var i = 0; i < units.Count; i++)
        {
            var unit = units[i];
            tasks[i] = Guard(work, unit, linked);
        }
        try
        {
            return await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch
        {
            // Prefer the first real failure over the cancellations it caused.
            var failure = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault();
            if (failure is not null && !cancellationToken.IsCancellationRequested)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }
            throw;
        }
    }

    private static async Task<TResult> Guard<TUnit, TResult>(Func<TUnit, CancellationToken, Task<TResult>> work, TUnit unit, CancellationTokenSource linked)
    {
        try
        {
            return await work(unit, linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await linked.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }
}
