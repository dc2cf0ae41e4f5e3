using System.Globalization;
using System.Text.Json;
using CultureProbe.Models;
using CultureProbe.Remote.Transport;

namespace CultureProbe.Remote.Backends;

/// <summary>
/// <c>vllm</c>: vLLM's <c>prompt_logprobs</c> extension of <c>/v1/completions</c>
/// (<c>prompt_logprobs: 1</c>, <c>max_tokens: 1</c>). Each position lists the prompt token and,
/// when it was not the most likely one, the rank-1 token as well; the prompt token is the one named by
/// <c>prompt_token_ids</c> when the server returns them, else the listed token whose text lines up with the prompt.
/// </summary>
internal sealed class VllmPromptLogProbsModel(RemoteModelOptions options, RemoteTransport transport)
    : PromptLogProbModel(options, transport)
{
    /// <summary>The <c>vllm</c> backend.</summary>
    public static RemoteBackend Backend { get; } = new(
        "vllm", ScoringMethod.LogLikelihoodPromptLogProbs, "vLLM's prompt_logprobs extension of /v1/completions", openAiStyle: true,
        (options, transport) => new VllmPromptLogProbsModel(options, transport), "vllm-prompt-logprobs");

    protected override string Engine => $"vllm prompt_logprobs=1 max_tokens=1 batch={BatchSize}";

    protected override Task<IReadOnlyList<ContinuationScore>> ScoreBatchAsync(IReadOnlyList<PromptItem> batch, CancellationToken cancellationToken)
    {
        var body = CompletionsBody(batch, w => w.WriteNumber("prompt_logprobs", 1));
        return Transport.PostAsync("/v1/completions", body, root => Parse(root, batch), cancellationToken);
    }

    internal static ParsedResponse<IReadOnlyList<ContinuationScore>> Parse(JsonElement root, IReadOnlyList<PromptItem> batch)
    {
        var choices = root.RequiredArray("choices", "completions response");
        if (choices.GetArrayLength() != batch.Count)
        {
            throw new RemoteResponseException($"completions response: {choices.GetArrayLength()} choices for {batch.Count} prompts");
        }
        var scores = new ContinuationScore?[batch.Count];
        var position = 0;
        foreach (var choice in choices.EnumerateArray())
        {
            var index = choice.Optional("index") is { } i ? JsonReading.Int(i, $"choices[{position}].index") : position;
            position++;
            var where = $"choices[{index}]";
            if (index < 0 || index >= batch.Count || scores[index] is not null)
            {
                throw new RemoteResponseException($"{where}: index out of range or repeated");
            }
            var item = batch[index];
            var positions = choice.RequiredArray("prompt_logprobs", where);
            var ids = choice.Optional("prompt_token_ids") is { ValueKind: JsonValueKind.Array } idArray ? idArray : (JsonElement?)null;
            if (ids is { } given && given.GetArrayLength() != positions.GetArrayLength())
            {
                throw new RemoteResponseException($"{where}: {positions.GetArrayLength()} prompt_logprobs entries but {given.GetArrayLength()} prompt_token_ids");
            }
            var candidates = new List<Candidate>?[positions.GetArrayLength()];
            var k = 0;
            foreach (var entry in positions.EnumerateArray())
            {
                candidates[k] = entry.ValueKind == JsonValueKind.Null ? null : CandidatesAt(entry, $"{where}.prompt_logprobs[{k}]");
                k++;
            }
            var tokens = Choose(where, item, candidates, ids);
            scores[index] = PromptAlignment.ByPieces(where, item.Prompt, item.Context.Length, item.Continuation, tokens);
        }
        var usage = root.Optional("usage");
        return new(scores!, JsonReading.Count(usage, "prompt_tokens"), JsonReading.Count(usage, "completion_tokens"));
    }

    private sealed record Candidate(int Id, double LogProb, int? Rank, string Piece);

    private static List<Candidate> CandidatesAt(JsonElement entry, string where)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw new RemoteResponseException($"{where}: expected an object of token id → log-prob, found {entry.ValueKind}");
        }
        var candidates = new List<Candidate>();
        foreach (var property in entry.EnumerateObject())
        {
            if (!int.TryParse(property.Name, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
            {
                throw new RemoteResponseException($"{where}: key '{property.Name}' is not a token id");
            }
            var logProb = JsonReading.LogProb(property.Value.Required("logprob", where), $"{where}.{property.Name}.logprob")
                ?? throw new RemoteResponseException($"{where}.{property.Name}: null log-probability");
            var rank = property.Value.Optional("rank") is { } r ? JsonReading.Int(r, $"{where}.{property.Name}.rank") : (int?)null;
            // Without detokenization vLLM sends no text; such a token cannot be matched to the prompt, which only matters in the continuation.
            var piece = property.Value.Optional("decoded_token") is { ValueKind: JsonValueKind.String } d ? d.GetString()! : "";
            candidates.Add(new Candidate(id, logProb, rank, piece));
        }
        if (candidates.Count == 0)
        {
            throw new RemoteResponseException($"{where}: no token listed");
        }
        return candidates;
    }

    /// <summary>
    /// Picks the prompt token at each position. With <c>prompt_token_ids</c> the id decides. Otherwise, walking
    /// back from the end of the prompt, the prompt token is the listed token whose text is the prompt text just
    /// before the previous one; where several fit, the one vLLM lists besides the rank-1 token (rank not 1).
    /// Positions before the continuation are not needed and are not resolved.
    /// </summary>
    private static List<PromptToken> Choose(string where, PromptItem item, List<Candidate>?[] positions, JsonElement? ids)
    {
        var chosen = new PromptToken[positions.Length];
        var end = item.Prompt.Length;
        for (var i = positions.Length - 1; i >= 0; i--)
        {
            var id = ids is { } idList ? JsonReading.Int(idList[i], $"{where}.prompt_token_ids[{i}]") : -1;
            var candidates = positions[i];
            if (candidates is null)
            {
                chosen[i] = new PromptToken(id, "", null, false);
                continue;
            }
            Candidate pick;
            if (id >= 0)
            {
                pick = candidates.SingleOrDefault(c => c.Id == id) ?? throw new RemoteResponseException($"{where}.prompt_logprobs[{i}]: prompt token id {id} is not among the listed tokens");
            }
            else if (end <= item.Context.Length)
            {
                // Context only: never scored, so any listed token will do as a placeholder.
                pick = candidates[0];
            }
            else
            {
                var at = end;
                var fitting = candidates.Where(c => c.Piece.Length <= at && item.Prompt.AsSpan(at - c.Piece.Length, c.Piece.Length).SequenceEqual(c.Piece)).ToArray();
                var notTop = fitting.Where(c => c.Rank is not 1).ToArray();
                pick = fitting.Length == 1 ? fitting[0]
                    : fitting.Length > 1 && candidates.Count == 2 && notTop.Length == 1 ? notTop[0]
                    : throw new RemoteResponseException(fitting.Length == 0
                        ? $"{where}.prompt_logprobs[{i}]: none of the listed tokens ({string.Join(", ", candidates.Select(c => PromptAlignment.Quote(c.Piece)))}) is the prompt text before character {at}: the tokens do not line up with the prompt"
                        : $"{where}.prompt_logprobs[{i}]: cannot tell the prompt token among {fitting.Length} listed tokens that fit the text (ask a server that returns prompt_token_ids)");
            }
            var greedy = pick.Rank is 1 || (pick.Rank is null && candidates.All(c => c.LogProb <= pick.LogProb));
            chosen[i] = new PromptToken(pick.Id, pick.Piece, pick.LogProb, greedy);
            end -= pick.Piece.Length;
        }
        return [.. chosen];
    }
}
