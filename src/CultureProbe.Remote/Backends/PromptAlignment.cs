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
    /// <summary>Selects by character offsets (<c>text_offset</c>): token i covers [offsets[i], offsets[i+1]).</summary>
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
        for (var i = 0; i < offsets.Count; i++)
        {
            if (offsets[i] < 0 || offsets[i] >= prompt.Length || (i > 0 && offsets[i] < offsets[i - 1]))
            {
                throw new RemoteResponseException($"{where}: text offset {offsets[i]} of token {i} does not fit a prompt of {prompt.Length} characters");
            }
            var end = i + 1 < offsets.Count ? offsets[i + 1] : prompt.Length;
            CheckPiece(where, prompt, i, tokens[i].Piece, offsets[i], end);
        }
        var first = 0;
        while (first < tokens.Count && (first + 1 < offsets.Count ? offsets[first + 1] : prompt.Length) <= contextLength)
        {
            first++;
        }
        return Score(where, continuation, tokens, first);
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
