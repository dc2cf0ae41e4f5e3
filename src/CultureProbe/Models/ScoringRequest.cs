namespace CultureProbe.Models;

/// <summary>
/// One scoring job as a prefix tree: a shared <paramref name="Prefix"/> (question and choices),
/// <paramref name="Branches"/> that each extend it (one suffix per country), and in each branch the
/// continuations (the K answers) whose log-likelihood is wanted given <c>Prefix + Suffix</c>.
/// </summary>
/// <param name="Prefix">Text shared by every branch.</param>
/// <param name="Branches">At least one branch.</param>
public sealed record ScoringRequest(string Prefix, IReadOnlyList<ScoringBranch> Branches)
{
    /// <summary>A request with one context and its continuations (no sharing across branches).</summary>
    public static ScoringRequest Single(string context, IReadOnlyList<string> continuations) =>
        new(context, [new ScoringBranch("", continuations)]);

    /// <summary>Number of continuations over all branches.</summary>
    public int LeafCount => Branches.Sum(b => b.Continuations.Count);
}

/// <summary>One branch of a <see cref="ScoringRequest"/>.</summary>
/// <param name="Suffix">Text appended to the request's prefix; the context of this branch's continuations is <c>Prefix + Suffix</c>.</param>
/// <param name="Continuations">The texts to score after the context, scored independently of each other.</param>
public sealed record ScoringBranch(string Suffix, IReadOnlyList<string> Continuations);
