using System.Text.Json.Serialization;

namespace CultureProbe.Analysis;

/// <summary>A reference that stands in for a model's answers, so that its alignment can be read against it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Baseline>))]
public enum Baseline
{
    /// <summary>Equal probability on every option.</summary>
    [JsonStringEnumMemberName("uniform")]
    Uniform,

    /// <summary>The unweighted mean of every country's human distribution of the question.</summary>
    [JsonStringEnumMemberName("pooled")]
    Pooled,

    /// <summary>Another country's human distribution, through a seeded derangement of the countries.</summary>
    [JsonStringEnumMemberName("shuffled-country")]
    ShuffledCountry,
}

/// <summary>
/// Reference answer distributions that every alignment table is read against: what a model
/// would score by answering uniformly, by giving the average of all countries, or by giving
/// another country's answers. <c>AlignmentBuilder</c> puts them on the model's own items.
/// </summary>
/// <remarks>
/// With evenly spaced scores symmetric about 0, the uniform distribution's mean score is 0 on
/// every ordinal item, so its correlations across questions are undefined (NaN) by design;
/// it is a reference for the per-item figures (JSD, W1, top answer).
/// </remarks>
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
