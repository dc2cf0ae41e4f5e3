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
    : ChatModel(RemoteModelFactory.ChatSample, options, transport)
{
    private int PerRequest => Math.Clamp(Options.SamplesPerRequest ?? Options.Samples, 1, Options.Samples);

    public override ScoringMethod Method => ScoringMethod.ChatSampling;

    public override string ScorerOptions =>
        $"chat-sample seed={Options.Seed.ToString(CultureInfo.InvariantCulture)} temperature={F(Options.Temperature)} n={Options.Samples} per_request={PerRequest} max_tokens={Options.MaxAnswerTokens}{SystemPart}";

    protected override string Engine => $"chat-sampling {ScorerOptions}";

    protected override async Task<(IReadOnlyList<BranchScores> Branches, string? Engine)> ScoreBranchesAsync(ScoringRequest request, CancellationToken cancellationToken)
    {
        var optionSets = request.Branches.Select(b => OptionsOf(b, keysRequired: false)).ToArray();
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

        var branches = new BranchScores[request.Branches.Count];
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
            var (scores, unparseable, details) = Tally(request.Branches[b].Continuations, optionSets[b], texts, Options);
            branches[b] = new BranchScores(scores, details);
            unparseableTotal += unparseable;
        }
        return (branches, $"{Engine}; unparseable {unparseableTotal} of {Options.Samples * branches.Length}");
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

    internal static (ContinuationScore[] Scores, int Unparseable, string Details) Tally(
        IReadOnlyList<string> continuations, IReadOnlyList<ChatOption> options, IReadOnlyList<string> replies, RemoteModelOptions settings)
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
        var most = counts.Max();
        var scores = continuations.Select((c, k) => ShareScore(c, (double)counts[k] / parsed, counts[k] == most)).ToArray();
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
        return (scores, unparseable, details);
    }
}
