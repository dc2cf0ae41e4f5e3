namespace CultureProbe.Analysis;

/// <summary>Holm's step-down correction of a family of p-values (Holm 1979).</summary>
/// <remarks>
/// With the m p-values sorted ascending, p(1) ≤ … ≤ p(m), the adjusted value of the i-th is
/// p̃(i) = min(1, max over j ≤ i of (m − j + 1) p(j)), reported in the input order. The running
/// maximum keeps the adjusted values in the order of the raw ones. Tied raw values get equal
/// adjusted values whatever order the sort leaves them in, because (m − j + 1) p falls along a
/// run of ties and the running maximum carries the first (largest) product through the run;
/// this is what <c>statsmodels.stats.multitest.multipletests(method='holm')</c> returns. Holm
/// controls the family-wise error rate under any dependence between the tests.
/// </remarks>
public static class MultipleTesting
{
    /// <summary>Holm-adjusted p-values, in the order of <paramref name="pValues"/>.</summary>
    /// <param name="pValues">The family's raw p-values, each in [0, 1].</param>
    /// <exception cref="ArgumentException">A p-value is NaN or outside [0, 1].</exception>
    public static double[] HolmAdjusted(IReadOnlyList<double> pValues)
    {
        var order = SortedOrder(pValues);
        var m = order.Length;
        var adjusted = new double[m];
        var running = 0.0;
        for (var rank = 0; rank < m; rank++)
        {
            running = Math.Max(running, (m - rank) * pValues[order[rank]]);
            adjusted[order[rank]] = Math.Min(1.0, running);
        }
        return adjusted;
    }

    /// <summary>
    /// Which hypotheses Holm's procedure rejects at family-wise level <paramref name="alpha"/>:
    /// going up the sorted p-values, reject while p(i) ≤ α / (m − i + 1) and stop at the first that
    /// is not (the decision form statsmodels uses; it agrees with adjusted p ≤ α up to rounding).
    /// </summary>
    /// <param name="pValues">The family's raw p-values, each in [0, 1].</param>
    /// <param name="alpha">The family-wise error rate, in (0, 1).</param>
    /// <exception cref="ArgumentException">A p-value is NaN or outside [0, 1].</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is outside (0, 1).</exception>
    public static bool[] HolmRejected(IReadOnlyList<double> pValues, double alpha = 0.05)
    {
        if (!(alpha > 0.0 && alpha < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must lie strictly between 0 and 1");
        }
        var order = SortedOrder(pValues);
        var m = order.Length;
        var rejected = new bool[m];
        for (var rank = 0; rank < m; rank++)
        {
            if (pValues[order[rank]] > alpha / (m - rank))
            {
                break;
            }
            rejected[order[rank]] = true;
        }
        return rejected;
    }

    private static int[] SortedOrder(IReadOnlyList<double> pValues)
    {
        ArgumentNullException.ThrowIfNull(pValues);
        for (var i = 0; i < pValues.Count; i++)
        {
            if (!(pValues[i] >= 0.0 && pValues[i] <= 1.0))
            {
                throw new ArgumentException($"p-value {i} must lie in [0, 1], got {pValues[i]}", nameof(pValues));
            }
        }
        var order = Enumerable.Range(0, pValues.Count).ToArray();
        // Stable (value, then index): which of several tied values comes first does not change
        // the adjusted values, but a fixed order keeps the loop's arithmetic reproducible.
        Array.Sort(order, (a, b) =>
        {
            var byValue = pValues[a].CompareTo(pValues[b]);
            return byValue != 0 ? byValue : a.CompareTo(b);
        });
        return order;
    }
}
