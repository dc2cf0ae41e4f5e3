namespace CultureProbe.Remote;

/// <summary>What a remote model has used so far; a snapshot.</summary>
/// <param name="Requests">HTTP requests answered with a usable response.</param>
/// <param name="Attempts">HTTP attempts, failed ones included.</param>
/// <param name="Retries">Attempts that were retries of an earlier one.</param>
/// <param name="FailedRequests">Requests given up after their retries.</param>
/// <param name="PromptTokens">Prompt tokens reported by the servers.</param>
/// <param name="CompletionTokens">Completion tokens reported by the servers.</param>
/// <param name="EstimatedCost">Cost from the configured prices; null when none are configured.</param>
/// <param name="Currency">Currency of <paramref name="EstimatedCost"/>.</param>
public sealed record RemoteUsage(
    long Requests,
    long Attempts,
    long Retries,
    long FailedRequests,
    long PromptTokens,
    long CompletionTokens,
    decimal? EstimatedCost,
    string? Currency);

/// <summary>Thread-safe counters behind <see cref="RemoteUsage"/>.</summary>
internal sealed class UsageCounters(RemotePrices? prices)
{
    private long _requests;
    private long _attempts;
    private long _retries;
    private long _failed;
    private long _promptTokens;
    private long _completionTokens;

    public void Attempt() => Interlocked.Increment(ref _attempts);

    public void Retry() => Interlocked.Increment(ref _retries);

    public void Failed() => Interlocked.Increment(ref _failed);

    public void Succeeded(long promptTokens, long completionTokens)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _promptTokens, promptTokens);
        Interlocked.Add(ref _completionTokens, completionTokens);
    }

    public RemoteUsage Snapshot()
    {
        var prompt = Interlocked.Read(ref _promptTokens);
        var completion = Interlocked.Read(ref _completionTokens);
        decimal? cost = prices is null ? null : (prompt * prices.PromptPerMillion + completion * prices.CompletionPerMillion) / 1_000_000m;
        return new RemoteUsage(Interlocked.Read(ref _requests), Interlocked.Read(ref _attempts), Interlocked.Read(ref _retries),
            Interlocked.Read(ref _failed), prompt, completion, cost, prices?.Currency);
    }
}
