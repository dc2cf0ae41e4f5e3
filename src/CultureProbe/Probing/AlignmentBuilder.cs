using CultureProbe.Analysis;
using CultureProbe.Surveys;
using AnalysisRow = CultureProbe.Analysis.AlignmentRow;

namespace CultureProbe.Probing;

/// <summary>One compared item before its metrics are computed.</summary>
/// <param name="Model">Model id.</param>
/// <param name="Group">Country code (or group name).</param>
/// <param name="Question">Item code.</param>
/// <param name="Category">Theme id.</param>
/// <param name="Codes">Option codes as text.</param>
/// <param name="Labels">Option labels.</param>
/// <param name="ModelShares">p_k.</param>
/// <param name="HumanShares">r_k.</param>
/// <param name="Scores">s_k over [-1, 1].</param>
/// <param name="Ranks">Semantic rank of each option (0 = low pole), for W1 and tie-breaking.</param>
public sealed record ComparedItem(
    string Model,
    string Group,
    string Question,
    string Category,
    IReadOnlyList<string> Codes,
    IReadOnlyList<string> Labels,
    IReadOnlyList<double> ModelShares,
    IReadOnlyList<double> HumanShares,
    IReadOnlyList<double> Scores,
    IReadOnlyList<int> Ranks)
{
    /// <summary>Computes the item's metrics.</summary>
    public ItemResult ToResult()
    {
        var modelTop = DistributionMetrics.TopAnswer(ModelShares, Ranks);
        var humanTop = DistributionMetrics.TopAnswer(HumanShares, Ranks);
        return new ItemResult(Model, Group, Question, Category, Codes, Labels, ModelShares, HumanShares, Scores,
            DistributionMetrics.MeanScore(ModelShares, Scores),
            DistributionMetrics.MeanScore(HumanShares, Scores),
            DistributionMetrics.JensenShannonAlignment(ModelShares, HumanShares),
            DistributionMetrics.Wasserstein1Normalized(ModelShares, HumanShares, Ranks),
            Codes[modelTop],
            Codes[humanTop]);
    }
}

/// <summary>
/// From compared items to the alignment tables: per country (with bootstrap intervals), per
/// category, per continent, Western vs non-Western and overall, each with its baselines.
/// </summary>
/// <remarks>
/// Baselines are computed on exactly the items the model has, so a model that lost items to
/// failures is compared with baselines on the same questions:
/// <list type="bullet">
/// <item>pooled: for each question, the mean of the human distributions of all groups in the table (each group counts once);</item>
/// <item>shuffled: each group's human distribution replaced by another group's, through a seeded derangement (<see cref="Baselines.ShuffledCountryAssignment"/>);</item>
/// <item>uniform: equal probability on every option (its correlations are undefined, so only its 1 − JSD is reported).</item>
/// </list>
/// Aggregate rows (category, continent, western, all) report the mean of the per-country
/// correlations, as Kim &amp; Baek's Figures 2–3 do, with the number of countries averaged.
/// </remarks>
public static class AlignmentBuilder
{
    private const string PooledSuffix = "\u0001pooled";
    private const string ShuffledSuffix = "\u0001shuffled";

    /// <summary>Builds every alignment row of <paramref name="items"/>.</summary>
    /// <param name="items">The compared items of every model.</param>
    /// <param name="countries">Continent and Western flags of country groups; groups not in it get no continent rows.</param>
    /// <param name="options">Bootstrap and tie settings.</param>
    public static IReadOnlyList<AlignmentRow> Build(IReadOnlyList<ComparedItem> items, CountryTable countries, AlignmentOptions options)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(countries);
        ArgumentNullException.ThrowIfNull(options);
        var ordinal = items.Where(i => i.Scores.All(double.IsFinite)).ToArray();
        var baselines = BaselineItems(ordinal, options.Seed);
        var all = ordinal.Concat(baselines).Select(i => i.ToResult()).ToArray();
        var pairs = all.Select(r => new MeanScorePair(r.Model, r.Country, r.Question, r.ModelMean, r.HumanMean)).ToArray();
        var noBootstrap = options with { BootstrapResamples = 0 };
        var models = ordinal.Select(i => i.Model).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

        var perCountry = AlignmentTable.PerCountry(pairs.Where(p => models.Contains(p.Model)), options)
            .Concat(AlignmentTable.PerCountry(pairs.Where(p => !models.Contains(p.Model)), noBootstrap))
            .ToDictionary(r => (r.Model, r.Country));
        var categoryOf = ordinal.GroupBy(i => i.Question).ToDictionary(g => g.Key, g => g.First().Category);
        var perCategory = AlignmentTable.PerCountryAndCategory(pairs, q => categoryOf[q], noBootstrap);
        var itemsByCell = all.ToLookup(r => (r.Model, r.Country));
        var rows = new List<AlignmentRow>();

        foreach (var model in models)
        {
            var countryCodes = ordinal.Where(i => i.Model == model).Select(i => i.Group).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            foreach (var country in countryCodes)
            {
                var row = perCountry[(model, country)];
                rows.Add(Row(model, "country", country, row.N, 1, row.Pearson, row.Spearman, row.PearsonInterval,
                    itemsByCell[(model, country)].ToArray(),
                    perCountry.GetValueOrDefault((model + PooledSuffix, country))?.Pearson ?? double.NaN,
                    perCountry.GetValueOrDefault((model + ShuffledSuffix, country))?.Pearson ?? double.NaN,
                    itemsByCell[(model + PooledSuffix, country)].ToArray(),
                    itemsByCell[(model + ShuffledSuffix, country)].ToArray()));
            }

            var modelRows = countryCodes.Select(c => perCountry[(model, c)]).ToArray();
            var groupings = new (string Kind, Func<string, string?> GroupOf)[]
            {
                ("continent", c => countries.FindByIso3(c)?.Continent),
                ("western", c => countries.FindByIso3(c) is { } found ? AlignmentTable.WesternGroup(found.IsWestern) : null),
                ("all", _ => "all"),
            };
            foreach (var (kind, groupOf) in groupings)
            {
                foreach (var group in modelRows.GroupBy(r => groupOf(r.Country)).Where(g => g.Key is not null).OrderBy(g => g.Key, StringComparer.Ordinal))
                {
                    var members = group.Select(r => r.Country).ToArray();
                    rows.Add(Aggregate(model, kind, group.Key!, members, group.ToArray(), perCountry, itemsByCell, _ => true));
                }
            }
            foreach (var category in perCategory.Where(r => r.Model == model).GroupBy(r => r.Category!).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var categoryRows = category.ToArray();
                var baselineRows = perCategory.Where(r => r.Category == category.Key).ToDictionary(r => (r.Model, r.Country));
                rows.Add(Aggregate(model, "category", category.Key, categoryRows.Select(r => r.Country).ToArray(), categoryRows, baselineRows, itemsByCell,
                    r => r.Category == category.Key));
            }
        }
        return rows;
    }

    /// <summary>
    /// A row over several countries: the mean of their correlations (and of the baselines'), and
    /// the mean item metrics over the items <paramref name="include"/> keeps.
    /// </summary>
    private static AlignmentRow Aggregate(string model, string kind, string group, string[] members, AnalysisRow[] countryRows,
        Dictionary<(string, string), AnalysisRow> baselineRows, ILookup<(string, string), ItemResult> itemsByCell, Func<ItemResult, bool> include)
    {
        ItemResult[] ItemsOf(string name) => members.SelectMany(c => itemsByCell[(name, c)]).Where(include).ToArray();
        var groupItems = ItemsOf(model);
        return new AlignmentRow(model, kind, group,
            groupItems.Select(r => r.Question).Distinct(StringComparer.Ordinal).Count(),
            MeanOfDefined(countryRows.Select(r => r.Pearson)),
            MeanOfDefined(countryRows.Select(r => r.Spearman)),
            double.NaN, double.NaN,
            Mean(groupItems.Select(r => r.JsAlignment)),
            Mean(groupItems.Select(r => r.Wasserstein)),
            Mean(groupItems.Select(r => r.TopMatch ? 1.0 : 0.0)),
            MeanOfDefined(members.Select(c => baselineRows.GetValueOrDefault((model + PooledSuffix, c))?.Pearson ?? double.NaN)),
            MeanOfDefined(members.Select(c => baselineRows.GetValueOrDefault((model + ShuffledSuffix, c))?.Pearson ?? double.NaN)),
            Mean(groupItems.Select(r => DistributionMetrics.JensenShannonAlignment(Baselines.Uniform(r.Codes.Count), r.HumanShares))),
            Mean(ItemsOf(model + PooledSuffix).Select(r => r.JsAlignment)),
            Mean(ItemsOf(model + ShuffledSuffix).Select(r => r.JsAlignment)),
            members.Length);
    }

    private static AlignmentRow Row(string model, string kind, string group, int n, int countriesCount, double pearson, double spearman, BootstrapInterval? interval,
        ItemResult[] items, double pooledPearson, double shuffledPearson, ItemResult[] pooledItems, ItemResult[] shuffledItems) =>
        new(model, kind, group, n, pearson, spearman,
            interval?.Lower ?? double.NaN, interval?.Upper ?? double.NaN,
            Mean(items.Select(r => r.JsAlignment)),
            Mean(items.Select(r => r.Wasserstein)),
            Mean(items.Select(r => r.TopMatch ? 1.0 : 0.0)),
            pooledPearson,
            shuffledPearson,
            Mean(items.Select(r => DistributionMetrics.JensenShannonAlignment(Baselines.Uniform(r.Codes.Count), r.HumanShares))),
            Mean(pooledItems.Select(r => r.JsAlignment)),
            Mean(shuffledItems.Select(r => r.JsAlignment)),
            countriesCount);

    /// <summary>Pooled and shuffled stand-ins for each model's items, named model + suffix.</summary>
    private static List<ComparedItem> BaselineItems(IReadOnlyList<ComparedItem> items, int seed)
    {
        var result = new List<ComparedItem>();
        foreach (var byModel in items.GroupBy(i => i.Model))
        {
            var groups = byModel.Select(i => i.Group).Distinct(StringComparer.Ordinal).ToArray();
            var assignment = groups.Length >= 2 ? Baselines.ShuffledCountryAssignment(groups, seed) : null;
            foreach (var byQuestion in byModel.GroupBy(i => i.Question))
            {
                var cells = byQuestion.ToDictionary(i => i.Group, StringComparer.Ordinal);
                var pooled = Baselines.Pooled(cells.Values.OrderBy(i => i.Group, StringComparer.Ordinal).Select(i => i.HumanShares).ToArray());
                foreach (var item in cells.Values)
                {
                    result.Add(item with { Model = item.Model + PooledSuffix, ModelShares = pooled });
                    if (assignment is not null && cells.TryGetValue(assignment[item.Group], out var standIn))
                    {
                        result.Add(item with { Model = item.Model + ShuffledSuffix, ModelShares = standIn.HumanShares });
                    }
                }
            }
        }
        return result;
    }

    private static double Mean(IEnumerable<double> values)
    {
        var array = values.ToArray();
        return array.Length == 0 ? double.NaN : array.Average();
    }

    private static double MeanOfDefined(IEnumerable<double> values)
    {
        var defined = values.Where(double.IsFinite).ToArray();
        return defined.Length == 0 ? double.NaN : defined.Average();
    }
}
