using System.Text.Json;
using CultureProbe.Models;
using CultureProbe.Remote.Transport;

namespace CultureProbe.Remote.Backends;

/// <summary>One prompt of a log-prob backend: context and continuation, scored as their concatenation.</summary>
internal sealed record PromptItem(string Context, string Continuation)
{
    public string Prompt { get; } = Context + Continuation;
}

/// <summary>
/// Backends that read prompt log-probs: the request tree is flattened into one full prompt per
/// continuation (servers cache shared prefixes themselves), sent in batches. They also write free text: by default through
/// OpenAI-style <c>POST /v1/completions</c> (<c>prompt</c>, <c>n</c>, <c>temperature</c>, <c>top_p</c>, <c>seed</c>,
/// <c>max_tokens</c>, <c>stop</c>); TGI and SGLang use their native <c>/generate</c>.
/// </summary>
internal abstract class PromptLogProbModel(RemoteModelOptions options, RemoteTransport transport) : RemoteModel(options, transport), ILikelihoodModel, ITextGenerator
{
    public override ScoringMethod Method => ScoringMethod.LogLikelihoodPromptLogProbs;

    public override PromptStyle PromptStyle => PromptStyle.Completion;

    /// <summary>Prompts per request; 1 for servers without prompt arrays.</summary>
    protected virtual int BatchSize => Math.Max(1, Options.PromptsPerRequest);

    /// <summary>
    /// The body of a <c>/v1/completions</c> request scoring <paramref name="batch"/> as a prompt
    /// array with one generated token at temperature 0; <paramref name="logProbFields"/> adds the
    /// backend's own log-prob fields (<c>echo</c> and <c>logprobs</c>, or <c>prompt_logprobs</c>).
    /// </summary>
    protected byte[] CompletionsBody(IReadOnlyList<PromptItem> batch, Action<System.Text.Json.Utf8JsonWriter> logProbFields) =>
        JsonReading.Body(w =>
        {
            w.WriteStartObject();
            w.WriteString("model", Options.Model);
            w.WriteStartArray("prompt");
            foreach (var item in batch)
            {
                w.WriteStringValue(item.Prompt);
            }
            w.WriteEndArray();
            w.WriteNumber("max_tokens", 1);
            w.WriteNumber("temperature", 0);
            logProbFields(w);
            w.WriteEndObject();
        });

    /// <summary>
    /// Samples the replies in requests of <see cref="RemoteModelOptions.SamplesPerRequest"/> (all at once when unset, as
    /// the <c>n</c> field); a request's seed is its first sample's, so with one sample per request sample j has seed + j.
    /// </summary>
    public virtual Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default) =>
        GenerateInUnitsAsync(request, Options.SamplesPerRequest ?? int.MaxValue, "POST /v1/completions", (unit, token) =>
        {
            var settings = request.Settings;
            var body = JsonReading.Body(w =>
            {
                w.WriteStartObject();
                w.WriteString("model", Options.Model);
                w.WriteString("prompt", request.Prompt);
                w.WriteNumber("n", unit.Count);
                w.WriteNumber("temperature", settings.Temperature);
                w.WriteNumber("top_p", settings.TopP);
                w.WriteNumber("seed", unit.SeedOf(settings));
                w.WriteNumber("max_tokens", settings.MaxTokens);
                RemoteGeneration.WriteStop(w, "stop", settings.Stop);
                w.WriteEndObject();
            });
            return Transport.PostAsync("/v1/completions", body, root => ParseCompletions(root, unit.Count), token);
        }, cancellationToken);

    /// <summary>A completions reply to one prompt as generated texts (<c>choices[].text</c>, <c>finish_reason</c>), in index order.</summary>
    internal static ParsedResponse<IReadOnlyList<GeneratedText>> ParseCompletions(JsonElement root, int expected) =>
        RemoteGeneration.Choices(root, expected, "completions response", (choice, where) => choice.RequiredString("text", where));

    protected abstract Task<IReadOnlyList<ContinuationScore>> ScoreBatchAsync(IReadOnlyList<PromptItem> batch, CancellationToken cancellationToken);

    /// <summary>Engine details written into every result.</summary>
    protected abstract string Engine { get; }

    public async Task<LikelihoodResult> ScoreAsync(OptionRequest request, CancellationToken cancellationToken = default)
    {
        CheckRequest(request);
        var items = new List<PromptItem>(request.LeafCount);
        foreach (var branch in request.Branches)
        {
            var context = request.Prefix + branch.Suffix;
            if (context.Length == 0)
            {
                throw new InputException("the context is empty: servers give no log-probability for a prompt's first token, so the continuation cannot be scored");
            }
            foreach (var continuation in branch.Choices.Select(c => c.Text))
            {
                if (continuation.Length == 0)
                {
                    throw new InputException("an empty continuation cannot be scored");
                }
                items.Add(new PromptItem(context, continuation));
            }
        }
        var batches = items.Chunk(BatchSize).ToArray();
        var scored = await AllAsync(batches, (batch, token) => ScoreBatchAsync(batch, token), cancellationToken).ConfigureAwait(false);
        var flat = scored.SelectMany(s => s).ToArray();
        if (flat.Length != items.Count)
        {
            throw new RemoteResponseException($"{Identity.Backend}: {flat.Length} scores for {items.Count} prompts");
        }
        var result = new IReadOnlyList<ContinuationScore>[request.Branches.Count];
        var at = 0;
        for (var b = 0; b < request.Branches.Count; b++)
        {
            var count = request.Branches[b].Choices.Count;
            result[b] = flat[at..(at + count)];
            at += count;
        }
        return new LikelihoodResult(result, Engine);
    }
}
