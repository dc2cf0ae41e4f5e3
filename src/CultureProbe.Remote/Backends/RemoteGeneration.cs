using System.Globalization;
using System.Text.Json;
using CultureProbe.Models;
using CultureProbe.Remote.Transport;

namespace CultureProbe.Remote.Backends;

/// <summary>Samples <c>First</c>..<c>First + Count - 1</c> of a generation request, asked for in one HTTP request.</summary>
/// <param name="First">Index of the unit's first sample.</param>
/// <param name="Count">Samples in the unit.</param>
internal readonly record struct SampleUnit(int First, int Count)
{
    /// <summary>The seed of sample <paramref name="offset"/> of the unit: <c>Seed + First + offset</c>.</summary>
    public long SeedOf(GenerationSettings settings, int offset = 0) => settings.Seed + First + offset;
}

/// <summary>What the generating backends share: request checks, units of samples, stop strings, finish reasons, OpenAI-style choices.</summary>
internal static class RemoteGeneration
{
    /// <summary>Checks a request the same way for every backend: settings by name, at least one sample, a non-empty prompt.</summary>
    public static void Check(GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Prompt, nameof(request));
        ArgumentNullException.ThrowIfNull(request.Settings, nameof(request));
        request.Settings.Validate();
        // A server would ignore a grammar it was not sent; refusing is better than replies that silently break it.
        SettingException.Require(request.Settings.Grammar is null, "grammar", "no grammar: only the in-process llama backend enforces one", "a grammar");
        SettingException.Require(request.Samples is >= 1 and <= 100_000, "samples", "1 to 100000", request.Samples);
        if (request.Prompt.Length == 0)
        {
            throw new InputException("the prompt is empty: there is nothing to generate from");
        }
    }

    /// <summary>The request's samples cut into units of at most <paramref name="perRequest"/>, in sample order.</summary>
    public static SampleUnit[] Units(int samples, int perRequest)
    {
        perRequest = Math.Clamp(perRequest, 1, samples);
        var units = new SampleUnit[(samples + perRequest - 1) / perRequest];
        for (var u = 0; u < units.Length; u++)
        {
            units[u] = new SampleUnit(u * perRequest, Math.Min(perRequest, samples - (u * perRequest)));
        }
        return units;
    }

    /// <summary>
    /// Cuts <paramref name="reply"/> at its first stop string. Servers that follow OpenAI never return one, but some (TGI)
    /// keep the stop sequence in the text; cutting here gives every backend the same text.
    /// </summary>
    public static GeneratedText CutAtStop(GeneratedText reply, IReadOnlyList<string>? stops)
    {
        var cut = -1;
        foreach (var stop in stops ?? [])
        {
            var at = reply.Text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (cut < 0 || at < cut))
            {
                cut = at;
            }
        }
        return cut < 0 ? reply : reply with { Text = reply.Text[..cut], FinishReason = "stop" };
    }

    /// <summary>
    /// A server's finish reason as <c>stop</c> or <c>length</c>: <c>stop</c>, <c>eos_token</c> and <c>stop_sequence</c> (TGI)
    /// are stops; anything else (a content filter, a tool call, an abort) is not a reply this method can use.
    /// </summary>
    public static string FinishReason(string reason, string where) => reason switch
    {
        "stop" or "eos_token" or "stop_sequence" => "stop",
        "length" => "length",
        _ => throw new RemoteResponseException($"{where}: finish reason '{reason}' is neither a stop nor the token limit"),
    };

    /// <summary>Writes <paramref name="stops"/> as a JSON array named <paramref name="name"/>, or nothing when there are none.</summary>
    public static void WriteStop(Utf8JsonWriter w, string name, IReadOnlyList<string>? stops)
    {
        if (stops is not { Count: > 0 })
        {
            return;
        }
        w.WriteStartArray(name);
        foreach (var stop in stops)
        {
            w.WriteStringValue(stop);
        }
        w.WriteEndArray();
    }

    /// <summary>
    /// The OpenAI-style <c>choices</c> of a reply to one prompt with <c>n = <paramref name="expected"/></c>, in index order;
    /// <paramref name="text"/> reads a choice's text (<c>text</c> of a completion, <c>message.content</c> of a chat reply).
    /// A choice's token count is the usage's completion tokens when there is one choice, else 0 (not reported per choice).
    /// </summary>
    public static ParsedResponse<IReadOnlyList<GeneratedText>> Choices(JsonElement root, int expected, string what, Func<JsonElement, string, string> text)
    {
        var choices = root.RequiredArray("choices", what);
        if (choices.GetArrayLength() != expected)
        {
            throw new RemoteResponseException($"{what}: {choices.GetArrayLength()} choices where n={expected} was asked (for servers without 'n', set samples per request to 1)");
        }
        var usage = root.Optional("usage");
        var completionTokens = JsonReading.Count(usage, "completion_tokens");
        var replies = new GeneratedText?[expected];
        var position = 0;
        foreach (var choice in choices.EnumerateArray())
        {
            var index = choice.Optional("index") is { } i ? JsonReading.Int(i, string.Create(CultureInfo.InvariantCulture, $"choices[{position}].index")) : position;
            position++;
            var where = string.Create(CultureInfo.InvariantCulture, $"choices[{index}]");
            if (index < 0 || index >= expected || replies[index] is not null)
            {
                throw new RemoteResponseException($"{where}: index out of range or repeated");
            }
            var reason = FinishReason(choice.RequiredString("finish_reason", where), where + ".finish_reason");
            replies[index] = new GeneratedText(text(choice, where), expected == 1 ? (int)completionTokens : 0, reason);
        }
        return new(replies!, JsonReading.Count(usage, "prompt_tokens"), completionTokens);
    }
}
