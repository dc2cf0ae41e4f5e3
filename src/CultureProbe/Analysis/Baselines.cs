using CultureProbe.Surveys;

namespace CultureProbe.Analysis;

/// <summary>
/// Reference answer distributions that every alignment table is read against: what a model
/// would score by answering uniformly, by giving the average of all countries, or by giving
/// another country's answers.
/// </summary>
public static class Baselines
{
    /// <summary>The uniform distribution over <paramref name="optionCount"/> options.</summary>
    public static double[] Uniform(int optionCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(optionCount, 1);
        var result = new double[optionCount];
        Array.Fill(result, 1.0 / optionCount);
        return result;
    }

    /// <summary>
    /// The pooled all-country distribution: the unweighted mean of the per-country distributions,
    /// so each country counts once whatever its sample size or population (a "typical country",
    /// not the world's respondents). Countries are summed in the order given.
    /// </summary>
    /// <exception cref="ArgumentException">No distributions, or they differ in length.</exception>
    public static double[] Pooled(IReadOnlyList<IReadOnlyList<double>> perCountry)
    {
        ArgumentNullException.ThrowIfNull(perCountry);
        if (perCountry.Count == 0)
        {
            throw new ArgumentException("pooling needs at least one country's distribution", nameof(perCountry));
        }
        var k = perCountry[0].Count;
        var result = new double[k];
        foreach (var distribution in perCountry)
        {
            if (distribution.Count != k)
            {
                throw new ArgumentException($"every distribution must cover the same {k} options, one has {distribution.Count}", nameof(perCountry));
            }
            for (var i = 0; i < k; i++)
            {
                result[i] += distribution[i];
            }
        }
        for (var i = 0; i < k; i++)
        {
            result[i] /= perCountry.Count;
        }
        return result;
    }

    /// <summary>
    /// <see cref="Pooled(IReadOnlyList{IReadOnlyList{double}})"/> of the human distributions of
    /// <paramref name="question"/> in <paramref name="countries"/> (sorted ordinally first, so
    /// the result does not depend on their order); countries where the item was not asked are
    /// left out. Null when no country has it.
    /// </summary>
    public static double[]? Pooled(SurveyPack pack, SurveyQuestion question, IEnumerable<string> countries)
    {
        ArgumentNullException.ThrowIfNull(pack);
        ArgumentNullException.ThrowIfNull(countries);
        var distributions = countries.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(country => HumanDistribution.From(pack, country, question))
            .OfType<double[]>()
            .ToArray<IReadOnlyList<double>>();
        return distributions.Length == 0 ? null : Pooled(distributions);
    }

    /// <summary>
    /// The shuffled-country control's assignment: each country is mapped to a different country
    /// whose human answers stand in for its own, through a derangement (a permutation with no
    /// fixed point) drawn uniformly at random among all derangements by rejection: Fisher–Yates
    /// shuffles from <c>new Random(seed)</c> are drawn until one moves every country. The list
    /// is sorted ordinally first, so the assignment depends only on the set of countries and the
    /// seed. A model that matched countries only through what they share would score as well
    /// against the shuffled answers as against the true ones.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two distinct countries.</exception>
    public static IReadOnlyDictionary<string, string> ShuffledCountryAssignment(IEnumerable<string> countries, int seed)
    {
        ArgumentNullException.ThrowIfNull(countries);
        var sorted = countries.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (sorted.Length < 2)
        {
            throw new ArgumentException("the shuffled-country control needs at least two countries", nameof(countries));
        }
        var random = new Random(seed);
        var permutation = new int[sorted.Length];
        // The chance that a shuffle is a derangement tends to 1/e, so this loop ends after ~e draws.
        do
        {
            for (var i = 0; i < permutation.Length; i++)
            {
                permutation[i] = i;
            }
            for (var i = permutation.Length - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (permutation[i], permutation[j]) = (permutation[j], permutation[i]);
            }
        }
        while (HasFixedPoint(permutation));
        var assignment = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < sorted.Length; i++)
        {
            assignment[sorted[i]] = sorted[permutation[i]];
        }
        return assignment;
    }

    /// <summary>
    /// The shuffled-country control for <paramref name="country"/>: the human distribution of the
    /// country <paramref name="assignment"/> maps it to; null when that country lacks the item.
    /// </summary>
    public static double[]? ShuffledCountry(SurveyPack pack, SurveyQuestion question, string country, IReadOnlyDictionary<string, string> assignment)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        if (!assignment.TryGetValue(country, out var stand))
        {
            throw new ArgumentException($"country {country} has no shuffled counterpart in the assignment", nameof(country));
        }
        return HumanDistribution.From(pack, stand, question);
    }

    private static bool HasFixedPoint(int[] permutation)
    {
        for (var i = 0; i < permutation.Length; i++)
        {
            if (permutation[i] == i)
            {
                return true;
            }
        }
        return false;
    }
}
