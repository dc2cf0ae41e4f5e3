namespace CultureProbe.Models;

/// <summary>
/// The seam every backend implements (llama.cpp in process, prompt log-probs over HTTP, chat APIs).
/// A backend receives a whole <see cref="ScoringRequest"/> tree so that it can share the work of
/// common prefixes; results come back in the same shape as the request.
/// </summary>
public interface ILanguageModel : IAsyncDisposable
{
    /// <summary>Which model this is and where it came from.</summary>
    ModelIdentity Identity { get; }

    /// <summary>How this backend turns text into the numbers of a <see cref="ContinuationScore"/>.</summary>
    ScoringMethod Method { get; }

    /// <summary>Scores every continuation of every branch of <paramref name="request"/>.</summary>
    /// <exception cref="InputException">The request cannot be scored by this model (e.g. it is longer than the context).</exception>
    Task<ScoringResult> ScoreAsync(ScoringRequest request, CancellationToken cancellationToken = default);
}

/// <summary>
/// Optional capability of backends that accept exact token ids (llama.cpp, vLLM prompt log-probs):
/// every position after the first is scored given the tokens before it.
/// </summary>
public interface ITokenSequenceScorer
{
    /// <summary>Scores <paramref name="tokenIds"/>[1..] given the tokens before each.</summary>
    /// <exception cref="InputException">Fewer than two tokens, an id outside the vocabulary, or a sequence longer than the context.</exception>
    Task<TokenSequenceScore> ScoreTokensAsync(IReadOnlyList<int> tokenIds, CancellationToken cancellationToken = default);
}
