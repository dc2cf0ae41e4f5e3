using System.Globalization;
using System.Text.Json;
using CultureProbe.Models;
using CultureProbe.Remote.Transport;

namespace CultureProbe.Remote.Backends;

/// <summary>
/// <c>chat-sample</c>: N replies at temperature T with a seed (<c>POST /v1/chat/completions</c>, <c>n</c>,
/// <c>seed</c>), each parsed into an option by key or label; an option's probability is its share of the
/// parsed replies. Unparseable replies are counted and reported, never spread over the options.
/// </summary>
internal sealed class ChatSamplingModel(RemoteModelOptions options, RemoteTransport transport)
    : ChatModel(options, transport)
{
    /// <summary>The <c>chat-sample</c> backend.</summary>
    public static RemoteBackend Backend { get; } = new(
        "chat-sample", ScoringMethod.ChatSampling, "a chat API: N replies sampled at temperature T with a seed, each read as an option by letter or label", openAiStyle: true,
        (options, transport) => new ChatSamplingModel(options, transport));

    private int PerRequest => Math.Clamp(Options.SamplesPerRequest ?? Options.Samples, 1, Options.Samples);

    public override ScoringMethod Method => ScoringMethod.ChatSampling;

    /// <summary>
    /// Sampled shares change with every sampling setting, so each is in the fingerprint: a stored sampled result is
    /// reused only under the same seed, temperature, N, replies per request, reply length and system prompt.
    /// </summary>
    protected override IEnumerable<(string Name, string Value)> NumberSettings(RemoteModelOptions options) =>
    [
        ("seed", options.Seed.ToString(CultureInfo.InvariantCulture)),
        ("temperature", F(options.Temperature)),
        ("samples", options.Samples.ToString(CultureInfo.InvariantCulture)),
        ("samples_per_request", Math.Clamp(options.SamplesPerRequest ?? options.Samples, 1, options.Samples).ToString(CultureInfo.InvariantCulture)),
        ("max_answer_tokens", options.MaxAnswerTokens.ToString(CultureInfo.InvariantCulture)),
        .. base.NumberSettings(options),
    ];

    private string Engine => $"chat-sampling seed={Options.Seed.ToString(CultureInfo.InvariantCulture)} temperature={F(Options.Temperature)} n={Options.Samples} per_request={PerRequest} max_tokens={Options.MaxAnswerTokens}";

    protected override async Task<ShareResult> MeasureAsync(OptionRequest request, CancellationToken cancellationToken)
    {
        var units = new List<(int Branch, int Index, int N)>();
        for (var b = 0; b < request.Branches.Count; b++)
        {
            for (int j = 0, remaining = Options.Samples; remaining > 0; j++, remaining -= PerRequest)
            {
                units.Add((b, j, Math.Min(PerRequest, remaining)));
            }
        }
        var replies = await AllAsync(units, (unit, token) =>
        {
            var body = JsonReading.Body(w =>
            {
                w.WriteStartObject();
                WriteMessages(w, request.Prefix + request.Branches[unit.Branch].Suffix);
                w.WriteNumber("max_tokens", Options.MaxAnswerTokens);
                w.WriteNumber("temperature", Options.Temperature);
                w.WriteNumber("n", unit.N);
                w.WriteNumber("seed", Options.Seed + unit.Index);
                w.WriteEndObject();
            });
            return Transport.PostAsync("/v1/chat/completions", body, ParseReplies, token);
        }, cancellationToken).ConfigureAwait(false);

        var branches = new OptionShares[request.Branches.Count];
        var unparseableTotal = 0;
        for (var b = 0; b < branches.Length; b++)
        {
            var texts = new List<string>();
            for (var u = 0; u < units.Count; u++)
            {
                if (units[u].Branch != b)
                {
                    continue;
                }
                if (replies[u].Count != units[u].N)
                {
                    throw new RemoteResponseException($"the server returned {replies[u].Count} replies where n={units[u].N} was asked (for servers without 'n', set samples per request to 1)");
                }
                texts.AddRange(replies[u]);
            }
            var (shares, unparseable, details) = Tally(request.Branches[b].Choices, texts, Options);
            branches[b] = new OptionShares(shares, details);
            unparseableTotal += unparseable;
        }
        return new ShareResult(branches, $"{Engine}; unparseable {unparseableTotal} of {Options.Samples * branches.Length}");
    }

    internal static ParsedResponse<IReadOnlyList<string>> ParseReplies(JsonElement root)
    {
        var choices = root.RequiredArray("choices", "chat response");
        var texts = new List<string>(choices.GetArrayLength());
        var k = 0;
        foreach (var choice in choices.EnumerateArray())
        {
            var message = choice.Required("message", $"choices[{k}]");
            texts.Add(message.Optional("content") is { ValueKind: JsonValueKind.String } content ? content.GetString()! : "");
            k++;
        }
        var usage = root.Optional("usage");
        return new(texts, JsonReading.Count(usage, "prompt_tokens"), JsonReading.Count(usage, "completion_tokens"));
    }

    /// <summary>Each option's share of the replies that name an option; unparseable replies are counted, never spread over the options.</summary>
    internal static (double[] Shares, int Unparseable, string Details) Tally(
        IReadOnlyList<AnswerChoice> options, IReadOnlyList<string> replies, RemoteModelOptions settings)
    {
        var counts = new int[options.Count];
        var unparseable = 0;
        foreach (var reply in replies)
        {
            var option = ChatAnswers.Parse(reply, options);
            if (option < 0)
            {
                unparseable++;
            }
            else
            {
                counts[option]++;
            }
        }
        var parsed = replies.Count - unparseable;
        if (parsed == 0)
        {
            throw new RemoteResponseException($"none of the {replies.Count} sampled replies names an option (first: {PromptAlignment.Quote(replies.FirstOrDefault() ?? "")})");
        }
        var shares = counts.Select(c => (double)c / parsed).ToArray();
        var details = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["method"] = "chat-sampling",
            ["seed"] = settings.Seed,
            ["temperature"] = settings.Temperature,
            ["n"] = replies.Count,
            ["parsed"] = parsed,
            ["unparseable"] = unparseable,
            ["counts"] = counts,
        });
        return (shares, unparseable, details);
    }
}
