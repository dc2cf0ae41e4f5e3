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

/// <summary>
/// <c>chat-logprobs</c>: <c>POST /v1/chat/completions</c> with <c>max_tokens: 1</c>, <c>logprobs: true</c> and
/// <c>top_logprobs: K</c>; an option's probability is the mass of the first-token candidates that name its
/// letter. Options missing from the top K get min(least listed probability, leftover mass / number missing),
/// as OpinionQA (Santurkar et al., 2023) did; how many were imputed, and with how much mass, is reported in
/// <see cref="BranchScores.Details"/> and the result's engine text. <see cref="ContinuationScore.Sum"/> is the
/// log of that probability, so the core's softmax renormalises them.
/// </summary>
internal sealed class ChatTopLogProbsModel(RemoteModelOptions options, RemoteTransport transport)
    : ChatModel(RemoteModelFactory.ChatLogProbs, options, transport)
{
    public override ScoringMethod Method => ScoringMethod.ChatTopLogProbs;

    public override string ScorerOptions => $"chat-logprobs top_logprobs={Options.TopLogProbs}{SystemPart}";

    protected override string Engine => $"chat-top-logprobs top_logprobs={Options.TopLogProbs}";

    protected override async Task<(IReadOnlyList<BranchScores> Branches, string? Engine)> ScoreBranchesAsync(ScoringRequest request, CancellationToken cancellationToken)
    {
        var optionSets = request.Branches.Select(b => OptionsOf(b, keysRequired: true)).ToArray();
        var indices = Enumerable.Range(0, request.Branches.Count).ToArray();
        var tops = await AllAsync(indices, (b, token) =>
        {
            var body = JsonReading.Body(w =>
            {
                w.WriteStartObject();
                WriteMessages(w, request.Prefix + request.Branches[b].Suffix);
                w.WriteNumber("max_tokens", 1);
                w.WriteBoolean("logprobs", true);
                w.WriteNumber("top_logprobs", Options.TopLogProbs);
                w.WriteNumber("temperature", 0);
                w.WriteEndObject();
            });
            return Transport.PostAsync("/v1/chat/completions", body, ParseTop, token);
        }, cancellationToken).ConfigureAwait(false);

        var branches = new BranchScores[request.Branches.Count];
        var imputedOptions = 0;
        var imputedMass = 0.0;
        for (var b = 0; b < branches.Length; b++)
        {
            var (scores, imputed, mass, details) = Distribute(request.Branches[b].Continuations, optionSets[b], tops[b], Options.TopLogProbs);
            branches[b] = new BranchScores(scores, details);
            imputedOptions += imputed;
            imputedMass += mass;
        }
        return (branches, $"{Engine}; imputed {imputedOptions} option(s) over {branches.Length} branch(es), mass {imputedMass.ToString("G6", CultureInfo.InvariantCulture)}");
    }

    internal static ParsedResponse<IReadOnlyList<(string Token, double LogProb)>> ParseTop(JsonElement root)
    {
        var choices = root.RequiredArray("choices", "chat response");
        if (choices.GetArrayLength() == 0)
        {
            throw new RemoteResponseException("chat response: no choices");
        }
        var content = choices[0].Required("logprobs", "choices[0]").RequiredArray("content", "choices[0].logprobs");
        if (content.GetArrayLength() == 0)
        {
            throw new RemoteResponseException("choices[0].logprobs.content: empty (no token was generated)");
        }
        var top = content[0].RequiredArray("top_logprobs", "choices[0].logprobs.content[0]");
        var list = new List<(string, double)>(top.GetArrayLength());
        var k = 0;
        foreach (var entry in top.EnumerateArray())
        {
            var where = $"choices[0].logprobs.content[0].top_logprobs[{k++}]";
            var logProb = JsonReading.LogProb(entry.Required("logprob", where), where + ".logprob") ?? throw new RemoteResponseException($"{where}: null log-probability");
            list.Add((entry.RequiredString("token", where), logProb));
        }
        if (list.Count == 0)
        {
            throw new RemoteResponseException("choices[0].logprobs.content[0].top_logprobs: empty (was top_logprobs honoured?)");
        }
        var usage = root.Optional("usage");
        return new(list, JsonReading.Count(usage, "prompt_tokens"), JsonReading.Count(usage, "completion_tokens"));
    }

    /// <summary>Option probabilities from the top-k first tokens, with OpinionQA's imputation for missing options.</summary>
    internal static (ContinuationScore[] Scores, int Imputed, double ImputedMass, string Details) Distribute(
        IReadOnlyList<string> continuations, IReadOnlyList<ChatOption> options, IReadOnlyList<(string Token, double LogProb)> top, int asked)
    {
        var probability = new double[options.Count];
        var listedMass = 0.0;
        var leastListed = double.PositiveInfinity;
        var topOption = -1;
        var topLogProb = double.NegativeInfinity;
        foreach (var (token, logProb) in top)
        {
            var p = Math.Exp(logProb);
            listedMass += p;
            leastListed = Math.Min(leastListed, p);
            var option = ChatAnswers.KeyOfToken(token, options);
            if (option >= 0)
            {
                probability[option] += p;
            }
            if (logProb > topLogProb)
            {
                topLogProb = logProb;
                topOption = option;
            }
        }
        var missing = probability.Count(p => p == 0);
        if (missing == options.Count)
        {
            throw new RemoteResponseException(
                $"none of the answer keys ({string.Join(", ", options.Select(o => o.Key))}) is among the {top.Count} most likely first tokens ({string.Join(", ", top.Take(5).Select(t => PromptAlignment.Quote(t.Token)))}...): the reply does not start with a letter; try a system prompt asking for one");
        }
        var leftover = Math.Max(0.0, 1.0 - listedMass);
        var imputed = missing == 0 ? 0.0 : Math.Min(leastListed, leftover / missing);
        for (var k = 0; k < probability.Length; k++)
        {
            if (probability[k] == 0)
            {
                probability[k] = imputed;
            }
        }
        var scores = continuations.Select((c, k) => ShareScore(c, probability[k], k == topOption)).ToArray();
        var details = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["method"] = "chat-top-logprobs",
            ["top_logprobs"] = asked,
            ["listed"] = top.Count,
            ["listed_mass"] = listedMass,
            ["imputed_options"] = missing,
            ["imputed_mass"] = imputed * missing,
        });
        return (scores, missing, imputed * missing, details);
    }
}

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
