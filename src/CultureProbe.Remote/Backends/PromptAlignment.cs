using CultureProbe.Models;
using CultureProbe.Remote.Transport;

namespace CultureProbe.Remote.Backends;

/// <summary>One prompt token as a server reported it.</summary>
/// <param name="Id">Token id, or -1 where the server does not give it (OpenAI-style echo).</param>
/// <param name="Piece">The token's text.</param>
/// <param name="LogProb">log P(token | tokens before it); null for the first token, which has no context.</param>
/// <param name="IsGreedy">Whether it was the most probable token at its position (false when unknown).</param>
internal readonly record struct PromptToken(int Id, string Piece, double? LogProb, bool IsGreedy);

/// <summary>
/// Picks the continuation's tokens out of a whole prompt's tokens, checking that they line up
/// with the text. A token that straddles the context/continuation boundary belongs to the
/// continuation (the core's convention). Any inconsistency is a <see cref="RemoteResponseException"/>.
/// </summary>
internal static class PromptAlignment
{
    /// <summary>
    /// Selects by character offsets (<c>text_offset</c>). Servers count offsets over the token texts, so a
    /// leading special token (vLLM echoes Llama's BOS as <c>&lt;s&gt;</c>) shifts every offset by its length:
    /// the shift is measured at the end of the prompt, and tokens wholly before the prompt text are skipped.
    /// Token i covers [offsets[i], offsets[i+1]) − shift; every prompt token's text must be the prompt text there.
    /// </summary>
    /// <param name="where">Where in the response, for messages.</param>
    /// <param name="prompt">The prompt sent.</param>
    /// <param name="contextLength">Characters of the prompt before the continuation.</param>
    /// <param name="continuation">The continuation text.</param>
    /// <param name="tokens">The prompt's tokens only (generated ones removed).</param>
    /// <param name="offsets">Their text offsets.</param>
    public static ContinuationScore ByOffsets(string where, string prompt, int contextLength, string continuation, IReadOnlyList<PromptToken> tokens, IReadOnlyList<int> offsets)
    {
        if (tokens.Count != offsets.Count)
        {
            throw new RemoteResponseException($"{where}: {tokens.Count} tokens but {offsets.Count} text offsets");
        }
        if (tokens.Count == 0)
        {
            throw new RemoteResponseException($"{where}: no prompt tokens were echoed");
        }
        if (offsets[0] != 0)
        {
            throw new RemoteResponseException($"{where}: the first token's text offset is {offsets[0]}, expected 0");
        }
        for (var i = 1; i < offsets.Count; i++)
        {
            if (offsets[i] < offsets[i - 1])
            {
                throw new RemoteResponseException($"{where}: text offset {offsets[i]} of token {i} is before the previous token's {offsets[i - 1]}");
            }
        }
        var shift = offsets[^1] + tokens[^1].Piece.Length - prompt.Length;
        if (shift < 0)
        {
            throw new RemoteResponseException($"{where}: the prompt tokens end at character {prompt.Length + shift} of a prompt of {prompt.Length}: the token arrays are truncated or do not line up with the prompt");
        }
        var first = -1;
        for (var i = 0; i < tokens.Count; i++)
        {
            var start = offsets[i] - shift;
            var end = (i + 1 < offsets.Count ? offsets[i + 1] : prompt.Length + shift) - shift;
            if (end <= 0 && start < 0)
            {
                continue; // a special token before the prompt text (BOS)
            }
            if (start < 0)
            {
                throw new RemoteResponseException($"{where}: token {i} ({Quote(tokens[i].Piece)}) starts {-start} character(s) before the prompt: the tokens do not line up with the prompt");
            }
            CheckPiece(where, prompt, i, tokens[i].Piece, start, end);
            if (first < 0 && end > contextLength)
            {
                first = i;
            }
        }
        return Score(where, continuation, tokens, first < 0 ? tokens.Count : first);
    }

    /// <summary>
    /// Selects by token texts alone (TGI prefill, SGLang, vLLM <c>prompt_logprobs</c>): walking back from the
    /// end of the prompt, each piece must equal the prompt text just before the previous one.
    /// </summary>
    public static ContinuationScore ByPieces(string where, string prompt, int contextLength, string continuation, IReadOnlyList<PromptToken> tokens)
    {
        var end = prompt.Length;
        var i = tokens.Count - 1;
        while (end > contextLength)
        {
            if (i < 0)
            {
                throw new RemoteResponseException($"{where}: the prompt tokens cover only the last {prompt.Length - end} of its {prompt.Length} characters");
            }
            var piece = tokens[i].Piece;
            var start = end - piece.Length;
            if (start < 0 || !prompt.AsSpan(start, piece.Length).SequenceEqual(piece))
            {
                var found = start < 0 ? prompt[..end] : prompt.Substring(start, piece.Length);
                throw new RemoteResponseException($"{where}: token {i} is {Quote(piece)} but the prompt has {Quote(found)} there: the tokens do not line up with the prompt");
            }
            end = start;
            i--;
        }
        return Score(where, continuation, tokens, i + 1);
    }

    private static ContinuationScore Score(string where, string continuation, IReadOnlyList<PromptToken> tokens, int first)
    {
        if (first >= tokens.Count)
        {
            throw new RemoteResponseException($"{where}: no token covers the continuation {Quote(continuation)}");
        }
        var scored = new ScoredToken[tokens.Count - first];
        for (var i = first; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.LogProb is not { } logProb)
            {
                throw new RemoteResponseException($"{where}: token {i} ({Quote(token.Piece)}) of the continuation has no log-probability");
            }
            scored[i - first] = new ScoredToken(token.Id, token.Piece, logProb, token.IsGreedy);
        }
        return ContinuationScore.FromTokens(continuation, scored);
    }

    private static void CheckPiece(string where, string prompt, int index, string piece, int start, int end)
    {
        // Byte-level tokens that split a character come back with replacement characters or as "bytes:..."; their text cannot be checked.
        if (piece.Contains('\uFFFD', StringComparison.Ordinal) || piece.StartsWith("bytes:", StringComparison.Ordinal))
        {
            return;
        }
        if (end - start != piece.Length || !prompt.AsSpan(start, piece.Length).SequenceEqual(piece))
        {
            var found = prompt.Substring(start, Math.Max(0, end - start));
            throw new RemoteResponseException($"{where}: token {index} is {Quote(piece)} but the prompt has {Quote(found)} at offset {start}: the tokens do not line up with the prompt");
        }
    }

    internal static string Quote(string text) => "\"" + text.Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}
