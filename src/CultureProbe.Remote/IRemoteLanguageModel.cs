using CultureProbe.Models;

namespace CultureProbe.Remote;

/// <summary>A language model behind an HTTP server or API.</summary>
public interface IRemoteLanguageModel : ILanguageModel
{
    /// <summary>
    /// The backend's settings that change its numbers (for <c>chat-sample</c>: seed, temperature and N),
    /// to pass as <c>ProbeModel.ScorerOptions</c> so they become part of every item's key.
    /// Empty for log-prob backends, whose numbers depend on the model alone.
    /// </summary>
    string ScorerOptions { get; }

    /// <summary>True when results are sampled (<see cref="ScoringMethod.ChatSampling"/>) rather than computed.</summary>
    bool IsSampled { get; }

    /// <summary>Requests, retries, token counts and cost so far.</summary>
    RemoteUsage Usage { get; }
}
