namespace CultureProbe.Models;

/// <summary>What a likelihood model measured for a whole <see cref="OptionRequest"/>, in the request's shape.</summary>
/// <param name="Branches">One list per request branch, one score per option, same order.</param>
/// <param name="Engine">Free-form details of the engine run that matter for reproduction (library version, KV cache type, shared-prefix or naive).</param>
public sealed record LikelihoodResult(IReadOnlyList<IReadOnlyList<ContinuationScore>> Branches, string Engine);

/// <summary>
/// The log-likelihood of one continuation given its context. Every normalisation (none, per token, per byte) can
/// be computed from this without rescoring.
/// </summary>
/// <param name="Text">The continuation text as scored.</param>
/// <param name="Tokens">The scored tokens with their log-probabilities. When the tokenizer merged characters across the
/// context/continuation boundary, the merged token belongs to the continuation (see the backend's documentation).</param>
/// <param name="Sum">Sum of the tokens' natural-log probabilities.</param>
/// <param name="IsGreedy">True when every token was the most probable one at its position.</param>
public sealed record ContinuationScore(string Text, IReadOnlyList<ScoredToken> Tokens, double Sum, bool IsGreedy)
{
    /// <summary>Number of scored tokens.</summary>
    public int TokenCount => Tokens.Count;

    /// <summary>Builds a score from its tokens, summing their log-probabilities.</summary>
    public static ContinuationScore FromTokens(string text, IReadOnlyList<ScoredToken> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var sum = 0.0;
        var greedy = true;
        foreach (var token in tokens)
        {
            sum += token.LogProb;
            greedy &= token.IsGreedy;
        }
        return new ContinuationScore(text, tokens, sum, greedy);
    }
}

/// <summary>One scored token.</summary>
/// <param name="Id">Token id in the model's vocabulary.</param>
/// <param name="Piece">The token's text (may be a partial UTF-8 sequence rendered with replacement characters).</param>
/// <param name="LogProb">Natural-log probability of this token given everything before it.</param>
/// <param name="IsGreedy">Whether this token had the highest probability at its position.</param>
public readonly record struct ScoredToken(int Id, string Piece, double LogProb, bool IsGreedy);

/// <summary>Scores of an exact token sequence: <see cref="LogProbs"/>[i] is log P(token i+1 | tokens 0..i).</summary>
/// <param name="Model">The model that produced the numbers.</param>
/// <param name="Tokens">The whole sequence, first token included (it is not scored: its LogProb is 0 and IsGreedy false).</param>
/// <param name="LogProbs">One entry per token after the first.</param>
/// <param name="Sum">Sum of <paramref name="LogProbs"/>.</param>
public sealed record TokenSequenceScore(ModelIdentity Model, IReadOnlyList<ScoredToken> Tokens, IReadOnlyList<double> LogProbs, double Sum);

/// <summary>What a share model measured for a whole <see cref="OptionRequest"/>, in the request's shape.</summary>
/// <param name="Branches">One entry per request branch, same order.</param>
/// <param name="Engine">Free-form details of the run (settings, imputed or unparseable counts).</param>
public sealed record ShareResult(IReadOnlyList<OptionShares> Branches, string Engine);

/// <summary>The share of each answer option in one branch.</summary>
/// <param name="Shares">One non-negative share per option, same order; they need not sum to exactly 1 (they are normalised).</param>
/// <param name="Details">What produced the numbers as JSON (seed, temperature, N and unparseable replies of sampling; imputed
/// options and mass of top-logprobs); stored with the item.</param>
public sealed record OptionShares(IReadOnlyList<double> Shares, string? Details);
