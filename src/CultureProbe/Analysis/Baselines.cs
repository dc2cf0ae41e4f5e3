using CultureProbe.Surveys;

namespace CultureProbe.Analysis;

/// <summary>
/// Reference answer distributions that every alignment table is read against: what a model
/// would score by answering uniformly, by giving the average of all countries, or by giving
/// another country's answers.
/// </summary>
public static class Baselines
{
    /// <summary>Model name under which the uniform baseline appears in tables.</summary>
    public const string UniformName = "baseline:uniform";

    /// <summary>Model name under which the pooled all-country baseline appears in tables.</summary>
    public const string PooledName = "baseline:pooled";

    /// <summary>Model name under which the shuffled-country control appears in tables.</summary>
    public const string ShuffledCountryName = "baseline:shuffled-country";

    /// <summary>
    /// Every baseline's distribution for every (country, question) where the population has one,
    /// ready to be compared and tabulated like a model's. The pooled distribution is taken over
    /// all <paramref name="countries"/> (the country itself included); the shuffled-country
    /// control uses <see cref="ShuffledCountryAssignment"/> with <paramref name="seed"/> over the
    /// given countries that have any answers in the pack, and is left out when fewer than two
    /// such countries remain or the stand-in was not asked the item.
    /// </summary>
    /// <remarks>
    /// With evenly spaced scores symmetric about 0, the uniform distribution's mean score is 0 on
    /// every ordinal item, so its correlations across questions are undefined (NaN) by design;
    /// it is a reference for the per-item figures (JSD, W1, top answer).
    /// </remarks>
    public static IReadOnlyList<BaselineItem> Items(SurveyPack pack, IReadOnlyList<SurveyQuestion> questions, IReadOnlyList<string> countries, int seed)
    {
        ArgumentNullException.ThrowIfNull(pack);
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(countries);
        // Countries the pack has no answers for at all would only be stand-ins without answers.
        var inPack = pack.Distributions.Select(d => d.Country).ToHashSet(StringComparer.Ordinal);
        var sortedCountries = countries.Distinct(StringComparer.Ordinal).Where(inPack.Contains).Order(StringComparer.Ordinal).ToArray();
        var assignment = sortedCountries.Length >= 2 ? ShuffledCountryAssignment(sortedCountries, seed) : null;
        var items = new List<BaselineItem>();
        foreach (var question in questions)
        {
            var pooled = Pooled(pack, question, sortedCountries);
            foreach (var country in sortedCountries)
            {
                var human = HumanDistribution.From(pack, country, question);
                if (human is null)
                {
                    continue;
                }
                items.Add(new BaselineItem(UniformName, country, question, Uniform(question.Options.Count), human));
                if (pooled is not null)
                {
                    items.Add(new BaselineItem(PooledName, country, question, pooled, human));
                }
                var shuffled = assignment is null ? null : ShuffledCountry(pack, question, country, assignment);
                if (shuffled is not null)
                {
                    items.Add(new BaselineItem(ShuffledCountryName, country, question, shuffled, human));
                }
            }
        }
        return items;
    }

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

/// <summary>A baseline's answer distribution for one (country, question), next to the population's.</summary>
/// <param name="Baseline">Baseline name, used as the model name in tables (e.g. <see cref="Baselines.PooledName"/>).</param>
/// <param name="Country">Country code.</param>
/// <param name="Question">The question.</param>
/// <param name="Distribution">The baseline's distribution over the options, in option order.</param>
/// <param name="Human">The population's distribution r, in option order.</param>
public sealed record BaselineItem(string Baseline, string Country, SurveyQuestion Question, IReadOnlyList<double> Distribution, IReadOnlyList<double> Human);
