using System.Globalization;
using CultureProbe.Models;

namespace CultureProbe.Llama.Scoring;

/// <summary>
/// The entry points of <c>cultureprobe score</c>: open a model, score one context's continuations or an exact token
/// sequence, and return JSON-ready reports. Bad input (missing, truncated or corrupt model, text longer than the
/// context, bad token ids) throws <see cref="InputException"/> (exit code 2); a missing runtime throws
/// <see cref="LlamaRuntimeException"/>. Without options the scorer runs in <see cref="Exact"/> mode.
/// </summary>
public static class LlamaScoring
{
    /// <summary>F32 KV cache (and no flash attention): numbers that match a float64 forward pass to about 1e-5 nats.</summary>
    public static LlamaModelOptions Exact { get; } = new() { F32KvCache = true };

    /// <summary>Scores each continuation after <paramref name="context"/>.</summary>
    public static async Task<ScoreTextReport> ScoreTextAsync(
        string modelPath, string context, IReadOnlyList<string> continuations, LlamaModelOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(continuations);
        if (continuations.Count == 0)
        {
            throw new InputException("give at least one continuation to score");
        }
        var model = await LlamaModel.OpenAsync(modelPath, options ?? Exact, cancellationToken).ConfigureAwait(false);
        await using (model.ConfigureAwait(false))
        {
            var result = await model.ScoreAsync(ScoringRequest.Single(context, continuations), cancellationToken).ConfigureAwait(false);
            return ScoreTextReport.From(result, context);
        }
    }

    /// <summary>Scores every token of <paramref name="tokenIds"/> after the first, given the tokens before it.</summary>
    public static async Task<ScoreTokensReport> ScoreTokenIdsAsync(
        string modelPath, IReadOnlyList<int> tokenIds, LlamaModelOptions? options = null, CancellationToken cancellationToken = default)
    {
        var model = await LlamaModel.OpenAsync(modelPath, options ?? Exact, cancellationToken).ConfigureAwait(false);
        await using (model.ConfigureAwait(false))
        {
            var score = await model.ScoreTokensAsync(tokenIds, cancellationToken).ConfigureAwait(false);
            return ScoreTokensReport.From(score, model.Engine);
        }
    }

    /// <summary>Parses token ids separated by spaces or commas, e.g. <c>"1 300 271"</c>.</summary>
    /// <exception cref="InputException">A part is not a non-negative integer, or there are fewer than two ids.</exception>
    public static IReadOnlyList<int> ParseTokenIds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split([' ', ',', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        var ids = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out ids[i]))
            {
                throw new InputException($"--token-ids: '{parts[i]}' (item {i + 1}) is not a non-negative integer token id");
            }
        }
        return ids.Length >= 2
            ? ids
            : throw new InputException($"--token-ids needs at least two ids (the first is only context); got {ids.Length}");
    }
}
