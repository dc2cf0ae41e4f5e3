using CultureProbe.Backends;
using CultureProbe.Models;

namespace CultureProbe.TestKit;

/// <summary>
/// A deterministic stand-in likelihood model: each answer is split into whitespace-separated tokens, and each
/// token's log-probability is a fixed function of the prompt, the answer and the token's position, so results are
/// reproducible and checkable by hand. Answers of several tokens make length normalisations matter.
/// It can be told to fail, to block after a number of requests, or to run callbacks before each request.
/// </summary>
public class FakeLikelihoodModel(string name = "fake", PromptStyle style = PromptStyle.Completion) : ILikelihoodModel
{
    private readonly TaskCompletionSource _blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _requests;

    public ModelIdentity Identity { get; } = new(name, "fake", $"fake://{name}", null, new Dictionary<string, string>());

    public virtual ModelFingerprint Fingerprint => ModelFingerprint.Of(("backend", "fake"), ("name", name), ("style", style.ToString()));

    public virtual ScoringMethod Method => ScoringMethod.LogLikelihoodLocal;

    public PromptStyle PromptStyle => style;

    public int PreferredParallelism { get; init; } = 1;

    /// <summary>Requests received.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Called before each request with its number (from 1); may throw to simulate a failure.</summary>
    public Action<int, OptionRequest>? BeforeRequest { get; set; }

    /// <summary>When set, request number <c>BlockAfter + 1</c> and later never answer: they wait until cancelled.</summary>
    public int? BlockAfter { get; set; }

    /// <summary>Completes when a request has blocked.</summary>
    public Task Blocked => _blocked.Task;

    /// <summary>The tokens of an answer as this fake scores them: its whitespace-separated pieces (at least one).</summary>
    public static IReadOnlyList<string> Tokens(string continuation)
    {
        var pieces = continuation.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return pieces.Length == 0 ? [continuation] : pieces;
    }

    /// <summary>The log-probability of token <paramref name="index"/> of <paramref name="continuation"/> after <paramref name="context"/>: in [-4.5, -0.5].</summary>
    public static double TokenLogProb(string context, string continuation, int index)
    {
        var hash = 17u;
        foreach (var c in $"{context}\u0001{continuation}\u0001{index}")
        {
            hash = (hash * 31u) + c;
        }
        return -0.5 - (hash % 1000) / 250.0;
    }

    /// <summary>The log-likelihood of a whole answer: the sum of its tokens' log-probabilities.</summary>
    public static double LogLikelihood(string context, string continuation) =>
        Enumerable.Range(0, Tokens(continuation).Count).Sum(i => TokenLogProb(context, continuation, i));

    public async Task<LikelihoodResult> ScoreAsync(OptionRequest request, CancellationToken cancellationToken = default)
    {
        var number = Interlocked.Increment(ref _requests);
        BeforeRequest?.Invoke(number, request);
        if (BlockAfter is { } limit && number > limit)
        {
            _blocked.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();
        var branches = request.Branches.Select(b => (IReadOnlyList<ContinuationScore>)b.Choices.Select(c =>
        {
            var context = request.Prefix + b.Suffix;
            var tokens = Tokens(c.Text).Select((piece, i) => new ScoredToken(i + 1, piece, TokenLogProb(context, c.Text, i), false)).ToArray();
            return ContinuationScore.FromTokens(c.Text, tokens);
        }).ToArray()).ToArray();
        return new LikelihoodResult(branches, "fake");
    }

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A deterministic stand-in share model (like a chat API): each option's share is a fixed function of the prompt and the option's label.</summary>
public sealed class FakeShareModel(string name = "fake-chat", ScoringMethod method = ScoringMethod.ChatTopLogProbs) : IOptionShareModel
{
    public ModelIdentity Identity { get; } = new(name, "fake-chat", $"fake://{name}", null, new Dictionary<string, string>());

    public ModelFingerprint Fingerprint => ModelFingerprint.Of(("backend", "fake-chat"), ("name", name));

    public ScoringMethod Method => method;

    public PromptStyle PromptStyle => PromptStyle.Chat;

    public int Requests { get; private set; }

    /// <summary>The unnormalised share of an option: in [1, 10].</summary>
    public static double Share(string prompt, string label)
    {
        var hash = 23u;
        foreach (var c in prompt + "\u0002" + label)
        {
            hash = (hash * 37u) + c;
        }
        return 1 + (hash % 10);
    }

    public Task<ShareResult> MeasureSharesAsync(OptionRequest request, CancellationToken cancellationToken = default)
    {
        Requests++;
        var branches = request.Branches.Select(b => new OptionShares(b.Choices.Select(c => Share(request.Prefix + b.Suffix, c.Label)).ToArray(), "{\"method\":\"fake\"}")).ToArray();
        return Task.FromResult(new ShareResult(branches, "fake"));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>A backend that opens the given fake models by reference name, for running the probe service without a real engine.</summary>
public sealed class FakeBackend(string name, ScoringMethod method, Func<string, IProbeModel> open) : IModelBackend
{
    public string Name => name;

    public string Description => "fake models for tests";

    public ScoringMethod Method => method;

    public void Validate(ModelSource source)
    {
    }

    public Task<IProbeModel> OpenAsync(ModelSource source, CancellationToken cancellationToken = default) => Task.FromResult(open(source.Reference));
}

/// <summary>
/// A deterministic stand-in text generator: the reply to sample j of a prompt is whatever <c>reply</c> makes of the
/// prompt and j. Like <see cref="FakeLikelihoodModel"/> it counts requests and can be told to fail or to block.
/// </summary>
public sealed class FakeTextGenerator(string name, Func<string, int, string> reply) : ITextGenerator
{
    private readonly TaskCompletionSource _blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _requests;

    public ModelIdentity Identity { get; } = new(name, "fake-text", $"fake://{name}", null, new Dictionary<string, string>());

    public ModelFingerprint Fingerprint => ModelFingerprint.Of(("backend", "fake-text"), ("name", name));

    public ScoringMethod Method => ScoringMethod.Generation;

    public PromptStyle PromptStyle => PromptStyle.Chat;

    public int PreferredParallelism { get; init; } = 1;

    /// <summary>Requests received.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Called before each request with its number (from 1); may throw to simulate a failure.</summary>
    public Action<int, GenerationRequest>? BeforeRequest { get; set; }

    /// <summary>When set, request number <c>BlockAfter + 1</c> and later never answer: they wait until cancelled.</summary>
    public int? BlockAfter { get; set; }

    /// <summary>Completes when a request has blocked.</summary>
    public Task Blocked => _blocked.Task;

    public async Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        var number = Interlocked.Increment(ref _requests);
        BeforeRequest?.Invoke(number, request);
        if (BlockAfter is { } limit && number > limit)
        {
            _blocked.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();
        var samples = Enumerable.Range(0, request.Samples).Select(j =>
        {
            var text = reply(request.Prompt, j);
            return new GeneratedText(text, text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length, "stop");
        }).ToArray();
        return new GenerationResult(samples, "fake");
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
