namespace CultureProbe.Analysis;

/// <summary>The outcome of a two-sided permutation test.</summary>
/// <param name="Statistic">The observed statistic (a mean difference); NaN when there was nothing to test.</param>
/// <param name="PValue">Two-sided p-value in (0, 1]; NaN when there was nothing to test.</param>
/// <param name="Exact">True when every arrangement was enumerated; false when arrangements were drawn at random.</param>
/// <param name="Arrangements">
/// Null arrangements the p-value counts over: all of them when <see cref="Exact"/>, else the
/// number drawn.
/// </param>
public sealed record PermutationTestResult(double Statistic, double PValue, bool Exact, long Arrangements)
{
    /// <summary>A result with no statistic and no p-value (an empty sample).</summary>
    public static PermutationTestResult Undefined { get; } = new(double.NaN, double.NaN, false, 0);
}

/// <summary>
/// Two-sided permutation tests of a mean difference, following the conventions of
/// <c>scipy.stats.permutation_test</c> (scipy 1.10) exactly, apart from the random stream.
/// </summary>
/// <remarks>
/// <para>
/// <b>Exact or randomised.</b> When the number of distinct arrangements is at most the budget
/// (<c>resamples</c>), every arrangement is evaluated once and the p-value is a count over all of
/// them, with no correction: the observed arrangement is one of them. Otherwise
/// <c>resamples</c> arrangements are drawn at random (the identity can be drawn) and each
/// one-sided p-value is (count + 1) / (resamples + 1), which counts the observed statistic as
/// one member of the null so a p-value is never 0 (Phipson &amp; Smyth 2010).
/// </para>
/// <para>
/// <b>Two-sided.</b> p = min(1, 2 · min(p_less, p_greater)), where p_less counts null values
/// T* ≤ T + γ and p_greater counts T* ≥ T − γ, with γ = max(1e-14, 1e-14 · |T|): null values
/// within γ of the observed one count as equal to it, so that arrangements equal in exact
/// arithmetic but rounded differently are not split.
/// </para>
/// <para>
/// <b>Draws.</b> One <c>new Random(seed)</c> per test. Paired: for each resample, for each pair i
/// in order, <c>Next(2) == 1</c> flips the sign of d_i. Independent: the pooled indices (first
/// sample, then second) are shuffled in place by Fisher–Yates (i from n − 1 down to 1,
/// j = <c>Next(i + 1)</c>), without resetting between resamples, and the first n₁ positions form
/// the first group. scipy's draws come from numpy's generator and cannot be reproduced, so
/// randomised p-values agree with scipy only within Monte Carlo error; exact ones agree exactly.
/// </para>
/// </remarks>
public static class PermutationTest
{
    /// <summary>The budget unless told otherwise: scipy's default <c>n_resamples</c>.</summary>
    public const int DefaultResamples = 9999;

    /// <summary>
    /// Sign-flip test of the mean of paired differences d_i = a_i − b_i: under the null each
    /// pair's two values are exchangeable, so each d_i keeps or flips its sign (scipy's
    /// <c>permutation_type='samples'</c> with the statistic mean(a − b)). There are 2ⁿ arrangements.
    /// </summary>
    /// <param name="differences">The paired differences; all finite. Empty gives <see cref="PermutationTestResult.Undefined"/>.</param>
    /// <param name="seed">Seed of the random arrangements (unused when the test is exact).</param>
    /// <param name="resamples">The budget: exact when 2ⁿ ≤ budget, else this many random arrangements.</param>
    /// <exception cref="ArgumentException">A difference is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="resamples"/> is below 1.</exception>
    public static PermutationTestResult PairedSignFlip(IReadOnlyList<double> differences, int seed, int resamples = DefaultResamples)
    {
        ValidateSample(differences, nameof(differences));
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        var n = differences.Count;
        if (n == 0)
        {
            return PermutationTestResult.Undefined;
        }
        var observed = Mean(differences);
        var signed = new double[n];
        var counter = new TailCounter(observed);
        // 2^n ≤ resamples ≤ int.MaxValue needs n ≤ 30, so the shift cannot overflow.
        if (n <= 30 && (1L << n) <= resamples)
        {
            var arrangements = 1L << n;
            for (var mask = 0L; mask < arrangements; mask++)
            {
                for (var i = 0; i < n; i++)
                {
                    signed[i] = ((mask >> i) & 1L) == 1L ? -differences[i] : differences[i];
                }
                counter.Add(Mean(signed));
            }
            return new PermutationTestResult(observed, counter.TwoSided(arrangements, exact: true), true, arrangements);
        }
        var random = new Random(seed);
        for (var b = 0; b < resamples; b++)
        {
            for (var i = 0; i < n; i++)
            {
                signed[i] = random.Next(2) == 1 ? -differences[i] : differences[i];
            }
            counter.Add(Mean(signed));
        }
        return new PermutationTestResult(observed, counter.TwoSided(resamples, exact: false), false, resamples);
    }

    /// <summary>
    /// Test of mean(first) − mean(second) for two independent samples: under the null the group
    /// labels are exchangeable, so every split of the pooled values into groups of the same sizes
    /// is equally likely (scipy's <c>permutation_type='independent'</c>). There are C(n₁ + n₂, n₁)
    /// distinct splits.
    /// </summary>
    /// <param name="first">The first sample; all finite.</param>
    /// <param name="second">The second sample; all finite.</param>
    /// <param name="seed">Seed of the random splits (unused when the test is exact).</param>
    /// <param name="resamples">The budget: exact when C(n₁ + n₂, n₁) ≤ budget, else this many random splits.</param>
    /// <returns>The test; <see cref="PermutationTestResult.Undefined"/> when either sample is empty.</returns>
    /// <exception cref="ArgumentException">A value is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="resamples"/> is below 1.</exception>
    public static PermutationTestResult Independent(IReadOnlyList<double> first, IReadOnlyList<double> second, int seed, int resamples = DefaultResamples)
    {
        ValidateSample(first, nameof(first));
        ValidateSample(second, nameof(second));
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 1);
        var n1 = first.Count;
        var n = n1 + second.Count;
        if (n1 == 0 || second.Count == 0)
        {
            return PermutationTestResult.Undefined;
        }
        var pooled = new double[n];
        for (var i = 0; i < n; i++)
        {
            pooled[i] = i < n1 ? first[i] : second[i - n1];
        }
        var inFirst = new bool[n];
        for (var i = 0; i < n1; i++)
        {
            inFirst[i] = true;
        }
        var observed = SplitDifference(pooled, inFirst, n1);
        var counter = new TailCounter(observed);
        var splits = Binomial(n, n1, resamples);
        if (splits <= resamples)
        {
            // Every n1-subset of the pooled indices, in lexicographic order.
            var chosen = new int[n1];
            for (var i = 0; i < n1; i++)
            {
                chosen[i] = i;
            }
            while (true)
            {
                Array.Clear(inFirst);
                foreach (var index in chosen)
                {
                    inFirst[index] = true;
                }
                counter.Add(SplitDifference(pooled, inFirst, n1));
                var k = n1 - 1;
                while (k >= 0 && chosen[k] == n - n1 + k)
                {
                    k--;
                }
                if (k < 0)
                {
                    break;
                }
                chosen[k]++;
                for (var j = k + 1; j < n1; j++)
                {
                    chosen[j] = chosen[j - 1] + 1;
                }
            }
            return new PermutationTestResult(observed, counter.TwoSided(splits, exact: true), true, splits);
        }
        var random = new Random(seed);
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }
        for (var b = 0; b < resamples; b++)
        {
            for (var i = n - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            Array.Clear(inFirst);
            for (var i = 0; i < n1; i++)
            {
                inFirst[order[i]] = true;
            }
            counter.Add(SplitDifference(pooled, inFirst, n1));
        }
        return new PermutationTestResult(observed, counter.TwoSided(resamples, exact: false), false, resamples);
    }

    /// <summary>C(n, k), or a number above <paramref name="cap"/> as soon as it exceeds it (no overflow).</summary>
    internal static long Binomial(int n, int k, long cap)
    {
        k = Math.Min(k, n - k);
        long value = 1;
        for (var i = 1; i <= k; i++)
        {
            // value · (n − k + i) / i is C(n − k + i, i), an integer at every step.
            var numerator = (Int128)value * (n - k + i);
            value = (long)(numerator / i);
            if (value > cap)
            {
                return cap + 1;
            }
        }
        return value;
    }

    /// <summary>Left-to-right sum divided by n: the same arithmetic for the observed and every null statistic.</summary>
    internal static double Mean(IReadOnlyList<double> values)
    {
        var sum = 0.0;
        for (var i = 0; i < values.Count; i++)
        {
            sum += values[i];
        }
        return sum / values.Count;
    }

    /// <summary>Mean of the values flagged <c>true</c> minus the mean of the others, each summed in index order.</summary>
    private static double SplitDifference(double[] pooled, bool[] inFirst, int n1)
    {
        double sumFirst = 0.0, sumSecond = 0.0;
        for (var i = 0; i < pooled.Length; i++)
        {
            if (inFirst[i])
            {
                sumFirst += pooled[i];
            }
            else
            {
                sumSecond += pooled[i];
            }
        }
        return (sumFirst / n1) - (sumSecond / (pooled.Length - n1));
    }

    internal static void ValidateSample(IReadOnlyList<double> values, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        for (var i = 0; i < values.Count; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new ArgumentException($"value {i} is not finite: {values[i]}", name);
            }
        }
    }

    /// <summary>Counts null statistics at or below, and at or above, the observed one (with scipy's tolerance).</summary>
    private sealed class TailCounter(double observed)
    {
        private const double RelativeTolerance = 1e-14;
        private readonly double _gamma = Math.Max(RelativeTolerance, Math.Abs(RelativeTolerance * observed));
        private long _atOrBelow;
        private long _atOrAbove;

        public void Add(double value)
        {
            if (value <= observed + _gamma)
            {
                _atOrBelow++;
            }
            if (value >= observed - _gamma)
            {
                _atOrAbove++;
            }
        }

        public double TwoSided(long arrangements, bool exact)
        {
            var adjustment = exact ? 0 : 1;
            var less = (double)(_atOrBelow + adjustment) / (arrangements + adjustment);
            var greater = (double)(_atOrAbove + adjustment) / (arrangements + adjustment);
            return Math.Clamp(2.0 * Math.Min(less, greater), 0.0, 1.0);
        }
    }
}
