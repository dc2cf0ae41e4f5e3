namespace CultureProbe.Models;

/// <summary>One answer option as it is put to a model: given as values, so no backend has to parse them out of text.</summary>
/// <param name="Key">The letter the prompt lists the option under (<c>A</c>, <c>B</c>, …); null when the prompt lists no letters.</param>
/// <param name="Label">The option's label as the prompt shows it.</param>
/// <param name="Text">The continuation a likelihood model scores after the prompt, e.g. <c>" A) Very important"</c>.</param>
public sealed record AnswerChoice(string? Key, string Label, string Text);

/// <summary>One branch of an <see cref="OptionRequest"/>: its text after the shared prefix, and its answer options.</summary>
/// <param name="Suffix">Text appended to the request's prefix; a branch's prompt is <c>Prefix + Suffix</c>.</param>
/// <param name="Choices">The options, measured independently of each other given the branch's prompt.</param>
public sealed record OptionBranch(string Suffix, IReadOnlyList<AnswerChoice> Choices);

/// <summary>
/// One measuring job as a prefix tree: a shared <paramref name="Prefix"/> (question and choices),
/// <paramref name="Branches"/> that each extend it (one per country), and in each branch the answer options.
/// A likelihood model scores each option's <see cref="AnswerChoice.Text"/> after <c>Prefix + Suffix</c>; a share
/// model asks <c>Prefix + Suffix</c> and reads its reply by <see cref="AnswerChoice.Key"/> or <see cref="AnswerChoice.Label"/>.
/// </summary>
/// <param name="Prefix">Text shared by every branch.</param>
/// <param name="Branches">At least one branch.</param>
public sealed record OptionRequest(string Prefix, IReadOnlyList<OptionBranch> Branches)
{
    /// <summary>A request with one prompt and plain continuations (no keys; each label is its trimmed text).</summary>
    public static OptionRequest Single(string context, IReadOnlyList<string> continuations)
    {
        ArgumentNullException.ThrowIfNull(continuations);
        return new(context, [new OptionBranch("", continuations.Select(c => new AnswerChoice(null, c.Trim(), c)).ToArray())]);
    }

    /// <summary>Number of options over all branches.</summary>
    public int LeafCount => Branches.Sum(b => b.Choices.Count);
}
