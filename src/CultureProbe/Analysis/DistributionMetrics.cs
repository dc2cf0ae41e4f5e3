namespace CultureProbe.Analysis;

/// <summary>
/// Per-item comparisons of a model's answer distribution p with a population's r, both given
/// over a question's options in option (native code) order.
/// </summary>
/// <remarks>
/// Distributions must be non-negative with a positive sum. The divergence and transport
/// metrics divide each side by its sum first, as scipy does, so shares that sum to 1 only up
/// to rounding are compared as distributions.
/// </remarks>
public static class DistributionMetrics
{
    private static readonly double Ln2 = Math.Log(2.0);

    /// <summary>
    /// Jensen–Shannon distance in base 2: √JSD(p‖q) with the divergence in bits, in [0, 1]
    /// (scipy <c>spatial.distance.jensenshannon(p, q, base=2)</c>). Zero shares are allowed:
    /// 0·log 0 counts as 0.
    /// </summary>
    public static double JensenShannonDistance(IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        ValidatePair(p, q);
        var sumP = Sum(p);
        var sumQ = Sum(q);
        double left = 0.0, right = 0.0;
        for (var k = 0; k < p.Count; k++)
        {
            var pk = p[k] / sumP;
            var qk = q[k] / sumQ;
            var m = (pk + qk) / 2.0;
            left += RelativeEntropyTerm(pk, m);
            right += RelativeEntropyTerm(qk, m);
        }
        var divergenceBits = (left + right) / Ln2 / 2.0;
        // Rounding can leave a tiny negative divergence for (almost) equal inputs; the distance is 0 there.
        return Math.Min(1.0, Math.Sqrt(Math.Max(0.0, divergenceBits)));
    }

    /// <summary>Distribution alignment 1 − <see cref="JensenShannonDistance"/>, in [0, 1]; 1 for equal distributions.</summary>
    public static double JensenShannonAlignment(IReadOnlyList<double> p, IReadOnlyList<double> q) => 1.0 - JensenShannonDistance(p, q);

    /// <summary>
    /// Wasserstein-1 (earth mover's) distance between p and q on an ordinal scale whose options
    /// sit at positions 0..K−1, divided by its maximum K−1 so that it lies in [0, 1]; 1 means all
    /// of p's mass at one pole and all of q's at the other. Equals
    /// <c>scipy.stats.wasserstein_distance(ranks, ranks, p, q) / (K − 1)</c>.
    /// </summary>
    /// <param name="p">First distribution, in option order.</param>
    /// <param name="q">Second distribution, in option order.</param>
    /// <param name="ranks">Semantic rank of each option (a permutation of 0..K−1), in option order.</param>
    /// <returns>The normalised distance; NaN when K &lt; 2 (no scale to move along).</returns>
    public static double Wasserstein1Normalized(IReadOnlyList<double> p, IReadOnlyList<double> q, IReadOnlyList<int> ranks)
    {
        ValidatePair(p, q);
        var order = RankOrder(ranks, p.Count);
        var k = p.Count;
        if (k < 2)
        {
            return double.NaN;
        }
        var sumP = Sum(p);
        var sumQ = Sum(q);
        double cumulativeP = 0.0, cumulativeQ = 0.0, distance = 0.0;
        // W1 on unit-spaced points is the sum of |CDF_p − CDF_q| over the K−1 gaps.
        for (var position = 0; position < k - 1; position++)
        {
            cumulativeP += p[order[position]];
            cumulativeQ += q[order[position]];
            distance += Math.Abs((cumulativeP / sumP) - (cumulativeQ / sumQ));
        }
        return Math.Clamp(distance / (k - 1), 0.0, 1.0);
    }

    /// <summary>
    /// Shares closer than this to the largest one count as tied for the top answer. Shares lie in
    /// [0, 1]; averaging or renormalising along different paths moves them by ~1e-16, and real
    /// shares that differ do so by far more than 1e-12.
    /// </summary>
    public const double DefaultTopAnswerTolerance = 1e-12;

    /// <summary>
    /// Index (in option order) of the most likely option. Options whose share is within
    /// <paramref name="tieTolerance"/> of the largest tie, and the tie goes to the one first in
    /// semantic order (lowest rank), or first in option order when <paramref name="ranks"/> is
    /// null (nominal items).
    /// </summary>
    /// <param name="distribution">The distribution, in option order.</param>
    /// <param name="ranks">Semantic rank of each option, or null for option order.</param>
    /// <param name="tieTolerance">Absolute tolerance on shares; 0 keeps only exact ties.</param>
    public static int TopAnswer(IReadOnlyList<double> distribution, IReadOnlyList<int>? ranks = null, double tieTolerance = DefaultTopAnswerTolerance)
    {
        ValidateDistribution(distribution, nameof(distribution));
        if (!(tieTolerance >= 0.0))
        {
            throw new ArgumentException("the tie tolerance must be ≥ 0", nameof(tieTolerance));
        }
        var order = ranks is null ? Enumerable.Range(0, distribution.Count).ToArray() : RankOrder(ranks, distribution.Count);
        var max = distribution.Max();
        // The first option (in semantic order) that reaches the maximum, up to the tolerance:
        // well defined even when several shares lie within the tolerance of each other.
        foreach (var option in order)
        {
            if (distribution[option] >= max - tieTolerance)
            {
                return option;
            }
        }
        return order[0];
    }

    /// <summary>Mean score Σ p_k s_k, summed in option order; with p a distribution and scores in [−1, 1] it lies in [−1, 1].</summary>
    public static double MeanScore(IReadOnlyList<double> distribution, IReadOnlyList<double> scores)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(scores);
        if (distribution.Count != scores.Count)
        {
            throw new ArgumentException($"a distribution over {distribution.Count} options needs {distribution.Count} scores, got {scores.Count}", nameof(scores));
        }
        var sum = 0.0;
        for (var k = 0; k < distribution.Count; k++)
        {
            sum += distribution[k] * scores[k];
        }
        return sum;
    }

    /// <summary>Option indices sorted by semantic rank; checks that ranks are a permutation of 0..K−1.</summary>
    private static int[] RankOrder(IReadOnlyList<int> ranks, int optionCount)
    {
        ArgumentNullException.ThrowIfNull(ranks);
        if (ranks.Count != optionCount)
        {
            throw new ArgumentException($"{optionCount} options need {optionCount} ranks, got {ranks.Count}", nameof(ranks));
        }
        var order = new int[optionCount];
        var seen = new bool[optionCount];
        for (var option = 0; option < optionCount; option++)
        {
            var rank = ranks[option];
            if (rank < 0 || rank >= optionCount || seen[rank])
            {
                throw new ArgumentException($"ranks must be a permutation of 0..{optionCount - 1}; option {option} has rank {rank}", nameof(ranks));
            }
            seen[rank] = true;
            order[rank] = option;
        }
        return order;
    }

    private static double RelativeEntropyTerm(double x, double y) => x > 0.0 ? x * Math.Log(x / y) : 0.0;

    private static double Sum(IReadOnlyList<double> values)
    {
        var sum = 0.0;
        for (var i = 0; i < values.Count; i++)
        {
            sum += values[i];
        }
        return sum;
    }

    private static void ValidatePair(IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        ValidateDistribution(p, nameof(p));
        ValidateDistribution(q, nameof(q));
        if (p.Count != q.Count)
        {
            throw new ArgumentException($"distributions must cover the same options: p has {p.Count}, q has {q.Count}", nameof(q));
        }
    }

    internal static void ValidateDistribution(IReadOnlyList<double> distribution, string name)
    {
        ArgumentNullException.ThrowIfNull(distribution, name);
        if (distribution.Count == 0)
        {
            throw new ArgumentException("a distribution needs at least one option", name);
        }
        var sum = 0.0;
        for (var k = 0; k < distribution.Count; k++)
        {
            if (!(distribution[k] >= 0.0) || double.IsPositiveInfinity(distribution[k]))
            {
                throw new ArgumentException($"share {k} is {distribution[k]}: shares must be finite and ≥ 0", name);
            }
            sum += distribution[k];
        }
        if (!(sum > 0.0))
        {
            throw new ArgumentException("a distribution needs a positive total", name);
        }
    }
}
