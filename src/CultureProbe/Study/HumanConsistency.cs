namespace CultureProbe.Study;

/// <summary>
/// The human self-consistency reference of the paper (<c>process_wvs.py</c>, SPEC e.3): how
/// well the pro shares of small random groups of a country's respondents agree with each other.
/// </summary>
/// <remarks>
/// Per country and item, <c>draws</c> times, pick <c>sampleSize</c> respondents without
/// replacement among those who answered (all of them when fewer answered) and take their weighted
/// pro share. Then pair every draw with every draw of the same (country, item) — all
/// draws × draws pairs, a draw with itself included — and take Pearson's r of the paired shares,
/// per country, pooled over items. No judge-error correction (humans are not judged).
/// Since each share appears D_item times on each side of the pair list, the pooled r has the
/// closed form r = Σ_items (Σ_d (s_d − m))² / Σ_items D_item Σ_d (s_d − m)², with m the weighted mean
/// share, which avoids building the D² pairs.
/// </remarks>
public static class HumanConsistency
{
    /// <summary>Draws per (country, item) in the paper.</summary>
    public const int DefaultDraws = 100;

    /// <summary>Respondents per draw in the paper (the ten interviews the prompt asks a model to imagine).</summary>
    public const int DefaultSampleSize = 10;

    /// <summary>Computes the reference per country, sorted by country code.</summary>
    /// <param name="answers">Valid binarised answers.</param>
    /// <param name="seed">Seed of the draws; countries and items are drawn in sorted order from one <see cref="Random"/>.</param>
    /// <param name="draws">Draws per (country, item).</param>
    /// <param name="sampleSize">Respondents per draw.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="draws"/> or <paramref name="sampleSize"/> is below 1.</exception>
    public static IReadOnlyList<HumanReference> Compute(IReadOnlyList<RespondentAnswer> answers, int seed, int draws = DefaultDraws, int sampleSize = DefaultSampleSize)
    {
        ArgumentNullException.ThrowIfNull(answers);
        ArgumentOutOfRangeException.ThrowIfLessThan(draws, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleSize, 1);
        var random = new Random(seed);
        var result = new List<HumanReference>();
        var byCountry = answers.GroupBy(a => a.Country, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var country in byCountry)
        {
            var items = new List<double[]>();
            foreach (var item in country.GroupBy(a => a.Topic, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var pool = item.ToArray();
                var shares = new List<double>(draws);
                var indices = new int[pool.Length];
                for (var d = 0; d < draws; d++)
                {
                    for (var i = 0; i < indices.Length; i++)
                    {
                        indices[i] = i;
                    }
                    var take = Math.Min(sampleSize, pool.Length);
                    // Partial Fisher–Yates: the first `take` positions are a uniform draw without replacement.
                    for (var i = 0; i < take; i++)
                    {
                        var j = random.Next(i, indices.Length);
                        (indices[i], indices[j]) = (indices[j], indices[i]);
                    }
                    double weight = 0, pro = 0;
                    for (var i = 0; i < take; i++)
                    {
                        var answer = pool[indices[i]];
                        weight += answer.Weight;
                        pro += answer.IsPro ? answer.Weight : 0;
                    }
                    if (weight > 0)
                    {
                        shares.Add(pro / weight);
                    }
                }
                if (shares.Count > 0)
                {
                    items.Add([.. shares]);
                }
            }
            result.Add(new HumanReference(country.Key, PooledSelfPairCorrelation(items), items.Count));
        }
        return result;
    }

    /// <summary>Pearson's r over all (d1, d2) pairs of draws within each item, pooled over items; NaN when every share is equal.</summary>
    internal static double PooledSelfPairCorrelation(IReadOnlyList<double[]> items)
    {
        // Each share of an item with D draws appears D times on each side of the pair list.
        double weightSum = 0, weighted = 0;
        foreach (var shares in items)
        {
            weightSum += (double)shares.Length * shares.Length;
            weighted += shares.Length * shares.Sum();
        }
        if (weightSum == 0)
        {
            return double.NaN;
        }
        var mean = weighted / weightSum;
        double covariance = 0, variance = 0;
        foreach (var shares in items)
        {
            double sum = 0, squares = 0;
            foreach (var s in shares)
            {
                sum += s - mean;
                squares += (s - mean) * (s - mean);
            }
            covariance += sum * sum;
            variance += shares.Length * squares;
        }
        return variance > 0 ? Math.Clamp(covariance / variance, -1.0, 1.0) : double.NaN;
    }
}
