using System.Text.Json;
using CultureProbe.Models;
using CultureProbe.Remote.Transport;

namespace CultureProbe.Remote.Backends;

/// <summary>
/// <c>ollama</c>: Ollama's native <c>POST /api/chat</c> with <c>stream: false</c>, the prompt as the user message (after the
/// system prompt when set) and <c>options</c> {<c>temperature</c>, <c>top_p</c>, <c>seed</c>, <c>num_predict</c>,
/// <c>stop</c>}. Ollama has no <c>n</c>, so each sample is one request, sample j with seed + j; the reply is
/// <c>message.content</c> with <c>done_reason</c>, and <c>prompt_eval_count</c> / <c>eval_count</c> as token counts.
/// Ollama returns no prompt log-probabilities, so this backend only generates text.
/// </summary>
internal sealed class OllamaModel(RemoteModelOptions options, RemoteTransport transport) : RemoteModel(options, transport), ITextGenerator
{
    /// <summary>The <c>ollama</c> backend.</summary>
    public static RemoteBackend Backend { get; } = new(
        "ollama", ScoringMethod.Generation, "Ollama's native /api/chat: free text sampled with a temperature, top-p and seed (generation only)", openAiStyle: false,
        (options, transport) => new OllamaModel(options, transport));

    public override ScoringMethod Method => ScoringMethod.Generation;

    public override PromptStyle PromptStyle => PromptStyle.Chat;

    protected override IEnumerable<(string Name, string Value)> NumberSettings(RemoteModelOptions options) =>
        string.IsNullOrEmpty(options.SystemPrompt) ? [] : [("system_prompt", options.SystemPrompt)];

    /// <summary>One <c>/api/chat</c> request per sample (Ollama has no <c>n</c>), sample j with seed + j.</summary>
    public Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default) =>
        GenerateInUnitsAsync(request, 1, "POST /api/chat", (unit, token) =>
        {
            var settings = request.Settings;
            var body = JsonReading.Body(w =>
            {
                w.WriteStartObject();
                WriteMessages(w, request.Prompt);
                w.WriteBoolean("stream", false);
                w.WriteStartObject("options");
                w.WriteNumber("temperature", settings.Temperature);
                w.WriteNumber("top_p", settings.TopP);
                w.WriteNumber("seed", unit.SeedOf(settings));
                w.WriteNumber("num_predict", settings.MaxTokens);
                RemoteGeneration.WriteStop(w, "stop", settings.Stop);
                w.WriteEndObject();
                w.WriteEndObject();
            });
            return Transport.PostAsync("/api/chat", body, Parse, token);
        }, cancellationToken);

    /// <summary>A non-streamed <c>/api/chat</c> reply: <c>message.content</c>, <c>done: true</c> and <c>done_reason</c> <c>stop</c> or <c>length</c>.</summary>
    internal static ParsedResponse<IReadOnlyList<GeneratedText>> Parse(JsonElement root)
    {
        const string where = "chat response";
        var content = root.Required("message", where).RequiredString("content", where + ".message");
        if (root.Required("done", where).ValueKind != JsonValueKind.True)
        {
            throw new RemoteResponseException($"{where}: 'done' is not true (a streamed chunk? the request asks for stream: false)");
        }
        var reason = RemoteGeneration.FinishReason(root.RequiredString("done_reason", where), where + ".done_reason");
        var completion = JsonReading.Count(root, "eval_count");
        return new([new GeneratedText(content, (int)completion, reason)], JsonReading.Count(root, "prompt_eval_count"), completion);
    }
}
