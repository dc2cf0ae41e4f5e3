using CultureProbe.Models;
using CultureProbe.Remote.Backends;

namespace CultureProbe.Remote.Tests.Fakes;

/// <summary>Helpers to build a remote model against a fake server.</summary>
public static class Fake
{
    public static readonly string[] LogProbBackends = ["openai-completions", "vllm", "tgi", "sglang"];

    public static RemoteModelOptions Options(string backend, params FakeServer[] servers) => new()
    {
        Backend = backend,
        Endpoints = servers.Select(s => s.Uri).ToArray(),
        Model = "fake-7b",
        TimeProvider = new VirtualTimeProvider(),
        Timeout = TimeSpan.FromSeconds(10),
        PromptsPerRequest = 3,
    };

    /// <summary>A log-prob model, opened the way the registry opens it.</summary>
    internal static PromptLogProbModel OpenLogProbs(RemoteModelOptions options) => (PromptLogProbModel)RemoteBackends.Open(options);

    /// <summary>A chat (share) model, opened the way the registry opens it.</summary>
    internal static ChatModel OpenShares(RemoteModelOptions options) => (ChatModel)RemoteBackends.Open(options);

    /// <summary>Answers of a lettered question: " A) Very important" → key A, label "Very important".</summary>
    public static AnswerChoice[] Choices(params string[] continuations) =>
        continuations.Select((c, i) =>
        {
            var text = c.Trim();
            var close = text.IndexOf(") ", StringComparison.Ordinal);
            return close > 0 ? new AnswerChoice(text[..close], text[(close + 2)..], c) : new AnswerChoice(null, text, c);
        }).ToArray();

    public static OptionRequest Request() => new(
        "Question: How important is family in your life?\nChoices: A) Very important, B) Rather important, C) Not very important\n",
        [
            new OptionBranch("In Japan, Answer:", Choices(" A) Very important", " B) Rather important", " C) Not very important")),
            new OptionBranch("In Peru, Answer:", Choices(" A) Very important", " B) Rather important", " C) Not very important")),
        ]);

    /// <summary>The scored texts of a branch.</summary>
    public static string[] Texts(this OptionBranch branch) => branch.Choices.Select(c => c.Text).ToArray();

    /// <summary>Softmax over log-likelihoods, written out plainly for the checks.</summary>
    public static double[] Softmax(IReadOnlyList<double> logs)
    {
        var max = logs.Max();
        var exps = logs.Select(l => Math.Exp(l - max)).ToArray();
        var total = exps.Sum();
        return exps.Select(e => e / total).ToArray();
    }
}
