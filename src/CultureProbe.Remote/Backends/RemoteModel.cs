using System.Globalization;
using CultureProbe.Models;
using CultureProbe.Remote.Transport;

namespace CultureProbe.Remote.Backends;

/// <summary>What every remote backend shares: identity, transport, usage, and the request checks.</summary>
internal abstract class RemoteModel : IRemoteLanguageModel
{
    protected RemoteModel(string backend, RemoteModelOptions options, RemoteTransport transport)
    {
        Options = options;
        Transport = transport;
        var endpoints = options.Endpoints.Select(e => e.ToString()).ToArray();
        Identity = new ModelIdentity(
            options.Model,
            backend,
            // Not the endpoints: the item key is built from the identity, and replicas of one deployment give the same numbers.
            string.IsNullOrWhiteSpace(options.Deployment) ? "remote" : options.Deployment,
            null,
            new Dictionary<string, string>
            {
                ["endpoints"] = string.Join(' ', endpoints),
                ["max_in_flight"] = options.MaxInFlight.ToString(CultureInfo.InvariantCulture),
                ["batch_size"] = options.BatchSize.ToString(CultureInfo.InvariantCulture),
            });
    }

    public ModelIdentity Identity { get; }

    public abstract ScoringMethod Method { get; }

    public virtual string ScorerOptions => "";

    public bool IsSampled => Method == ScoringMethod.ChatSampling;

    public RemoteUsage Usage => Transport.Usage.Snapshot();

    protected RemoteModelOptions Options { get; }

    protected RemoteTransport Transport { get; }

    /// <summary>Engine details written into every <see cref="ScoringResult"/>.</summary>
    protected abstract string Engine { get; }

    public async Task<ScoringResult> ScoreAsync(ScoringRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Branches.Count == 0)
        {
            throw new InputException("a scoring request needs at least one branch");
        }
        var (branches, engine) = await ScoreBranchesAsync(request, cancellationToken).ConfigureAwait(false);
        return new ScoringResult(Identity, Method, engine ?? Engine, branches);
    }

    public ValueTask DisposeAsync()
    {
        Transport.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Scores the request; may return engine details specific to this result (null for <see cref="Engine"/>).</summary>
    protected abstract Task<(IReadOnlyList<BranchScores> Branches, string? Engine)> ScoreBranchesAsync(ScoringRequest request, CancellationToken cancellationToken);

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
