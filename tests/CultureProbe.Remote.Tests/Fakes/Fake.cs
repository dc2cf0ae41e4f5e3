using CultureProbe.Models;

namespace CultureProbe.Remote.Tests.Fakes;

/// <summary>Helpers to build a remote model against a fake server.</summary>
public static class Fake
{
    public static readonly string[] LogProbBackends = ["openai-completions", "vllm", "tgi", "sglang"];

    public static RemoteModelOptions Options(string backend, params FakeServer[] servers) =>
        new(backend, servers.Select(s => s.Uri).ToArray(), "fake-7b")
        {
            TimeProvider = new VirtualTimeProvider(),
            Timeout = TimeSpan.FromSeconds(10),
            BatchSize = 3,
        };

    public static ScoringRequest Request() => new(
        "Question: How important is family in your life?\nChoices: A) Very important, B) Rather important, C) Not very important\n",
        [
            new ScoringBranch("In Japan, Answer:", [" A) Very important", " B) Rather important", " C) Not very important"]),
            new ScoringBranch("In Peru, Answer:", [" A) Very important", " B) Rather important", " C) Not very important"]),
        ]);

    /// <summary>Softmax over log-likelihoods, written out plainly for the checks.</summary>
    public static double[] Softmax(IReadOnlyList<double> logs)
    {
        var max = logs.Max();
        var exps = logs.Select(l => Math.Exp(l - max)).ToArray();
        var total = exps.Sum();
        return exps.Select(e => e / total).ToArray();
    }
}
