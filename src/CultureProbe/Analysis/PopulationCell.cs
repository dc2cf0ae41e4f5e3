namespace CultureProbe.Analysis;

/// <summary>
/// A population's weighted answer distribution to one question in one country, over the options'
/// scores: what the noise ceiling and the small-sample reference start from.
/// </summary>
/// <remarks>
/// The caller builds one from a pack's <c>ItemDistribution</c>: the shares of the question's options
/// (<see cref="HumanDistribution.Over"/>), the options' scores in [−1, 1], and
/// <c>ItemDistribution.EffectiveN</c>. That n_eff is Kish's over every valid answer, off-scale codes
/// included, so for an item with other codes it slightly overstates the information in the on-scale
/// shares.
/// </remarks>
/// <param name="Country">Country code.</param>
/// <param name="Question">Question code.</param>
/// <param name="Shares">Weighted share of each option (finite, ≥ 0, positive total; renormalised to sum to 1).</param>
/// <param name="Scores">Each option's score, in the order of <paramref name="Shares"/>.</param>
/// <param name="EffectiveN">Kish's effective sample size (Σw)² / Σw² of the cell.</param>
public sealed record PopulationCell(string Country, string Question, IReadOnlyList<double> Shares, IReadOnlyList<double> Scores, double EffectiveN)
{
    /// <summary>The shares divided by their total, checked.</summary>
    /// <exception cref="ArgumentException">The shares or scores are malformed.</exception>
    internal double[] NormalisedShares()
    {
        ArgumentNullException.ThrowIfNull(Shares);
        ArgumentNullException.ThrowIfNull(Scores);
        if (Shares.Count != Scores.Count || Shares.Count == 0)
        {
            throw new ArgumentException($"{Country} / {Question}: {Shares.Count} shares and {Scores.Count} scores; both need one value per option");
        }
        var total = 0.0;
        for (var k = 0; k < Shares.Count; k++)
        {
            if (!(double.IsFinite(Shares[k]) && Shares[k] >= 0.0) || !double.IsFinite(Scores[k]))
            {
                throw new ArgumentException($"{Country} / {Question}: option {k} has share {Shares[k]} and score {Scores[k]}; shares must be finite and ≥ 0, scores finite");
            }
            total += Shares[k];
        }
        if (!(total > 0.0))
        {
            throw new ArgumentException($"{Country} / {Question}: the shares sum to {total}; at least one must be positive");
        }
        return Shares.Select(s => s / total).ToArray();
    }

    /// <summary>The population's mean score Σ p_k s_k, summed in option order.</summary>
    /// <exception cref="ArgumentException">The shares or scores are malformed.</exception>
    public double MeanScore()
    {
        var p = NormalisedShares();
        var mean = 0.0;
        for (var k = 0; k < p.Length; k++)
        {
            mean += p[k] * Scores[k];
        }
        return mean;
    }

    /// <summary>
    /// The spread of individual scores, σ̂² = Σ p_k (s_k − m)²: the variance of the weighted
    /// distribution itself (the plug-in estimate, divisor n).
    /// </summary>
    /// <exception cref="ArgumentException">The shares or scores are malformed.</exception>
    public double ScoreVariance()
    {
        var p = NormalisedShares();
        var mean = MeanScore();
        var variance = 0.0;
        for (var k = 0; k < p.Length; k++)
        {
            var deviation = Scores[k] - mean;
            variance += p[k] * deviation * deviation;
        }
        return variance;
    }

    /// <summary>
    /// The standard error of <see cref="MeanScore"/>: sqrt(σ̂² / (n_eff − 1)), i.e. the plug-in
    /// variance made unbiased by n_eff / (n_eff − 1) and divided by n_eff. NaN when n_eff ≤ 1 (no
    /// spread can be estimated from one effective respondent).
    /// </summary>
    /// <exception cref="ArgumentException">The shares or scores are malformed, or n_eff is not a finite positive number.</exception>
    public double StandardError()
    {
        if (!(double.IsFinite(EffectiveN) && EffectiveN > 0.0))
        {
            throw new ArgumentException($"{Country} / {Question}: the effective sample size must be a finite positive number, got {EffectiveN}");
        }
        return EffectiveN > 1.0 ? Math.Sqrt(ScoreVariance() / (EffectiveN - 1.0)) : double.NaN;
    }
}
