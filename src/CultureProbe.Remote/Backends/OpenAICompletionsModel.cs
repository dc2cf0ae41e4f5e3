using System.Globalization;
using System.Text.Json;
using CultureProbe.Models;
using CultureProbe.Remote.Transport;

namespace CultureProbe.Remote.Backends;

/// <summary>
/// <c>openai-completions</c>: <c>POST /v1/completions</c> with the whole prompt, <c>echo: true</c>,
/// <c>logprobs: 1</c> and <c>max_tokens: 1</c> (the generated token is ignored); the continuation's
/// tokens are picked from <c>logprobs.tokens</c>, <c>token_logprobs</c> and <c>text_offset</c> by
/// character offset. Several prompts go in one request as a prompt array. Token ids are not in this
/// format: <see cref="ScoredToken.Id"/> is -1.
/// </summary>
internal sealed class OpenAICompletionsModel(RemoteModelOptions options, RemoteTransport transport)
    : PromptLogProbModel(options, transport)
{
    /// <summary>The <c>openai-completions</c> backend.</summary>
    public static RemoteBackend Backend { get; } = new(
        "openai-completions", ScoringMethod.LogLikelihoodPromptLogProbs, "OpenAI-style /v1/completions with echo and logprobs: prompt log-probs of any compatible server", openAiStyle: true,
        (options, transport) => new OpenAICompletionsModel(options, transport));

    protected override string Engine => $"openai-completions echo logprobs=1 max_tokens=1 batch={BatchSize}";

    protected override Task<IReadOnlyList<ContinuationScore>> ScoreBatchAsync(IReadOnlyList<PromptItem> batch, CancellationToken cancellationToken)
    {
        var body = CompletionsBody(batch, w =>
        {
            w.WriteBoolean("echo", true);
            w.WriteNumber("logprobs", 1);
        });
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
            var text = choice.RequiredString("text", where);
            if (!text.StartsWith(item.Prompt, StringComparison.Ordinal))
            {
                throw new RemoteResponseException($"{where}: the echoed text does not start with the prompt sent (was echo honoured?)");
            }
            var logprobs = choice.Required("logprobs", where);
            var tokens = logprobs.RequiredArray("tokens", where + ".logprobs");
            var tokenLogProbs = logprobs.RequiredArray("token_logprobs", where + ".logprobs");
            var offsets = logprobs.RequiredArray("text_offset", where + ".logprobs");
            var top = logprobs.Optional("top_logprobs");
            var count = tokens.GetArrayLength();
            if (tokenLogProbs.GetArrayLength() != count || offsets.GetArrayLength() != count || (top is { ValueKind: JsonValueKind.Array } t && t.GetArrayLength() != count))
            {
                throw new RemoteResponseException($"{where}.logprobs: arrays of unequal length (tokens {count}, token_logprobs {tokenLogProbs.GetArrayLength()}, text_offset {offsets.GetArrayLength()})");
            }
            // The generated token(s) come last; they are told apart by the text generated after the prompt
            // (an empty piece, or one the prompt does not end with, when the text is empty: an end-of-text token).
            var generated = text[item.Prompt.Length..];
            var promptCount = count;
            if (generated.Length > 0)
            {
                var covered = 0;
                while (promptCount > 0 && covered < generated.Length)
                {
                    --promptCount;
                    covered += JsonReading.TextOrEmpty(tokens[promptCount], $"{where}.logprobs.tokens[{promptCount}]").Length;
                }
                if (covered != generated.Length)
                {
                    throw new RemoteResponseException($"{where}.logprobs: the last tokens do not spell the generated text {PromptAlignment.Quote(generated)}");
                }
            }
            else if (count > 0 && JsonReading.TextOrEmpty(tokens[count - 1], $"{where}.logprobs.tokens[{count - 1}]") is var last && (last.Length == 0 || !item.Prompt.EndsWith(last, StringComparison.Ordinal)))
            {
                promptCount--;
            }
            var promptTokens = new List<PromptToken>(promptCount);
            var promptOffsets = new List<int>(promptCount);
            for (var k = 0; k < promptCount; k++)
            {
                var offset = JsonReading.Int(offsets[k], $"{where}.logprobs.text_offset[{k}]");
                var logProb = JsonReading.LogProb(tokenLogProbs[k], $"{where}.logprobs.token_logprobs[{k}]");
                var greedy = false;
                if (logProb is { } lp && top is { ValueKind: JsonValueKind.Array } tops && tops[k].ValueKind == JsonValueKind.Object)
                {
                    var best = double.NegativeInfinity;
                    foreach (var entry in tops[k].EnumerateObject())
                    {
                        if (JsonReading.TryNumber(entry.Value, out var candidate))
                        {
                            best = Math.Max(best, candidate);
                        }
                    }
                    greedy = lp >= best - 1e-9;
                }
                promptTokens.Add(new PromptToken(-1, JsonReading.TextOrEmpty(tokens[k], $"{where}.logprobs.tokens[{k}]"), logProb, greedy));
                promptOffsets.Add(offset);
            }
            scores[index] = PromptAlignment.ByOffsets(where, item.Prompt, item.Context.Length, item.Continuation, promptTokens, promptOffsets);
        }
        var usage = root.Optional("usage");
        return new(scores!, JsonReading.Count(usage, "prompt_tokens"), JsonReading.Count(usage, "completion_tokens"));
    }
}
