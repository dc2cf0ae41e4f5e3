using CultureProbe.Analysis;
using CultureProbe.Surveys;

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
/// <param name="Answering">How the model answered across option orders, and how much probability it put on the answers; null when not measured (<c>analyze</c>).</param>
/// <param name="HumanEffectiveN">Kish effective sample size behind r (NaN when unknown), for the human noise ceiling.</param>
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
    IReadOnlyList<int> Ranks,
    AnswerDiagnostics? Answering = null,
    double HumanEffectiveN = double.NaN)
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
            Codes[humanTop],
            Answering?.Orders ?? 1,
            Answering?.FirstListedShare ?? double.NaN,
            Answering?.OrderJsDistance ?? double.NaN,
            Answering?.ValidMass ?? double.NaN,
            HumanEffectiveN);
    }

    /// <summary>The semantic rank of each option from its score: the order of the scores, ties in option order.</summary>
    public static int[] RanksOfScores(IReadOnlyList<double> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        var ranks = new int[scores.Count];
        for (var r = 0; r < order.Length; r++)
        {
            ranks[order[r]] = r;
        }
        return ranks;
    }
}

/// <summary>How a model answered one item across the orders its options were listed in.</summary>
/// <param name="Orders">Orders asked.</param>
/// <param name="FirstListedShare">Mean over orders of the probability on the first-listed option.</param>
/// <param name="OrderJsDistance">Mean Jensen–Shannon distance (base 2) between the orders' distributions over the codes; NaN with one order.</param>
/// <param name="ValidMass">Mean over orders of the probability on the K answers before normalising; NaN when the method does not say.</param>
public sealed record AnswerDiagnostics(int Orders, double FirstListedShare, double OrderJsDistance, double ValidMass);

/// <summary>A baseline's stand-in for one of a model's compared items: the same item with the baseline's distribution as p.</summary>
/// <param name="Baseline">Which baseline.</param>
/// <param name="Item">The stand-in item; its <see cref="ComparedItem.Model"/> is the model it stands in for.</param>
public sealed record BaselineItem(Baseline Baseline, ComparedItem Item);

/// <summary>
/// From compared items to the alignment tables: per country (with bootstrap intervals), per
/// category, per continent, Western vs non-Western and overall, each with its baselines.
/// </summary>
/// <remarks>
/// Baselines are computed on exactly the items the model has, so a model that lost items to
/// failures is compared with baselines on the same questions (see <see cref="BaselineStandIns"/>).
/// Aggregate rows (category, continent, western, all) report the mean of the per-country
/// correlations (<see cref="AlignmentTable.MeanByGroup"/>), as Kim &amp; Baek's Figures 2–3 do,
/// with the number of countries averaged.
/// </remarks>
public static class AlignmentBuilder
{
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
        var standIns = BaselineStandIns(ordinal, options.Seed);
        var categoryOf = ordinal.GroupBy(i => i.Question).ToDictionary(g => g.Key, g => g.First().Category);
        var modelTables = Tables.Of(ordinal, categoryOf, options);
        // Baselines get no bootstrap: their intervals are not reported.
        var noBootstrap = options with { BootstrapResamples = 0 };
        var pooled = Tables.Of(standIns.Where(b => b.Baseline == Baseline.Pooled).Select(b => b.Item).ToArray(), categoryOf, noBootstrap);
        var shuffled = Tables.Of(standIns.Where(b => b.Baseline == Baseline.ShuffledCountry).Select(b => b.Item).ToArray(), categoryOf, noBootstrap);
        var models = ordinal.Select(i => i.Model).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var rows = new List<AlignmentRow>();
        foreach (var model in models)
        {
            var countryCodes = modelTables.PerCountry.Keys.Where(k => k.Model == model).Select(k => k.Country).Order(StringComparer.Ordinal).ToArray();
            var (ceilings, agreement) = HumanReferences(ordinal.Where(i => i.Model == model), options);
            foreach (var country in countryCodes)
            {
                var cell = modelTables.PerCountry[(model, country)];
                var cellItems = modelTables.ItemsOf(model, [country], null);
                rows.Add(new AlignmentRow(model, GroupKind.Country, country, cell.N,
                    cell.Pearson, cell.Spearman,
                    cell.PearsonInterval?.Lower ?? double.NaN, cell.PearsonInterval?.Upper ?? double.NaN,
                    Mean(cellItems.Select(r => r.JsAlignment)),
                    Mean(cellItems.Select(r => r.Wasserstein)),
                    Mean(cellItems.Select(r => r.TopMatch ? 1.0 : 0.0)),
                    pooled.PerCountry.GetValueOrDefault((model, country))?.Pearson ?? double.NaN,
                    shuffled.PerCountry.GetValueOrDefault((model, country))?.Pearson ?? double.NaN,
                    UniformJsAlignment(cellItems),
                    Mean(pooled.ItemsOf(model, [country], null).Select(r => r.JsAlignment)),
                    Mean(shuffled.ItemsOf(model, [country], null).Select(r => r.JsAlignment)),
                    1,
                    MeanFinite(cellItems.Select(r => r.FirstListedShare)),
                    MeanFinite(cellItems.Select(r => r.OrderJsDistance)),
                    MeanFinite(cellItems.Select(r => r.ValidMass)),
                    cellItems.Count(r => r.ValidMass < options.MinValidMass),
                    ceilings.GetValueOrDefault(country, double.NaN),
                    agreement.GetValueOrDefault(country, double.NaN)));
            }

            var groupings = new (GroupKind Kind, Func<string, string?> GroupOf)[]
            {
                (GroupKind.Continent, c => countries.FindByIso3(c)?.Continent),
                (GroupKind.Western, c => countries.FindByIso3(c) is { } found ? AlignmentTable.WesternGroup(found.IsWestern) : null),
                (GroupKind.All, _ => AlignmentTable.All),
            };
            foreach (var (kind, groupOf) in groupings)
            {
                foreach (var group in countryCodes.GroupBy(groupOf).Where(g => g.Key is not null).OrderBy(g => g.Key, StringComparer.Ordinal))
                {
                    rows.Add(Aggregate(model, kind, group.Key!, group.ToArray(), null, modelTables, pooled, shuffled, options) with
                    {
                        NoiseCeiling = MeanFinite(group.Select(c => ceilings.GetValueOrDefault(c, double.NaN))),
                        SmallSampleAgreement = MeanFinite(group.Select(c => agreement.GetValueOrDefault(c, double.NaN))),
                    });
                }
            }
            foreach (var category in modelTables.PerCategory.Where(r => r.Model == model).GroupBy(r => r.Category!).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                rows.Add(Aggregate(model, GroupKind.Category, category.Key, category.Select(r => r.Country).ToArray(), category.Key, modelTables, pooled, shuffled, options));
            }
        }
        return rows;
    }

    /// <summary>Draws of the 10-respondent reference per country: enough for its mean to two decimals, few enough to cost well under a second.</summary>
    public const int SmallSampleDraws = 200;

    /// <summary>
    /// Per country, over exactly the questions a model's r is computed on: the human noise ceiling (from each question's
    /// Kish effective n) and the mean agreement of two 10-respondent samples.
    /// </summary>
    private static (Dictionary<string, double> Ceilings, Dictionary<string, double> Agreement) HumanReferences(IEnumerable<ComparedItem> items, AlignmentOptions options)
    {
        var all = items.ToArray();
        // The ceiling needs every question's effective n (distributions given to analyze have none); a country with a
        // question lacking it gets no ceiling rather than one over fewer questions than its r.
        var withoutN = all.Where(i => !(double.IsFinite(i.HumanEffectiveN) && i.HumanEffectiveN > 0)).Select(i => i.Group).ToHashSet(StringComparer.Ordinal);
        var ceilings = NoiseCeiling.PerCountry(all.Where(i => !withoutN.Contains(i.Group)).Select(i => new PopulationCell(i.Group, i.Question, i.HumanShares, i.Scores, i.HumanEffectiveN)))
            .ToDictionary(c => c.Country, c => c.Ceiling, StringComparer.Ordinal);
        // The 10-respondent reference draws from the shares alone; its cells' effective n is not read, so any valid value will do.
        var agreement = SmallSampleReference.PerCountry(all.Select(i => new PopulationCell(i.Group, i.Question, i.HumanShares, i.Scores, 1)), options.Seed, SmallSampleDraws)
            .ToDictionary(c => c.Country, c => c.Mean, StringComparer.Ordinal);
        return (ceilings, agreement);
    }

    /// <summary>
    /// The pooled and shuffled-country stand-ins for each model's items. For each (model, question),
    /// pooled is the mean of the human distributions of every country the model has the question
    /// for (each counts once, summed in ordinal country order); shuffled takes the human
    /// distribution of the country <see cref="Baselines.ShuffledCountryAssignment"/> maps each
    /// country to (over the countries the model has any item for), and is left out where that
    /// country lacks the question or fewer than two countries exist.
    /// </summary>
    public static IReadOnlyList<BaselineItem> BaselineStandIns(IReadOnlyList<ComparedItem> items, int seed)
    {
        ArgumentNullException.ThrowIfNull(items);
        var result = new List<BaselineItem>();
        foreach (var byModel in items.GroupBy(i => i.Model, StringComparer.Ordinal))
        {
            var groups = byModel.Select(i => i.Group).Distinct(StringComparer.Ordinal).ToArray();
            var assignment = groups.Length >= 2 ? Baselines.ShuffledCountryAssignment(groups, seed) : null;
            foreach (var byQuestion in byModel.GroupBy(i => i.Question, StringComparer.Ordinal))
            {
                var cells = byQuestion.ToDictionary(i => i.Group, StringComparer.Ordinal);
                var pooled = Baselines.Pooled(cells.Values.OrderBy(i => i.Group, StringComparer.Ordinal).Select(i => i.HumanShares).ToArray());
                foreach (var item in cells.Values)
                {
                    result.Add(new BaselineItem(Baseline.Pooled, item with { ModelShares = pooled }));
                    if (assignment is not null && cells.TryGetValue(assignment[item.Group], out var standIn))
                    {
                        result.Add(new BaselineItem(Baseline.ShuffledCountry, item with { ModelShares = standIn.HumanShares }));
                    }
                }
            }
        }
        return result;
    }

    /// <summary>A row over several countries: the mean of their correlations (and of the baselines'), and the mean item metrics.</summary>
    private static AlignmentRow Aggregate(string model, GroupKind kind, string group, string[] members, string? category, Tables modelTables, Tables pooled, Tables shuffled, AlignmentOptions options)
    {
        var means = modelTables.MeanOf(model, members, category, group);
        var groupItems = modelTables.ItemsOf(model, members, category);
        return new AlignmentRow(model, kind, group,
            groupItems.Select(r => r.Question).Distinct(StringComparer.Ordinal).Count(),
            means.MeanPearson, means.MeanSpearman,
            double.NaN, double.NaN,
            Mean(groupItems.Select(r => r.JsAlignment)),
            Mean(groupItems.Select(r => r.Wasserstein)),
            Mean(groupItems.Select(r => r.TopMatch ? 1.0 : 0.0)),
            pooled.MeanOf(model, members, category, group).MeanPearson,
            shuffled.MeanOf(model, members, category, group).MeanPearson,
            UniformJsAlignment(groupItems),
            Mean(pooled.ItemsOf(model, members, category).Select(r => r.JsAlignment)),
            Mean(shuffled.ItemsOf(model, members, category).Select(r => r.JsAlignment)),
            members.Length,
            MeanFinite(groupItems.Select(r => r.FirstListedShare)),
            MeanFinite(groupItems.Select(r => r.OrderJsDistance)),
            MeanFinite(groupItems.Select(r => r.ValidMass)),
            groupItems.Count(r => r.ValidMass < options.MinValidMass));
    }

    /// <summary>The mean of the finite values (a diagnostic a method does not give is NaN, and is left out), NaN when none.</summary>
    private static double MeanFinite(IEnumerable<double> values) => Mean(values.Where(double.IsFinite));

    private static double UniformJsAlignment(IEnumerable<ItemResult> items) =>
        Mean(items.Select(r => DistributionMetrics.JensenShannonAlignment(Baselines.Uniform(r.Codes.Count), r.HumanShares)));

    private static double Mean(IEnumerable<double> values)
    {
        var array = values.ToArray();
        return array.Length == 0 ? double.NaN : array.Average();
    }

    /// <summary>The per-country and per-category correlations and item metrics of one source of p (a model's answers, or a baseline's).</summary>
    private sealed class Tables
    {
        private readonly ILookup<(string Model, string Country), ItemResult> _itemsByCell;

        private Tables(IReadOnlyList<ItemResult> items, IReadOnlyList<CountryCorrelation> perCountry, IReadOnlyList<CountryCorrelation> perCategory)
        {
            _itemsByCell = items.ToLookup(r => (r.Model, r.Country));
            PerCountry = perCountry.ToDictionary(r => (r.Model, r.Country));
            PerCategory = perCategory;
        }

        public Dictionary<(string Model, string Country), CountryCorrelation> PerCountry { get; }

        public IReadOnlyList<CountryCorrelation> PerCategory { get; }

        public static Tables Of(IReadOnlyList<ComparedItem> items, IReadOnlyDictionary<string, string> categoryOf, AlignmentOptions options)
        {
            var results = items.Select(i => i.ToResult()).ToArray();
            var pairs = results.Select(r => new MeanScorePair(r.Model, r.Country, r.Question, r.ModelMean, r.HumanMean)).ToArray();
            var noBootstrap = options with { BootstrapResamples = 0 };
            return new Tables(results, AlignmentTable.PerCountry(pairs, options), AlignmentTable.PerCountryAndCategory(pairs, q => categoryOf[q], noBootstrap));
        }

        public ItemResult[] ItemsOf(string model, IReadOnlyList<string> countries, string? category) =>
            countries.SelectMany(c => _itemsByCell[(model, c)]).Where(r => category is null || r.Category == category).ToArray();

        /// <summary>The mean of the members' correlations (over one category's questions when given), as <see cref="AlignmentTable.MeanByGroup"/> computes it.</summary>
        public (double MeanPearson, double MeanSpearman) MeanOf(string model, IReadOnlyList<string> members, string? category, string group)
        {
            var memberSet = members.ToHashSet(StringComparer.Ordinal);
            var cells = (category is null ? PerCountry.Values : PerCategory.Where(r => r.Category == category))
                .Where(r => r.Model == model && memberSet.Contains(r.Country));
            var mean = AlignmentTable.MeanByGroup(cells, _ => group).SingleOrDefault();
            return mean is null ? (double.NaN, double.NaN) : (mean.MeanPearson, mean.MeanSpearman);
        }
    }
}
