using System.Globalization;
using System.Text.Json;
using CultureProbe.Models;
using CultureProbe.Remote.Transport;

namespace CultureProbe.Remote.Backends;

/// <summary>Shared by the chat backends: one chat request per branch, the branch's prompt as the user message; they measure option shares.</summary>
internal abstract class ChatModel(RemoteModelOptions options, RemoteTransport transport) : RemoteModel(options, transport), IOptionShareModel
{
    public override PromptStyle PromptStyle => PromptStyle.Chat;

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

    protected void WriteMessages(Utf8JsonWriter w, string context)
    {
        w.WriteString("model", Options.Model);
        w.WriteStartArray("messages");
        if (!string.IsNullOrEmpty(Options.SystemPrompt))
        {
            w.WriteStartObject();
            w.WriteString("role", "system");
            w.WriteString("content", Options.SystemPrompt);
            w.WriteEndObject();
        }
        w.WriteStartObject();
        w.WriteString("role", "user");
        w.WriteString("content", context);
        w.WriteEndObject();
        w.WriteEndArray();
    }

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
