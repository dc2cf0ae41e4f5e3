using System.Text.RegularExpressions;
using CultureProbe.Models;

namespace CultureProbe.Remote.Backends;

/// <summary>Maps a chat reply (or a top-logprobs token) to an option.</summary>
internal static partial class ChatAnswers
{
    /// <summary>The option a first-token candidate names (<c>"A"</c>, <c>" A"</c>, <c>"(A"</c>, <c>"A)"</c>), or -1.</summary>
    public static int KeyOfToken(string token, IReadOnlyList<AnswerChoice> options)
    {
        var key = token.Trim().TrimStart('(', '[').TrimEnd(')', ']', '.', ':');
        for (var i = 0; i < options.Count; i++)
        {
            if (options[i].Key is { } k && string.Equals(k, key, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>
    /// The option a sampled reply chooses, or -1 when it cannot be told: by key (<c>A</c>, <c>A)</c>,
    /// <c>(A)</c>, <c>A.</c>, <c>Answer: A</c>, <c>A) label</c>), else by a label the reply is or starts with
    /// (case-insensitive; the longest such label when several fit).
    /// </summary>
    public static int Parse(string reply, IReadOnlyList<AnswerChoice> options)
    {
        var text = reply.Trim();
        var match = KeyPattern().Match(text);
        if (match.Success)
        {
            var key = match.Groups["key"].Value;
            for (var i = 0; i < options.Count; i++)
            {
                if (options[i].Key is { } k && string.Equals(k, key, StringComparison.Ordinal))
                {
                    return i;
                }
            }
        }
        var normalized = Normalize(AnswerPrefix().Replace(text, ""));
        var best = -1;
        var bestLength = 0;
        for (var i = 0; i < options.Count; i++)
        {
            var label = Normalize(options[i].Label);
            if (label.Length == 0)
            {
                continue;
            }
            var fits = normalized == label
                || (normalized.StartsWith(label, StringComparison.Ordinal) && !char.IsLetterOrDigit(normalized[label.Length]));
            if (fits && label.Length > bestLength)
            {
                best = i;
                bestLength = label.Length;
            }
        }
        return best;
    }

    private static string Normalize(string text) => text.Trim().TrimEnd('.', '!').Trim().ToLowerInvariant();

    // A key alone ("A", "(A)", "A.", "**A**"), or a key closed by ")" "." ":" and followed by more text; optionally after "Answer:".
    [GeneratedRegex(@"^(?:\**(?:the\s+)?answer(?:\s+is)?\s*[:\-]?\s*)?[\*\s]*[\(\[]?(?<key>[A-Za-z0-9]{1,2})(?:[\)\]\.:]?[\*\s]*$|[\)\]\.:]\s*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"^\**(?:the\s+)?answer(?:\s+is)?\s*[:\-]?\s*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AnswerPrefix();
}
