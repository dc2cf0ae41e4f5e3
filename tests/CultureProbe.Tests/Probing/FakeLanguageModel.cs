using CultureProbe.Models;

namespace CultureProbe.Tests.Probing;

/// <summary>
/// A deterministic stand-in backend: each continuation's log-likelihood is a fixed function of
/// the context and continuation text, so results are reproducible and checkable by hand.
/// It can be told to fail or to stop the run after a number of requests.
/// </summary>
public sealed class FakeLanguageModel(string name = "fake") : ILanguageModel
{
    public ModelIdentity Identity { get; } = new(name, "fake", $"fake://{name}", null, new Dictionary<string, string>());

    public ScoringMethod Method => ScoringMethod.LogLikelihoodLocal;

    public int Requests { get; private set; }

    /// <summary>Called before each request; may throw to simulate a failure or cancel the run.</summary>
    public Action<int, ScoringRequest>? BeforeRequest { get; set; }

    public static double LogLikelihood(string context, string continuation)
    {
        var hash = 17u;
        foreach (var c in context + "\u0001" + continuation)
        {
            hash = (hash * 31u) + c;
        }
        return -0.5 - (hash % 1000) / 250.0;
    }

    public Task<ScoringResult> ScoreAsync(ScoringRequest request, CancellationToken cancellationToken = default)
    {
        Requests++;
        BeforeRequest?.Invoke(Requests, request);
        cancellationToken.ThrowIfCancellationRequested();
        var branches = request.Branches.Select(b => new BranchScores(b.Continuations.Select(c =>
        {
            var ll = LogLikelihood(request.Prefix + b.Suffix, c);
            return ContinuationScore.FromTokens(c, [new ScoredToken(1, c, ll, false)]);
        }).ToArray())).ToArray();
        return Task.FromResult(new ScoringResult(Identity, Method, "fake", branches));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
