namespace CultureProbe.Analysis;

/// <summary>The model's and the population's mean score for one (model, country, question).</summary>
/// <param name="Model">Model name.</param>
/// <param name="Country">Country (or any group) code.</param>
/// <param name="Question">Question code.</param>
/// <param name="ModelMean">Σ p_k s_k of the model's distribution.</param>
/// <param name="HumanMean">Σ r_k s_k of the population's distribution.</param>
public readonly record struct MeanScorePair(string Model, string Country, string Question, double ModelMean, double HumanMean);

/// <summary>How an alignment table is computed.</summary>
/// <param name="BootstrapResamples">Resamples for the confidence intervals; 0 skips the bootstrap.</param>
/// <param name="Seed">Base seed; each cell derives its own from it and the cell's names.</param>
/// <param name="TieTolerance">
/// Relative tolerance under which mean scores count as tied when ranked for Spearman (see
/// <see cref="Correlation.AverageRanks"/>). Mean scores are sums of products, and the same
/// mathematical value reached along two summation orders can differ in the last bits; without a
/// tolerance such values would get distinct ranks. 1e-12 is far above that noise (≈1e-16 for
/// values in [−1, 1]) and far below any difference real shares produce.
/// </param>
/// <param name="Level">Confidence level of the intervals.</param>
/// <param name="MinValidMass">Items with less probability than this on the answers together are flagged (see <see cref="DefaultMinValidMass"/>).</param>
public sealed record AlignmentOptions(
    int BootstrapResamples = BootstrapCorrelation.DefaultResamples,
    int Seed = 0,
    double TieTolerance = AlignmentOptions.DefaultTieTolerance,
    double Level = BootstrapCorrelation.DefaultLevel,
    double MinValidMass = AlignmentOptions.DefaultMinValidMass)
{
    /// <summary>The tie tolerance used unless told otherwise.</summary>
    public const double DefaultTieTolerance = 1e-12;

    /// <summary>
    /// Below this probability on the K answers together (before normalising over them), an item is flagged: the model
    /// was mostly not answering the survey there.
    /// </summary>
    public const double DefaultMinValidMass = 0.1;

    /// <summary>The defaults: 1000 resamples, seed 0, tie tolerance 1e-12, 95% intervals.</summary>
    public static AlignmentOptions Default { get; } = new();
}

/// <summary>Correlation of model and human mean scores across the questions of one cell.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Country">Country code.</param>
/// <param name="Category">Question category, or null when the row covers all the country's questions.</param>
/// <param name="N">Number of questions.</param>
/// <param name="Pearson">Pearson's r, NaN when undefined.</param>
/// <param name="Spearman">Spearman's ρ, NaN when undefined.</param>
/// <param name="PearsonInterval">Bootstrap interval of r, or null when the bootstrap was skipped.</param>
/// <param name="SpearmanInterval">Bootstrap interval of ρ, or null when the bootstrap was skipped.</param>
public sealed record CountryCorrelation(
    string Model,
    string Country,
    string? Category,
    int N,
    double Pearson,
    double Spearman,
    BootstrapInterval? PearsonInterval,
    BootstrapInterval? SpearmanInterval);

/// <summary>The mean of per-country correlations within a group of countries.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Group">Group name, e.g. a continent or "Western".</param>
/// <param name="Category">Question category, or null for all questions.</param>
/// <param name="Countries">Countries in the group with a row.</param>
/// <param name="MeanPearson">Mean of the defined per-country Pearson values; NaN when none is defined.</param>
/// <param name="PearsonCountries">Countries whose Pearson value is defined and entered the mean.</param>
/// <param name="MeanSpearman">Mean of the defined per-country Spearman values; NaN when none is defined.</param>
/// <param name="SpearmanCountries">Countries whose Spearman value is defined and entered the mean.</param>
public sealed record GroupMean(
    string Model,
    string Group,
    string? Category,
    int Countries,
    double MeanPearson,
    int PearsonCountries,
    double MeanSpearman,
    int SpearmanCountries);

/// <summary>
/// From per-item mean scores to the paper's tables: per-country correlations with bootstrap
/// intervals, per category, and their means by continent or Western / non-Western.
/// </summary>
/// <remarks>
/// Within a cell questions are ordered by code (ordinal), so the bootstrap draws, and hence the
/// intervals, depend only on the data and the seed, never on input order. Each cell's seed is
/// <see cref="AlignmentOptions.Seed"/> mixed with a stable (FNV-1a) hash of model, country and
/// category, so adding a country does not change the intervals of the others.
/// </remarks>
public static class AlignmentTable
{
    /// <summary>Group name of Western countries in <see cref="WesternGroup"/>.</summary>
    public const string Western = "Western";

    /// <summary>Group name of non-Western countries in <see cref="WesternGroup"/>.</summary>
    public const string NonWestern = "non-Western";

    /// <summary>Group name of the row over every country.</summary>
    public const string All = "all";

    /// <summary>One row per (model, country): correlation across all that country's questions.</summary>
    /// <exception cref="ArgumentException">A (model, country, question) occurs twice, or a mean is not finite.</exception>
    public static IReadOnlyList<CountryCorrelation> PerCountry(IEnumerable<MeanScorePair> pairs, AlignmentOptions? options = null) =>
        Build(pairs, _ => null, options ?? AlignmentOptions.Default);

    /// <summary>One row per (model, country, category): correlation across the country's questions in that category.</summary>
    /// <param name="pairs">Mean scores per item.</param>
    /// <param name="categoryOfQuestion">The category of a question code.</param>
    /// <param name="options">How to compute; defaults when null.</param>
    public static IReadOnlyList<CountryCorrelation> PerCountryAndCategory(
        IEnumerable<MeanScorePair> pairs,
        Func<string, string> categoryOfQuestion,
        AlignmentOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(categoryOfQuestion);
        return Build(pairs, q => categoryOfQuestion(q), options ?? AlignmentOptions.Default);
    }

    /// <summary>
    /// Means of per-country correlations within groups of countries (the paper's Figures 2–3
    /// average the countries' correlations; they do not pool the questions of a continent into
    /// one correlation). Each country counts once; undefined (NaN) correlations are left out and
    /// the counts say how many entered. Rows of different categories are averaged separately.
    /// </summary>
    /// <param name="rows">Per-country rows, from <see cref="PerCountry"/> or <see cref="PerCountryAndCategory"/>.</param>
    /// <param name="groupOfCountry">The group of a country code, or null to leave the country out.</param>
    public static IReadOnlyList<GroupMean> MeanByGroup(IEnumerable<CountryCorrelation> rows, Func<string, string?> groupOfCountry)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(groupOfCountry);
        var result = new List<GroupMean>();
        var groups = rows
            .Select(row => (Row: row, Group: groupOfCountry(row.Country)))
            .Where(x => x.Group is not null)
            .GroupBy(x => (x.Row.Model, Group: x.Group!, x.Row.Category))
            .OrderBy(g => g.Key.Model, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Category ?? string.Empty, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Group, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            // Sorted by country so the sums, and so the means, do not depend on input order.
            var members = group.Select(x => x.Row).OrderBy(r => r.Country, StringComparer.Ordinal).ToArray();
            var (meanPearson, pearsonCount) = MeanOfDefined(members.Select(r => r.Pearson));
            var (meanSpearman, spearmanCount) = MeanOfDefined(members.Select(r => r.Spearman));
            result.Add(new GroupMean(group.Key.Model, group.Key.Group, group.Key.Category, members.Length, meanPearson, pearsonCount, meanSpearman, spearmanCount));
        }
        return result;
    }

    /// <summary>The Western / non-Western group name for a country's flag.</summary>
    public static string WesternGroup(bool isWestern) => isWestern ? Western : NonWestern;

    /// <summary>A cell's bootstrap seed: the base seed mixed with a stable hash of its names.</summary>
    public static int CellSeed(int seed, string model, string country, string? category)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(country);
        unchecked
        {
            var hash = 2166136261u;
            foreach (var part in new[] { model, country, category ?? string.Empty })
            {
                foreach (var c in part)
                {
                    hash = (hash ^ c) * 16777619u;
                }
                // A separator keeps ("ab", "c") apart from ("a", "bc").
                hash = (hash ^ 0xFFFFu) * 16777619u;
            }
            return (int)hash ^ seed;
        }
    }

    private static List<CountryCorrelation> Build(IEnumerable<MeanScorePair> pairs, Func<string, string?> categoryOf, AlignmentOptions options)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentOutOfRangeException.ThrowIfNegative(options.BootstrapResamples);
        var seen = new HashSet<(string, string, string)>();
        var cells = new SortedDictionary<(string Model, string Country, string Category), List<MeanScorePair>>(CellComparer.Instance);
        foreach (var pair in pairs)
        {
            if (!double.IsFinite(pair.ModelMean) || !double.IsFinite(pair.HumanMean))
            {
                throw new ArgumentException($"{pair.Model} / {pair.Country} / {pair.Question}: mean scores must be finite, got model {pair.ModelMean}, human {pair.HumanMean}", nameof(pairs));
            }
            if (!seen.Add((pair.Model, pair.Country, pair.Question)))
            {
                throw new ArgumentException($"{pair.Model} / {pair.Country} / {pair.Question} occurs more than once", nameof(pairs));
            }
            var key = (pair.Model, pair.Country, categoryOf(pair.Question) ?? string.Empty);
            if (!cells.TryGetValue(key, out var list))
            {
                list = [];
                cells[key] = list;
            }
            list.Add(pair);
        }
        var rows = new List<CountryCorrelation>(cells.Count);
        foreach (var ((model, country, categoryKey), list) in cells)
        {
            var category = categoryKey.Length == 0 ? null : categoryKey;
            list.Sort((a, b) => string.CompareOrdinal(a.Question, b.Question));
            var x = list.Select(p => p.ModelMean).ToArray();
            var y = list.Select(p => p.HumanMean).ToArray();
            var pearson = Correlation.Pearson(x, y).Value;
            var spearman = Correlation.Spearman(x, y, options.TieTolerance).Value;
            BootstrapCorrelationResult? bootstrap = options.BootstrapResamples == 0
                ? null
                : BootstrapCorrelation.Compute(x, y, CellSeed(options.Seed, model, country, category), options.BootstrapResamples, options.Level, options.TieTolerance);
            rows.Add(new CountryCorrelation(model, country, category, list.Count, pearson, spearman, bootstrap?.Pearson, bootstrap?.Spearman));
        }
        return rows;
    }

    private static (double Mean, int Count) MeanOfDefined(IEnumerable<double> values)
    {
        var sum = 0.0;
        var count = 0;
        foreach (var value in values)
        {
            if (!double.IsNaN(value))
            {
                sum += value;
                count++;
            }
        }
        return count == 0 ? (double.NaN, 0) : (sum / count, count);
    }

    private sealed class CellComparer : IComparer<(string Model, string Country, string Category)>
    {
        public static readonly CellComparer Instance = new();

        public int Compare((string Model, string Country, string Category) x, (string Model, string Country, string Category) y)
        {
            var byModel = string.CompareOrdinal(x.Model, y.Model);
            if (byModel != 0)
            {
                return byModel;
            }
            var byCountry = string.CompareOrdinal(x.Country, y.Country);
            return byCountry != 0 ? byCountry : string.CompareOrdinal(x.Category, y.Category);
        }
    }
}
