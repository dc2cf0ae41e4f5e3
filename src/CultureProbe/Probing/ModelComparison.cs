using CultureProbe.Analysis;
using CultureProbe.Models;

namespace CultureProbe.Probing;

/// <summary>One model's headline figures, with what its card says about it.</summary>
/// <param name="Model">Model id.</param>
/// <param name="Run">The run folder it came from.</param>
/// <param name="ScoringMethod">How its probabilities were obtained.</param>
/// <param name="Pearson">Mean of per-country Pearson r.</param>
/// <param name="Spearman">Mean of per-country Spearman ρ.</param>
/// <param name="Western">Mean r over Western countries.</param>
/// <param name="NonWestern">Mean r over non-Western countries.</param>
/// <param name="Countries">Countries averaged.</param>
/// <param name="Card">The model card, when one matched.</param>
public sealed record ModelSummary(string Model, string Run, ScoringMethod ScoringMethod, double Pearson, double Spearman, double Western, double NonWestern, int Countries, ModelCard? Card)
{
    /// <summary>Western minus non-Western mean r: the Western bias Kim &amp; Baek report.</summary>
    public double WesternGap => Western - NonWestern;
}

/// <summary>A chat model beside its base model.</summary>
public sealed record BaseChatPair(string BaseModel, string ChatModel, double BasePearson, double ChatPearson, double BaseWesternGap, double ChatWesternGap)
{
    /// <summary>Chat minus base mean r.</summary>
    public double PearsonChange => ChatPearson - BasePearson;
}

/// <summary>Mean r of the models that share a corpus attribute value.</summary>
public sealed record AttributeGroup(string Attribute, string Value, int Models, double MeanPearson, double MeanWesternGap);

/// <summary>Models compared by size, base vs chat, corpus and Western gap (the questions of Kim &amp; Baek, Section 4).</summary>
/// <param name="Models">Every model, largest first where sizes are known.</param>
/// <param name="SizeCorrelation">Spearman ρ of parameter count and mean r over models with a known size (NaN under 3).</param>
/// <param name="Pairs">Base/chat pairs present.</param>
/// <param name="Corpus">Mean r by corpus attribute.</param>
public sealed record ModelComparison(IReadOnlyList<ModelSummary> Models, double SizeCorrelation, IReadOnlyList<BaseChatPair> Pairs, IReadOnlyList<AttributeGroup> Corpus)
{
    /// <summary>Compares the models of several runs.</summary>
    /// <exception cref="InputException">Models were scored by different methods and <paramref name="allowMixedMethods"/> is false.</exception>
    public static ModelComparison Build(IReadOnlyList<(string Run, ProbeResults Results)> runs, IReadOnlyList<ModelCard> cards, bool allowMixedMethods)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(cards);
        var summaries = new List<ModelSummary>();
        foreach (var (run, results) in runs)
        {
            foreach (var model in results.Models)
            {
                var all = results.Alignment.FirstOrDefault(r => r.Model == model.Id && r.GroupKind == GroupKind.All);
                if (all is null)
                {
                    continue;
                }
                double Group(string name) => results.Alignment.FirstOrDefault(r => r.Model == model.Id && r.GroupKind == GroupKind.Western && r.Group == name)?.Pearson ?? double.NaN;
                var card = cards.FirstOrDefault(c => c.Id.Equals(model.Id, StringComparison.OrdinalIgnoreCase)) ?? CardFromInfo(model);
                summaries.Add(new ModelSummary(model.Id, run, model.ScoringMethod, all.Pearson, all.Spearman, Group(AlignmentTable.Western), Group(AlignmentTable.NonWestern), all.NCountries, card));
            }
        }
        var duplicate = summaries.GroupBy(s => s.Model, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InputException($"model '{duplicate.Key}' appears in more than one run ({string.Join(", ", duplicate.Select(d => d.Run))}); compare each model once");
        }
        var methods = summaries.Select(s => s.ScoringMethod).Distinct().ToArray();
        if (methods.Length > 1 && !allowMixedMethods)
        {
            throw new InputException($"the models were scored by different methods ({string.Join(", ", summaries.Select(s => $"{s.Model}: {s.ScoringMethod.WireName()}"))}); "
                + "their numbers are not comparable. Pass --allow-mixed-methods to compare them anyway.");
        }

        var sized = summaries.Where(s => s.Card?.ParametersBillions is not null && double.IsFinite(s.Pearson)).ToArray();
        var sizeCorrelation = sized.Length >= 3
            ? Correlation.Spearman(sized.Select(s => s.Card!.ParametersBillions!.Value).ToArray(), sized.Select(s => s.Pearson).ToArray()).Value
            : double.NaN;
        var byId = summaries.ToDictionary(s => s.Model, StringComparer.OrdinalIgnoreCase);
        var pairs = summaries.Where(s => s.Card?.Chat == true && s.Card.BaseModel is not null && byId.ContainsKey(s.Card.BaseModel))
            .Select(s =>
            {
                var b = byId[s.Card!.BaseModel!];
                return new BaseChatPair(b.Model, s.Model, b.Pearson, s.Pearson, b.WesternGap, s.WesternGap);
            }).ToArray();
        var corpus = new List<AttributeGroup>();
        foreach (var (attribute, value) in new (string, Func<ModelCard, bool?>)[] { ("multilingual", c => c.Corpus.Multilingual), ("synthetic_data", c => c.Corpus.SyntheticData), ("chat", c => c.Chat) })
        {
            foreach (var group in summaries.Where(s => s.Card is not null && value(s.Card) is not null).GroupBy(s => value(s.Card!)!.Value).OrderBy(g => g.Key))
            {
                corpus.Add(new AttributeGroup(attribute, group.Key ? "yes" : "no", group.Count(), MeanOfDefined(group.Select(s => s.Pearson)), MeanOfDefined(group.Select(s => s.WesternGap))));
            }
        }
        var ordered = summaries.OrderByDescending(s => s.Card?.ParametersBillions ?? -1).ThenBy(s => s.Model, StringComparer.Ordinal).ToArray();
        return new ModelComparison(ordered, sizeCorrelation, pairs, corpus);
    }

    private static ModelCard? CardFromInfo(ModelInfo model) =>
        model.Family is null && model.ParametersBillions is null && model.IsChat is null
            ? null
            : new ModelCard(model.Id, model.Id, model.Family, model.ParametersBillions, model.TrainingTokensTrillions, model.IsChat, model.BaseModelId, new CorpusAttributes(null, null, model.CorpusNotes), [], []);

    private static double MeanOfDefined(IEnumerable<double> values)
    {
        var defined = values.Where(double.IsFinite).ToArray();
        return defined.Length == 0 ? double.NaN : defined.Average();
    }
}
