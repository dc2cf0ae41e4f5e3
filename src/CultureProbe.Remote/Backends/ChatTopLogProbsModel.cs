using System.Globalization;
using System.Text.Json;
using CultureProbe.Models;
using CultureProbe.Remote.Transport;

namespace CultureProbe.Remote.Backends;

/// <summary>
/// <c>chat-logprobs</c>: <c>POST /v1/chat/completions</c> with <c>max_tokens: 1</c>, <c>logprobs: true</c> and
/// <c>top_logprobs: K</c>; an option's probability is the mass of the first-token candidates that name its
/// letter. Options missing from the top K get min(least listed probability, leftover mass / number missing),
/// as OpinionQA (Santurkar et al., 2023) did; how many were imputed, and with how much mass, is reported in
/// <see cref="OptionShares.Details"/> and the result's engine text. The shares are normalised over the options by the core.
/// </summary>
internal sealed class ChatTopLogProbsModel(RemoteModelOptions options, RemoteTransport transport)
    : ChatModel(options, transport)
{
    /// <summary>The <c>chat-logprobs</c> backend.</summary>
    public static RemoteBackend Backend { get; } = new(
        "chat-logprobs", ScoringMethod.ChatTopLogProbs, "a chat API's top log-probabilities of the reply's first token, read as the options' letters", openAiStyle: true,
        (options, transport) => new ChatTopLogProbsModel(options, transport));

    public override ScoringMethod Method => ScoringMethod.ChatTopLogProbs;

    protected override bool KeysRequired => true;

    protected override IEnumerable<(string Name, string Value)> NumberSettings(RemoteModelOptions options) =>
        [("top_logprobs", options.TopLogProbs.ToString(CultureInfo.InvariantCulture)), .. base.NumberSettings(options)];

    private string Engine => $"chat-top-logprobs top_logprobs={Options.TopLogProbs}";

    protected override async Task<ShareResult> MeasureAsync(OptionRequest request, CancellationToken cancellationToken)
    {
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

        var branches = new OptionShares[request.Branches.Count];
        var imputedOptions = 0;
        var imputedMass = 0.0;
        for (var b = 0; b < branches.Length; b++)
        {
            var (shares, imputed, mass, details) = Distribute(request.Branches[b].Choices, tops[b], Options.TopLogProbs);
            branches[b] = new OptionShares(shares, details);
            imputedOptions += imputed;
            imputedMass += mass;
        }
        return new ShareResult(branches, $"{Engine}; imputed {imputedOptions} option(s) over {branches.Length} branch(es), mass {imputedMass.ToString("G6", CultureInfo.InvariantCulture)}");
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
    internal static (double[] Shares, int Imputed, double ImputedMass, string Details) Distribute(
        IReadOnlyList<AnswerChoice> options, IReadOnlyList<(string Token, double LogProb)> top, int asked)
    {
        var probability = new double[options.Count];
        var listedMass = 0.0;
        var leastListed = double.PositiveInfinity;
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

        var details = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["method"] = "chat-top-logprobs",
            ["top_logprobs"] = asked,
            ["listed"] = top.Count,
            ["listed_mass"] = listedMass,
            ["imputed_options"] = missing,
            ["imputed_mass"] = imputed * missing,
        });
        return (probability, missing, imputed * missing, details);
    }
}
