using System.Text.Json;
using CultureProbe.Models;
using CultureProbe.Remote.Transport;

namespace CultureProbe.Remote.Backends;

/// <summary>
/// <c>tgi</c>: Text Generation Inference's <c>POST /generate</c> with <c>details</c> and
/// <c>decoder_input_details</c>; the prompt's log-probs are read from <c>details.prefill</c>.
/// TGI takes one prompt per request. Its prefill has no ranks, so <see cref="ScoredToken.IsGreedy"/> is false.
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
            var id = token.Required("id", where).GetInt32();
            var text = token.RequiredString("text", where);
            var logProb = token.Optional("logprob") is { } lp ? JsonReading.LogProb(lp, where + ".logprob") : null;
            tokens.Add(new PromptToken(id, text, logProb, false));
        }
        var score = PromptAlignment.ByPieces("details.prefill", item.Prompt, item.Context.Length, item.Continuation, tokens);
        var generated = details.Optional("generated_tokens") is { ValueKind: JsonValueKind.Number } g ? g.GetInt64() : 0;
        return new([score], tokens.Count, generated);
    }
}
