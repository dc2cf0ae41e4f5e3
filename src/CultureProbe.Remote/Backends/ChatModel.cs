using System.Globalization;
using System.Text.Json;
using CultureProbe.Models;
using CultureProbe.Remote.Transport;

namespace CultureProbe.Remote.Backends;

/// <summary>Shared by the chat backends: one chat request per branch, the branch's context as the user message.</summary>
internal abstract class ChatModel(string backend, RemoteModelOptions options, RemoteTransport transport) : RemoteModel(backend, options, transport)
{
    /// <summary>
    /// Smallest probability written for an option (log ≈ −27.6), so that an option never chosen keeps a
    /// finite log-probability; softmax over the log-shares then gives back every share to within 1e-12.
    /// </summary>
    public const double ProbabilityFloor = 1e-12;

    protected static IReadOnlyList<ChatOption> OptionsOf(ScoringBranch branch, bool keysRequired)
    {
        var options = branch.Continuations.Select(ChatOption.Parse).ToArray();
        if (keysRequired && options.Any(o => o.Key is null))
        {
            throw new InputException("chat-logprobs needs lettered answers (\" A) label\"): use the letter-and-text or letter answer format");
        }
        if (options.Any(o => o.Key is null && o.Label.Length == 0))
        {
            throw new InputException("an empty answer option cannot be recognised in a chat reply");
        }
        var keys = options.Where(o => o.Key is not null).Select(o => o.Key!).ToArray();
        if (keys.Distinct(StringComparer.Ordinal).Count() != keys.Length)
        {
            throw new InputException($"answer keys repeat ({string.Join(", ", keys)}): a chat reply could not tell the options apart");
        }
        return options;
    }

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

    protected string SystemPart => string.IsNullOrEmpty(Options.SystemPrompt) ? "" : " system=" + JsonSerializer.Serialize(Options.SystemPrompt);

    protected static ContinuationScore ShareScore(string continuation, double probability, bool top) =>
        new(continuation, [], Math.Log(Math.Max(probability, ProbabilityFloor)), top);

    protected static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
