using CultureProbe.Analysis;
using CultureProbe.Surveys;

namespace CultureProbe.Prompts;

/// <summary>One choice as it is put to the model: a label standing for one or more answer codes.</summary>
/// <param name="Label">What the model reads.</param>
/// <param name="Codes">Survey answer codes it stands for (several when a scale is collapsed).</param>
/// <param name="Score">Evenly spaced score over [-1, 1] in semantic order; null for nominal items.</param>
public sealed record PresentedOption(string Label, IReadOnlyList<int> Codes, double? Score);

/// <summary>
/// A survey item as it is asked: the question and the options in native code order, or the
/// groups of a collapsed 10-point scale in semantic order.
/// </summary>
public sealed record AskedQuestion(SurveyQuestion Question, IReadOnlyList<PresentedOption> Options, int? CollapseSize)
{
    /// <summary>
    /// Presents <paramref name="question"/>, collapsing a 10-point scale to
    /// <paramref name="collapseSize"/> groups when the bank defines that collapse.
    /// </summary>
    public static AskedQuestion Create(SurveyQuestion question, int? collapseSize = null)
    {
        ArgumentNullException.ThrowIfNull(question);
        var collapse = collapseSize is null ? null : question.Collapses.FirstOrDefault(c => c.Size == collapseSize);
        if (collapse is null)
        {
            return new AskedQuestion(question, question.Options.Select(o => new PresentedOption(o.Label, [o.Code], o.Score)).ToArray(), null);
        }
        var groups = collapse.Groups.Select((g, rank) => new PresentedOption(g.Label, g.Codes, SurveyQuestion.ScoreForRank(rank, collapse.Groups.Count))).ToArray();
        return new AskedQuestion(question, groups, collapse.Size);
    }

    /// <summary>
    /// The population's distribution over the presented options (see <see cref="HumanDistribution.Over"/>);
    /// null when the pack has no distribution or no answer on the scale is left.
    /// </summary>
    public double[]? HumanShares(ItemDistribution? distribution) =>
        distribution is null ? null : HumanDistribution.Over(distribution, Options.Select(o => o.Codes).ToArray());

    /// <summary>The letter that labels option <paramref name="index"/> (A, B, …).</summary>
    public static string Letter(int index) => ((char)('A' + index)).ToString();
}
