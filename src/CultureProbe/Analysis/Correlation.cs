namespace CultureProbe.Analysis;

/// <summary>A correlation coefficient together with the number of pairs it was computed from.</summary>
/// <param name="Value">The coefficient in [-1, 1], or <see cref="double.NaN"/> when it is undefined.</param>
/// <param name="N">Number of (x, y) pairs.</param>
public readonly record struct CorrelationResult(double Value, int N)
{
    /// <summary>Whether <see cref="Value"/> is a number (n ≥ 3 and neither side constant).</summary>
    public bool IsDefined => !double.IsNaN(Value);
}

/// <summary>
/// Pearson and Spearman correlation of paired samples.
/// </summary>
/// <remarks>
/// Both coefficients are <see cref="double.NaN"/> when n &lt; 3 (two points always lie on a
/// line, so r = ±1 carries no information) or when either side has zero variance (every value
/// equal, or for Spearman every rank equal). Sums are taken over centred values (two passes),
/// which avoids the cancellation of the one-pass Σxy − n·x̄·ȳ formula.
/// Spearman ranks ties by their average rank, as <c>scipy.stats.spearmanr</c> does.
/// </remarks>
public static class Correlation
{
    /// <summary>The fewest pairs for which a coefficient is reported.</summary>
    public const int MinimumPairs = 3;

    /// <summary>Pearson's product-moment correlation of <paramref name="x"/> and <paramref name="y"/>.</summary>
    /// <exception cref="ArgumentException">The lengths differ or a value is not finite.</exception>
    public static CorrelationResult Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        Validate(x, y);
        return new CorrelationResult(PearsonCore(x, y), x.Count);
    }

    /// <summary>
    /// Spearman's rank correlation: Pearson's r of the average ranks.
    /// </summary>
    /// <param name="x">First sample.</param>
    /// <param name="y">Second sample, paired with <paramref name="x"/>.</param>
    /// <param name="tieTolerance">
    /// Relative tolerance under which values count as tied (see <see cref="AverageRanks"/>);
    /// 0, the default, keeps only exact ties, as scipy does.
    /// </param>
    /// <exception cref="ArgumentException">The lengths differ, a value is not finite, or the tolerance is negative.</exception>
    public static CorrelationResult Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y, double tieTolerance = 0.0)
    {
        Validate(x, y);
        return new CorrelationResult(PearsonCore(AverageRanks(x, tieTolerance), AverageRanks(y, tieTolerance)), x.Count);
    }

    /// <summary>
    /// Ranks 1..n with tied values sharing the mean of the ranks they span (scipy's
    /// <c>rankdata(method="average")</c>).
    /// </summary>
    /// <param name="values">The values to rank; all finite.</param>
    /// <param name="tieTolerance">
    /// Relative tolerance: after sorting, a value joins the tie group of its predecessor when
    /// they differ by at most <c>tieTolerance · max(1, |a|, |b|)</c>. Groups chain, so a run of
    /// values each within the tolerance of the next is one group. Use a tolerance such as 1e-12
    /// when mathematically equal values may have been computed along different floating-point
    /// paths (e.g. mean scores summed in different orders) and must still tie.
    /// </param>
    public static double[] AverageRanks(IReadOnlyList<double> values, double tieTolerance = 0.0)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!(tieTolerance >= 0.0) || double.IsInfinity(tieTolerance))
        {
            throw new ArgumentException("the tie tolerance must be a finite number ≥ 0", nameof(tieTolerance));
        }
        var n = values.Count;
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }
        // A stable order (value, then index) keeps the ranks independent of the sort algorithm.
        Array.Sort(order, (a, b) =>
        {
            var byValue = values[a].CompareTo(values[b]);
            return byValue != 0 ? byValue : a.CompareTo(b);
        });
        var ranks = new double[n];
        var start = 0;
        while (start < n)
        {
            var end = start + 1;
            while (end < n && AreTied(values[order[end - 1]], values[order[end]], tieTolerance))
            {
                end++;
            }
            // Positions start..end-1 hold ranks start+1..end; their mean is exact in double for any realistic n.
            var rank = (start + 1 + end) / 2.0;
            for (var k = start; k < end; k++)
            {
                ranks[order[k]] = rank;
            }
            start = end;
        }
        return ranks;
    }

    private static bool AreTied(double a, double b, double tolerance) =>
        a == b || (tolerance > 0.0 && Math.Abs(b - a) <= tolerance * Math.Max(1.0, Math.Max(Math.Abs(a), Math.Abs(b))));

    internal static double PearsonCore(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var n = x.Count;
        if (n < MinimumPairs || IsConstant(x) || IsConstant(y))
        {
            return double.NaN;
        }
        var meanX = Mean(x);
        var meanY = Mean(y);
        double sxx = 0.0, syy = 0.0, sxy = 0.0;
        for (var i = 0; i < n; i++)
        {
            var dx = x[i] - meanX;
            var dy = y[i] - meanY;
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
        }
        if (sxx == 0.0 || syy == 0.0)
        {
            return double.NaN;
        }
        // sqrt of each factor separately: sxx·syy can underflow or overflow where the quotient would not.
        var r = sxy / (Math.Sqrt(sxx) * Math.Sqrt(syy));
        return Math.Clamp(r, -1.0, 1.0);
    }

    internal static double Mean(IReadOnlyList<double> values)
    {
        var sum = 0.0;
        for (var i = 0; i < values.Count; i++)
        {
            sum += values[i];
        }
        var mean = sum / values.Count;
        // Second pass corrects the rounding of the first (the classic two-pass refinement).
        var correction = 0.0;
        for (var i = 0; i < values.Count; i++)
        {
            correction += values[i] - mean;
        }
        return mean + (correction / values.Count);
    }

    private static bool IsConstant(IReadOnlyList<double> values)
    {
        for (var i = 1; i < values.Count; i++)
        {
            if (values[i] != values[0])
            {
                return false;
            }
        }
        return true;
    }

    internal static void Validate(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count)
        {
            throw new ArgumentException($"paired samples must have the same length: x has {x.Count} values, y has {y.Count}", nameof(y));
        }
        for (var i = 0; i < x.Count; i++)
        {
            if (!double.IsFinite(x[i]) || !double.IsFinite(y[i]))
            {
                throw new ArgumentException($"pair {i} is not finite: x = {x[i]}, y = {y[i]}", nameof(x));
            }
        }
    }
}
