using System.Text.Json;
using CultureProbe.Models;
using CultureProbe.Remote.Transport;

namespace CultureProbe.Remote.Backends;

/// <summary>
/// <c>tgi</c>: Text Generation Inference's <c>POST /generate</c> with <c>details</c> and
/// <c>decoder_input_details</c>; the prompt's log-probs are read from <c>details.prefill</c>.
/// TGI takes one prompt per request. Its prefill has no ranks, so <see cref="ScoredToken.IsGreedy"/> is false.
/// It writes text through the same <c>/generate</c>, one sample per request (sample j with seed + j).
/// </summary>
internal sealed class TgiModel(RemoteModelOptions options, RemoteTransport transport)
    : PromptLogProbModel(options, transport)
{
    /// <summary>The <c>tgi</c> backend.</summary>
    public static RemoteBackend Backend { get; } = new(
        "tgi", ScoringMethod.LogLikelihoodPromptLogProbs, "Text Generation Inference /generate with decoder_input_details (prefill log-probs)", openAiStyle: false,
        (options, transport) => new TgiModel(options, transport));

    protected override int BatchSize => 1;

    protected override string Engine => "tgi /generate decoder_input_details max_new_tokens=1";

    protected override Task<IReadOnlyList<ContinuationScore>> ScoreBatchAsync(IReadOnlyList<PromptItem> batch, CancellationToken cancellationToken)
    {
        var item = batch[0];
        var body = JsonReading.Body(w =>
        {
            w.WriteStartObject();
            w.WriteString("inputs", item.Prompt);
            w.WriteStartObject("parameters");
            w.WriteNumber("max_new_tokens", 1);
            w.WriteBoolean("details", true);
            w.WriteBoolean("decoder_input_details", true);
            w.WriteBoolean("do_sample", false);
            w.WriteEndObject();
            w.WriteEndObject();
        });
        return Transport.PostAsync("/generate", body, root => Parse(root, item), cancellationToken);
    }

    /// <summary>
    /// One request per sample: <c>parameters</c> with <c>do_sample</c>, <c>temperature</c> and <c>top_p</c> (left out when
    /// greedy, and <c>top_p</c> when 1: TGI refuses a temperature of 0 and a top-p of 1), <c>max_new_tokens</c>, <c>stop</c>,
    /// <c>seed</c> and <c>details</c> (for the finish reason and the token count).
    /// </summary>
    public override Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        RemoteGeneration.Check(request);
        SettingException.Require(request.Settings.Seed >= 0, "seed", "0 or more (TGI reads the seed as an unsigned number)", request.Settings.Seed);
        return GenerateInUnitsAsync(request, 1, "POST /generate", (unit, token) =>
        {
            var settings = request.Settings;
            var sampling = settings.Temperature > 0;
            var body = JsonReading.Body(w =>
            {
                w.WriteStartObject();
                w.WriteString("inputs", request.Prompt);
                w.WriteStartObject("parameters");
                w.WriteBoolean("do_sample", sampling);
                if (sampling)
                {
                    w.WriteNumber("temperature", settings.Temperature);
                    if (settings.TopP < 1)
                    {
                        w.WriteNumber("top_p", settings.TopP);
                    }
                }
                w.WriteNumber("max_new_tokens", settings.MaxTokens);
                RemoteGeneration.WriteStop(w, "stop", settings.Stop);
                w.WriteNumber("seed", unit.SeedOf(settings));
                w.WriteBoolean("details", true);
                w.WriteEndObject();
                w.WriteEndObject();
            });
            return Transport.PostAsync("/generate", body, ParseGenerated, token);
        }, cancellationToken);
    }

    /// <summary>A <c>/generate</c> reply as one generated text: <c>generated_text</c>, <c>details.finish_reason</c> and <c>details.generated_tokens</c>.</summary>
    internal static ParsedResponse<IReadOnlyList<GeneratedText>> ParseGenerated(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Array)
        {
            root = root.GetArrayLength() == 1 ? root[0] : throw new RemoteResponseException($"generate response: {root.GetArrayLength()} answers for one prompt");
        }
        var text = root.RequiredString("generated_text", "generate response");
        var details = root.Required("details", "generate response");
        var reason = RemoteGeneration.FinishReason(details.RequiredString("finish_reason", "details"), "details.finish_reason");
        var tokens = JsonReading.Count(details, "generated_tokens");
        var prompt = details.Optional("prefill") is { ValueKind: JsonValueKind.Array } prefill ? prefill.GetArrayLength() : 0;
        return new([new GeneratedText(text, (int)tokens, reason)], prompt, tokens);
    }

    internal static ParsedResponse<IReadOnlyList<ContinuationScore>> Parse(JsonElement root, PromptItem item)
    {
        // Some deployments wrap the answer in a one-element array.
        if (root.ValueKind == JsonValueKind.Array)
        {
            root = root.GetArrayLength() == 1 ? root[0] : throw new RemoteResponseException($"generate response: {root.GetArrayLength()} answers for one prompt");
        }
        var details = root.Required("details", "generate response");
        var prefill = details.RequiredArray("prefill", "details");
        var tokens = new List<PromptToken>(prefill.GetArrayLength());
        var k = 0;
        foreach (var token in prefill.EnumerateArray())
        {
            var where = $"details.prefill[{k++}]";
            var id = JsonReading.Int(token.Required("id", where), where + ".id");
            var text = token.RequiredString("text", where);
            var logProb = token.Optional("logprob") is { } lp ? JsonReading.LogProb(lp, where + ".logprob") : null;
            tokens.Add(new PromptToken(id, text, logProb, false));
        }
        var score = PromptAlignment.ByPieces("details.prefill", item.Prompt, item.Context.Length, item.Continuation, tokens);
        var generated = details.Optional("generated_tokens") is { } g ? JsonReading.Long(g, "details.generated_tokens") : 0;
        return new([score], tokens.Count, generated);
    }
}
