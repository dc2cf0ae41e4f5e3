using CultureProbe.Analysis;

namespace CultureProbe.Study;

/// <summary>
/// The rank correlations of the study, as the authors' polars/scipy code computes them.
/// </summary>
/// <remarks>
/// Ranks are <see cref="Correlation.AverageRanks"/> (ties share their mean rank, as scipy and
/// polars rank). Unlike <see cref="Correlation.Spearman"/>, which reports NaN under three pairs by
/// this library's policy, a group of two pairs gives ±1 here because polars does; one pair or a
/// constant side gives NaN.
/// </remarks>
public static class RankCorrelation
{
    /// <summary>Spearman's ρ with average ranks; NaN for fewer than two pairs or a constant side.</summary>
    /// <exception cref="ArgumentException">The lengths differ or a value is not finite.</exception>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Correlation.Validate(x, y);
        if (x.Count < 2)
        {
            return double.NaN;
        }
        return PearsonOfRanks(Correlation.AverageRanks(x), Correlation.AverageRanks(y));
    }

    /// <summary>
    /// Self-consistency ρ: Spearman over every ordered pair (i, j), i ≠ j, of rows with the same
    /// topic, pooled over topics, without building the pair list.
    /// </summary>
    /// <param name="values">Each row's pro score.</param>
    /// <param name="topics">Each row's topic as a small integer id.</param>
    /// <returns>ρ (NaN when fewer than two pairs or every paired value is equal) and the number of ordered pairs.</returns>
    /// <remarks>
    /// In the pair list row i appears w_i = n_t − 1 times as first member and as often as second
    /// member (n_t = rows of its topic), so both columns hold the same weighted multiset and the
    /// average rank R_i of a value is the same on both sides. With N = Σ w_i pairs and the common
    /// mean rank m = (N + 1)/2, centring at m gives
    /// cov = Σ_t [(Σ_{i∈t} (R_i − m))² − Σ_{i∈t} (R_i − m)²] / N and var = Σ_i w_i (R_i − m)² / N,
    /// ρ = cov / var: O(n log n) instead of O(Σ n_t²) pairs.
    /// </remarks>
    public static (double Rho, long Pairs) PairConsistency(ReadOnlySpan<double> values, ReadOnlySpan<int> topics)
    {
        if (values.Length != topics.Length)
        {
            throw new ArgumentException($"values has {values.Length} rows but topics has {topics.Length}", nameof(topics));
        }
        var n = values.Length;
        var topicCount = 0;
        foreach (var t in topics)
        {
            if (t < 0)
            {
                throw new ArgumentException("topic ids must be ≥ 0", nameof(topics));
            }
            topicCount = Math.Max(topicCount, t + 1);
        }
        var perTopic = new long[topicCount];
        foreach (var t in topics)
        {
            perTopic[t]++;
        }
        long pairs = 0;
        foreach (var c in perTopic)
        {
            pairs += c * (c - 1);
        }
        if (pairs < 2)
        {
            return (double.NaN, pairs);
        }

        // Weighted average ranks: sort rows by value, give each run of equal values the mean of the
        // pair-list positions its total weight spans.
        var order = new int[n];
        var keys = new double[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
            keys[i] = values[i];
        }
        Array.Sort(keys, order);
        var rank = new double[n];
        double before = 0;
        var start = 0;
        while (start < n)
        {
            var end = start + 1;
            while (end < n && keys[end] == keys[start])
            {
                end++;
            }
            double weight = 0;
            for (var k = start; k < end; k++)
            {
                weight += perTopic[topics[order[k]]] - 1;
            }
            var r = before + ((weight + 1) / 2);
            for (var k = start; k < end; k++)
            {
                rank[order[k]] = r;
            }
            before += weight;
            start = end;
        }

        var m = (pairs + 1) / 2.0;
        var sum = new double[topicCount];
        var sumSquares = new double[topicCount];
        double variance = 0;
        for (var i = 0; i < n; i++)
        {
            var d = rank[i] - m;
            sum[topics[i]] += d;
            sumSquares[topics[i]] += d * d;
            variance += (perTopic[topics[i]] - 1) * d * d;
        }
        double covariance = 0;
        for (var t = 0; t < topicCount; t++)
        {
            covariance += (sum[t] * sum[t]) - sumSquares[t];
        }
        if (!(variance > 0))
        {
            return (double.NaN, pairs);
        }
        return (Math.Clamp(covariance / variance, -1.0, 1.0), pairs);
    }

    /// <summary>Pearson's r of two rank vectors; NaN when either is constant.</summary>
    internal static double PearsonOfRanks(double[] x, double[] y)
    {
        var n = x.Length;
        // Average ranks of n values always sum to n(n + 1)/2, so the mean is exact.
        var mean = (n + 1) / 2.0;
        double sxx = 0, syy = 0, sxy = 0;
        for (var i = 0; i < n; i++)
        {
            var dx = x[i] - mean;
            var dy = y[i] - mean;
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
        }
        if (sxx == 0 || syy == 0)
        {
            return double.NaN;
        }
        // One square root of the product (rank sums cannot overflow) keeps r = ±1 exact for two pairs.
        return Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1.0, 1.0);
    }
}
