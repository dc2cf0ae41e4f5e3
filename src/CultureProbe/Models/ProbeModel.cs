namespace CultureProbe.Models;

/// <summary>How a model wants its prompts: as text to continue, or as a chat turn it answers.</summary>
public enum PromptStyle
{
    /// <summary>The answer continues the prompt's text, so it starts with a space (<c>"Answer: A) Yes"</c>).</summary>
    Completion,

    /// <summary>The prompt is a user turn and the answer opens the assistant turn, so it has no leading space.</summary>
    Chat,
}

/// <summary>
/// A model opened by a backend, ready to measure. It says who it is, what identifies its numbers and how it
/// measures; what it measures comes from one of the method interfaces: <see cref="ILikelihoodModel"/> (token
/// log-likelihoods of each answer) or <see cref="IOptionShareModel"/> (a share per answer option).
/// </summary>
public interface IProbeModel : IAsyncDisposable
{
    /// <summary>Which model this is and where it came from.</summary>
    ModelIdentity Identity { get; }

    /// <summary>Everything that decides this model's numbers; its hash is in every item key.</summary>
    ModelFingerprint Fingerprint { get; }

    /// <summary>How this model obtains its numbers.</summary>
    ScoringMethod Method { get; }

    /// <summary>Whether answers continue the prompt's text or open a chat reply.</summary>
    PromptStyle PromptStyle { get; }

    /// <summary>A one-line account of what the model has used so far (requests, retries, tokens, cost), or null when there is nothing to say.</summary>
    string? UsageSummary => null;

    /// <summary>How many question trees a run should measure at once: 1 for a model that works one request at a time, the requests in flight for servers.</summary>
    int PreferredParallelism => 1;
}

/// <summary>A model that measures the log-likelihood of each answer's tokens given the prompt (llama.cpp, vLLM, TGI, SGLang, OpenAI echo).</summary>
public interface ILikelihoodModel : IProbeModel
{
    /// <summary>Scores every answer of every branch of <paramref name="request"/>; the result has the request's shape.</summary>
    /// <exception cref="InputException">The request cannot be scored by this model (e.g. it is longer than the context).</exception>
    Task<LikelihoodResult> ScoreAsync(OptionRequest request, CancellationToken cancellationToken = default);
}

/// <summary>A model that measures a share of probability per answer option (chat top-logprobs, chat sampling).</summary>
public interface IOptionShareModel : IProbeModel
{
    /// <summary>Measures the answer shares of every branch of <paramref name="request"/>; the result has the request's shape.</summary>
    Task<ShareResult> MeasureSharesAsync(OptionRequest request, CancellationToken cancellationToken = default);
}

/// <summary>
/// Optional capability of backends that accept exact token ids (llama.cpp): every position after the first is
/// scored given the tokens before it.
/// </summary>
public interface ITokenSequenceScorer
{
    /// <summary>Scores <paramref name="tokenIds"/>[1..] given the tokens before each.</summary>
    /// <exception cref="InputException">Fewer than two tokens, an id outside the vocabulary, or a sequence longer than the context.</exception>
    Task<TokenSequenceScore> ScoreTokensAsync(IReadOnlyList<int> tokenIds, CancellationToken cancellationToken = default);
}
