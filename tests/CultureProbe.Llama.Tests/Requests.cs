using CultureProbe.Models;

namespace CultureProbe.Llama.Tests;

/// <summary>Builds scoring requests from plain continuations.</summary>
internal static class Requests
{
    /// <summary>A prefix tree: each branch's suffix with its continuations (no letters; labels are the trimmed texts).</summary>
    public static OptionRequest Tree(string prefix, params (string Suffix, string[] Continuations)[] branches) =>
        new(prefix, branches.Select(b => new OptionBranch(b.Suffix, b.Continuations.Select(c => new AnswerChoice(null, c.Trim(), c)).ToArray())).ToArray());
}
