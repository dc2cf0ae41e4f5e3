using CultureProbe.Analysis;
using CultureProbe.Surveys;

namespace CultureProbe.Probing;

/// <summary>What a model brings to the significance tests: its per-country r and its per-question mean scores.</summary>
/// <param name="Model">Model id.</param>
/// <param name="BaseModel">For a chat model, the id of its base model, when known.</param>
/// <param name="PerCountry">Pearson r per country (the alignment table's country rows).</param>
/// <param name="MeanScores">Model and population mean score per (country, question).</param>
public sealed record ModelScores(string Model, string? BaseModel, IReadOnlyDictionary<string, double> PerCountry, IReadOnlyList<MeanScorePair> MeanScores)
{
    /// <summary>The models of a results file.</summary>
    public static IReadOnlyList<ModelScores> Of(ProbeResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return results.Models.Select(m => new ModelScores(
            m.Id,
            m.BaseModelId,
            results.Alignment.Where(r => r.Model == m.Id && r.GroupKind == GroupKind.Country).ToDictionary(r => r.Group, r => r.Pearson, StringComparer.Ordinal),
            results.Items.Where(i => i.Model == m.Id && i.Scores.All(double.IsFinite)).Select(i => new MeanScorePair(i.Model, i.Country, i.Question, i.ModelMean, i.HumanMean)).ToArray()))
            .ToArray();
    }
}

/// <summary>Two models compared: over countries (with a permutation test) and over questions.</summary>
/// <param name="First">First model id.</param>
/// <param name="Second">Second model id.</param>
/// <param name="IsBaseChatPair">Whether <paramref name="Second"/> is the chat model tuned from <paramref name="First"/> (or the other way round).</param>
/// <param name="OverCountries">Difference in mean per-country r, paired by country: bootstrap CI, sign-flip permutation p, Cohen's d_z.</param>
/// <param name="OverQuestions">The same difference with questions resampled (null when the models' populations differ, e.g. runs on different survey packs).</param>
/// <param name="HolmP">The permutation p adjusted by Holm over every pair of the comparison.</param>
public sealed record ModelPairDifference(string First, string Second, bool IsBaseChatPair, PairedCountryComparison OverCountries, QuestionResampledComparison? OverQuestions, double HolmP);

/// <summary>One model's Western vs non-Western difference.</summary>
/// <param name="Model">Model id.</param>
/// <param name="Comparison">Mean r over Western minus non-Western countries: bootstrap CI, permutation p, Cohen's d and Hedges' g.</param>
/// <param name="HolmP">The permutation p adjusted by Holm over every model's Western gap.</param>
public sealed record WesternGapTest(string Model, TwoGroupComparison Comparison, double HolmP);

/// <summary>
/// Whether differences between models, and a model's Western vs non-Western gap, are larger than noise: the tests
/// behind Kim &amp; Baek's claims (base vs chat, size, the Western gap), with effect sizes beside every p-value and Holm's
/// correction within each family of tests (the model pairs; the Western gaps).
/// </summary>
/// <param name="Pairs">Every pair of models, in the order given.</param>
/// <param name="WesternGaps">One per model with countries in both groups.</param>
/// <param name="Options">Resamples, level and seed.</param>
/// <param name="Notes">What could not be computed, and why.</param>
public sealed record ModelDifferences(IReadOnlyList<ModelPairDifference> Pairs, IReadOnlyList<WesternGapTest> WesternGaps, ComparisonOptions Options, IReadOnlyList<string> Notes)
{
    /// <summary>Compares <paramref name="models"/>.</summary>
    /// <param name="models">The models, each once.</param>
    /// <param name="countries">Which countries are Western.</param>
    /// <param name="options">Resamples, level and seed.</param>
    /// <param name="overQuestions">Whether to also resample questions (slower: every resample recomputes every country's r).</param>
    public static ModelDifferences Compute(IReadOnlyList<ModelScores> models, CountryTable countries, ComparisonOptions options, bool overQuestions = true)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(countries);
        ArgumentNullException.ThrowIfNull(options);
        var notes = new List<string>();
        var pairs = new List<(string First, string Second, bool BaseChat, PairedCountryComparison Countries, QuestionResampledComparison? Questions)>();
        for (var a = 0; a < models.Count; a++)
        {
            for (var b = a + 1; b < models.Count; b++)
            {
                var (first, second) = (models[a], models[b]);
                var baseChat = second.BaseModel == first.Model || first.BaseModel == second.Model;
                var byCountry = ModelPairComparison.OverCountries(first.PerCountry, second.PerCountry, options);
                QuestionResampledComparison? byQuestion = null;
                if (overQuestions)
                {
                    try
                    {
                        byQuestion = ModelPairComparison.OverQuestions([.. first.MeanScores, .. second.MeanScores], first.Model, second.Model, options);
                    }
                    catch (ArgumentException e)
                    {
                        notes.Add($"{first.Model} vs {second.Model}: no resampling over questions ({e.Message})");
                    }
                }
                pairs.Add((first.Model, second.Model, baseChat, byCountry, byQuestion));
            }
        }
        var pairHolm = HolmOf(pairs.Select(p => p.Countries.Test.PValue).ToArray());
        var gaps = new List<(string Model, TwoGroupComparison Comparison)>();
        foreach (var model in models)
        {
            var comparison = GroupComparison.Compute(model.PerCountry, c => countries.FindByIso3(c)?.IsWestern == true, options);
            if (comparison.FirstCountries.Count == 0 || comparison.SecondCountries.Count == 0)
            {
                notes.Add($"{model.Model}: no Western gap test (countries in {(comparison.FirstCountries.Count == 0 ? "no Western" : "no non-Western")} group)");
                continue;
            }
            gaps.Add((model.Model, comparison));
        }
        var gapHolm = HolmOf(gaps.Select(g => g.Comparison.Test.PValue).ToArray());
        return new ModelDifferences(
            pairs.Select((p, i) => new ModelPairDifference(p.First, p.Second, p.BaseChat, p.Countries, p.Questions, pairHolm[i])).ToArray(),
            gaps.Select((g, i) => new WesternGapTest(g.Model, g.Comparison, gapHolm[i])).ToArray(),
            options,
            notes);
    }

    /// <summary>Holm over the defined p-values; an undefined one (no country entered) stays NaN and is not counted in the family.</summary>
    private static double[] HolmOf(IReadOnlyList<double> p)
    {
        var defined = Enumerable.Range(0, p.Count).Where(i => double.IsFinite(p[i])).ToArray();
        var adjusted = MultipleTesting.HolmAdjusted(defined.Select(i => p[i]).ToArray());
        var result = Enumerable.Repeat(double.NaN, p.Count).ToArray();
        for (var k = 0; k < defined.Length; k++)
        {
            result[defined[k]] = adjusted[k];
        }
        return result;
    }
}
