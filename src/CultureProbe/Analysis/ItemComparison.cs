using CultureProbe.Surveys;

namespace CultureProbe.Analysis;

/// <summary>Every per-item figure comparing a model's answer distribution p with a population's r.</summary>
/// <param name="Question">Question code.</param>
/// <param name="ModelMean">Σ p_k s_k; null for nominal items.</param>
/// <param name="HumanMean">Σ r_k s_k; null for nominal items.</param>
/// <param name="JensenShannonAlignment">1 − Jensen–Shannon distance (base 2), in [0, 1].</param>
/// <param name="Wasserstein">Wasserstein-1 over the semantic positions divided by K − 1, in [0, 1]; null for nominal items.</param>
/// <param name="ModelTop">Option index (option order) of the model's top answer.</param>
/// <param name="HumanTop">Option index (option order) of the population's top answer.</param>
public sealed record ItemComparison(
    string Question,
    double? ModelMean,
    double? HumanMean,
    double JensenShannonAlignment,
    double? Wasserstein,
    int ModelTop,
    int HumanTop)
{
    /// <summary>Whether the model's and the population's top answers are the same option.</summary>
    public bool TopAnswerMatches => ModelTop == HumanTop;

    /// <summary>
    /// Compares p with r over <paramref name="question"/>'s options (both in option order). Ordinal
    /// items get mean scores and the transport distance; top-answer ties go to the option first
    /// in semantic order (option order for nominal items), with
    /// <see cref="DistributionMetrics.DefaultTopAnswerTolerance"/>.
    /// </summary>
    public static ItemComparison Compare(IReadOnlyList<double> p, IReadOnlyList<double> r, SurveyQuestion question)
    {
        ArgumentNullException.ThrowIfNull(question);
        if (p.Count != question.Options.Count || r.Count != question.Options.Count)
        {
            throw new ArgumentException($"question {question.Code} has {question.Options.Count} options; p has {p.Count}, r has {r.Count}", nameof(p));
        }
        var ordinal = question.IsOrdinal && question.Options.All(o => o.Rank is not null && o.Score is not null);
        var ranks = ordinal ? DistributionMetrics.RanksOf(question) : null;
        return new ItemComparison(
            question.Code,
            ordinal ? DistributionMetrics.MeanScore(p, question) : null,
            ordinal ? DistributionMetrics.MeanScore(r, question) : null,
            DistributionMetrics.JensenShannonAlignment(p, r),
            ranks is null ? null : DistributionMetrics.Wasserstein1Normalized(p, r, ranks),
            DistributionMetrics.TopAnswer(p, ranks),
            DistributionMetrics.TopAnswer(r, ranks));
    }
}
