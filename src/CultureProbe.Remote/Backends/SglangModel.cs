using System.Text.Json;
using CultureProbe.Models;
using CultureProbe.Remote.Transport;

namespace CultureProbe.Remote.Backends;

/// <summary>
/// <c>sglang</c>: SGLang's native <c>POST /generate</c> with <c>return_logprob</c>, <c>logprob_start_len: 0</c>,
/// <c>return_text_in_logprobs</c> and <c>top_logprobs_num: 1</c>; read from <c>meta_info.input_token_logprobs</c>
/// (<c>[logprob, token id, text]</c> per prompt token). Several prompts go in one request as a text list.
/// It writes text through the same <c>/generate</c>: the prompt repeated once per sample of a request, each copy with its
/// own <c>sampling_params</c> and <c>sampling_seed</c> = seed + j (SGLang advises repeated prompts over <c>n</c>).
/// </summary>
internal sealed class SglangModel(RemoteModelOptions options, RemoteTransport transport)
    : PromptLogProbModel(options, transport)
{
    /// <summary>The <c>sglang</c> backend.</summary>
    public static RemoteBackend Backend { get; } = new(
        "sglang", ScoringMethod.LogLikelihoodPromptLogProbs, "SGLang native /generate with return_logprob from the first prompt token", openAiStyle: false,
        (options, transport) => new SglangModel(options, transport));

    protected override string Engine => $"sglang /generate return_logprob logprob_start_len=0 batch={BatchSize}";

    protected override Task<IReadOnlyList<ContinuationScore>> ScoreBatchAsync(IReadOnlyList<PromptItem> batch, CancellationToken cancellationToken)
    {
        var body = JsonReading.Body(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("text");
            foreach (var item in batch)
            {
                w.WriteStringValue(item.Prompt);
            }
            w.WriteEndArray();
            w.WriteStartObject("sampling_params");
            w.WriteNumber("max_new_tokens", 1);
            w.WriteNumber("temperature", 0);
            w.WriteEndObject();
            w.WriteBoolean("return_logprob", true);
            w.WriteNumber("logprob_start_len", 0);
            w.WriteNumber("top_logprobs_num", 1);
            w.WriteBoolean("return_text_in_logprobs", true);
            w.WriteEndObject();
        });
        return Transport.PostAsync("/generate", body, root => Parse(root, batch), cancellationToken);
    }

    /// <summary>Samples in requests of <see cref="RemoteModelOptions.SamplesPerRequest"/> (all at once when unset), each sample a copy of the prompt with its own seed.</summary>
    public override Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default) =>
        GenerateInUnitsAsync(request, Options.SamplesPerRequest ?? int.MaxValue, "POST /generate", (unit, token) =>
        {
            var settings = request.Settings;
            var body = JsonReading.Body(w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("text");
                for (var k = 0; k < unit.Count; k++)
                {
                    w.WriteStringValue(request.Prompt);
                }
                w.WriteEndArray();
                w.WriteStartArray("sampling_params");
                for (var k = 0; k < unit.Count; k++)
                {
                    w.WriteStartObject();
                    w.WriteNumber("temperature", settings.Temperature);
                    w.WriteNumber("top_p", settings.TopP);
                    w.WriteNumber("max_new_tokens", settings.MaxTokens);
                    RemoteGeneration.WriteStop(w, "stop", settings.Stop);
                    w.WriteNumber("sampling_seed", unit.SeedOf(settings, k));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            });
            return Transport.PostAsync("/generate", body, root => ParseGenerated(root, unit.Count), token);
        }, cancellationToken);

    /// <summary>A <c>/generate</c> reply to a text list: one answer per copy (<c>text</c>, <c>meta_info.finish_reason.type</c>, token counts), in order.</summary>
    internal static ParsedResponse<IReadOnlyList<GeneratedText>> ParseGenerated(JsonElement root, int expected)
    {
        if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() != expected)
        {
            throw new RemoteResponseException($"generate response: expected an array of {expected} answers, found {(root.ValueKind == JsonValueKind.Array ? root.GetArrayLength() + " answers" : root.ValueKind.ToString())}");
        }
        var replies = new GeneratedText[expected];
        long prompt = 0, completion = 0;
        for (var k = 0; k < expected; k++)
        {
            var where = $"[{k}]";
            var text = root[k].RequiredString("text", where);
            var meta = root[k].Required("meta_info", where);
            var reason = RemoteGeneration.FinishReason(meta.Required("finish_reason", where + ".meta_info").RequiredString("type", where + ".meta_info.finish_reason"), where + ".meta_info.finish_reason.type");
            var tokens = JsonReading.Count(meta, "completion_tokens");
            replies[k] = new GeneratedText(text, (int)tokens, reason);
            prompt += JsonReading.Count(meta, "prompt_tokens");
            completion += tokens;
        }
        return new(replies, prompt, completion);
    }

    internal static ParsedResponse<IReadOnlyList<ContinuationScore>> Parse(JsonElement root, IReadOnlyList<PromptItem> batch)
    {
        if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() != batch.Count)
        {
            throw new RemoteResponseException($"generate response: expected an array of {batch.Count} answers, found {(root.ValueKind == JsonValueKind.Array ? root.GetArrayLength() + " answers" : root.ValueKind.ToString())}");
        }
        var scores = new ContinuationScore[batch.Count];
        long prompt = 0, completion = 0;
        for (var b = 0; b < batch.Count; b++)
        {
            var where = $"[{b}].meta_info";
            var meta = root[b].Required("meta_info", $"[{b}]");
            var input = meta.RequiredArray("input_token_logprobs", where);
            var top = meta.Optional("input_top_logprobs") is { ValueKind: JsonValueKind.Array } t ? t : (JsonElement?)null;
            if (top is { } tops && tops.GetArrayLength() != input.GetArrayLength())
            {
                throw new RemoteResponseException($"{where}: {input.GetArrayLength()} input_token_logprobs but {tops.GetArrayLength()} input_top_logprobs");
            }
            var promptTokens = JsonReading.Count(meta, "prompt_tokens");
            if (promptTokens > 0 && promptTokens != input.GetArrayLength())
            {
                throw new RemoteResponseException($"{where}: prompt_tokens is {promptTokens} but input_token_logprobs has {input.GetArrayLength()} entries (truncated, or logprob_start_len not honoured)");
            }
            var tokens = new List<PromptToken>(input.GetArrayLength());
            for (var k = 0; k < input.GetArrayLength(); k++)
            {
                var entry = input[k];
                var at = $"{where}.input_token_logprobs[{k}]";
                if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() < 3 || entry[2].ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                {
                    throw new RemoteResponseException($"{at}: expected [logprob, token id, text] (was return_text_in_logprobs honoured?)");
                }
                var logProb = JsonReading.LogProb(entry[0], at);
                var id = JsonReading.Int(entry[1], at + "[1]");
                var greedy = false;
                if (logProb is { } lp && top is { } tops2 && tops2[k] is { ValueKind: JsonValueKind.Array } best && best.GetArrayLength() > 0
                    && best[0] is { ValueKind: JsonValueKind.Array } first && first.GetArrayLength() >= 2)
                {
                    greedy = (first[1].ValueKind == JsonValueKind.Number && first[1].TryGetInt32(out var bestId) && bestId == id)
                        || (JsonReading.TryNumber(first[0], out var bestLogProb) && lp >= bestLogProb - 1e-9);
                }
                // A special token may come without text; that only matters if it falls in the continuation, where alignment then fails.
                tokens.Add(new PromptToken(id, entry[2].GetString() ?? "", logProb, greedy));
            }
            scores[b] = PromptAlignment.ByPieces(where, batch[b].Prompt, batch[b].Context.Length, batch[b].Continuation, tokens);
            prompt += input.GetArrayLength();
            completion += JsonReading.Count(meta, "completion_tokens");
        }
        return new(scores, prompt, completion);
    }
}
