using System.Globalization;
using System.Text.Json;
using CultureProbe.Models;
using CultureProbe.Remote.Transport;

namespace CultureProbe.Remote.Backends;

/// <summary>
/// Shared by the chat backends: one chat request per branch, the branch's prompt as the user message; they measure option
/// shares. Both also write free text through <c>POST /v1/chat/completions</c> (<c>n</c>, <c>temperature</c>, <c>top_p</c>,
/// <c>seed</c>, <c>max_tokens</c>, <c>stop</c>), with the system prompt when set.
/// </summary>
internal abstract class ChatModel(RemoteModelOptions options, RemoteTransport transport) : RemoteModel(options, transport), IOptionShareModel, ITextGenerator
{
    public override PromptStyle PromptStyle => PromptStyle.Chat;

    /// <summary>Samples the replies in requests of <see cref="RemoteModelOptions.SamplesPerRequest"/> (all at once when unset); a request's seed is its first sample's.</summary>
    public Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default) =>
        GenerateInUnitsAsync(request, Options.SamplesPerRequest ?? int.MaxValue, "POST /v1/chat/completions", (unit, token) =>
        {
            var settings = request.Settings;
            var body = JsonReading.Body(w =>
            {
                w.WriteStartObject();
                WriteMessages(w, request.Prompt);
                w.WriteNumber("n", unit.Count);
                w.WriteNumber("temperature", settings.Temperature);
                w.WriteNumber("top_p", settings.TopP);
                w.WriteNumber("seed", unit.SeedOf(settings));
                w.WriteNumber("max_tokens", settings.MaxTokens);
                RemoteGeneration.WriteStop(w, "stop", settings.Stop);
                w.WriteEndObject();
            });
            return Transport.PostAsync("/v1/chat/completions", body, root => ParseGenerated(root, unit.Count), token);
        }, cancellationToken);

    /// <summary>A chat reply's choices as generated texts (<c>message.content</c>, <c>finish_reason</c>), in index order.</summary>
    internal static ParsedResponse<IReadOnlyList<GeneratedText>> ParseGenerated(JsonElement root, int expected) =>
        RemoteGeneration.Choices(root, expected, "chat response", (choice, where) => choice.Required("message", where).RequiredString("content", where + ".message"));

    public Task<ShareResult> MeasureSharesAsync(OptionRequest request, CancellationToken cancellationToken = default)
    {
        CheckRequest(request);
        foreach (var branch in request.Branches)
        {
            CheckChoices(branch.Choices);
        }
        return MeasureAsync(request, cancellationToken);
    }

    protected abstract Task<ShareResult> MeasureAsync(OptionRequest request, CancellationToken cancellationToken);

    /// <summary>Whether every option must carry a letter (top-logprobs reads the letter's probability).</summary>
    protected virtual bool KeysRequired => false;

    protected override IEnumerable<(string Name, string Value)> NumberSettings(RemoteModelOptions options) =>
        string.IsNullOrEmpty(options.SystemPrompt) ? [] : [("system_prompt", options.SystemPrompt)];

    protected static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private void CheckChoices(IReadOnlyList<AnswerChoice> choices)
    {
        if (KeysRequired && choices.Any(c => c.Key is null))
        {
            throw new InputException($"{Options.Backend} reads the probability of each option's letter, but the prompt lists the options without letters; use a template that lists letters");
        }
        if (choices.Any(c => c.Key is null && c.Label.Trim().Length == 0))
        {
            throw new InputException("an answer option without a letter or a label cannot be recognised in a chat reply");
        }
        var keys = choices.Where(c => c.Key is not null).Select(c => c.Key!).ToArray();
        if (keys.Distinct(StringComparer.Ordinal).Count() != keys.Length)
        {
            throw new InputException($"answer letters repeat ({string.Join(", ", keys)}): a chat reply could not tell the options apart");
        }
    }
}
