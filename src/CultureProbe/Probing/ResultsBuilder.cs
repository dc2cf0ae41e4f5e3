using System.Globalization;
using CultureProbe.Analysis;
using CultureProbe.Models;
using CultureProbe.Prompts;
using CultureProbe.Surveys;

namespace CultureProbe.Probing;

/// <summary>What the results of a run are computed and labelled with, beyond the plan and the store.</summary>
/// <param name="Countries">Continents and Western flags for the group rows.</param>
/// <param name="Bank">The question bank (its hash goes into the provenance).</param>
/// <param name="Survey">Where the population's numbers came from.</param>
/// <param name="Normalisation">Length normalisation of log-likelihoods.</param>
/// <param name="Alignment">Bootstrap and tie settings.</param>
/// <param name="CreatedAt">When the results are computed.</param>
public sealed record ResultsSettings(
    CountryTable Countries,
    QuestionBank Bank,
    SurveyPackProvenance Survey,
    LikelihoodNormalization Normalisation,
    AlignmentOptions Alignment,
    DateTimeOffset CreatedAt);

/// <summary>Turns what the store holds for a plan into <see cref="ProbeResults"/>.</summary>
public static class ResultsBuilder
{
    /// <summary>
    /// Builds the results of <paramref name="plan"/> from the store. Items missing from the store (failed, or not
    /// yet measured) are left out and counted in <paramref name="missing"/>.
    /// </summary>
    public static ProbeResults Build(ProbePlan plan, ResultStore store, ResultsSettings settings, out long missing)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(settings);
        missing = 0;
        var compared = new List<ComparedItem>();
        foreach (var tree in plan.Trees)
        {
            foreach (var item in tree.Items)
            {
                var stored = store.Find(item.Key);
                if (stored is null)
                {
                    missing++;
                    continue;
                }
                compared.Add(Compare(tree.Model.Info.Id, item.Branch.Country.Iso3, tree.Prompts.Asked, DistributionOf(stored, settings.Normalisation), item.HumanShares));
            }
        }
        var items = compared.Select(c => c.ToResult()).ToArray();
        var alignment = AlignmentBuilder.Build(compared, settings.Countries, settings.Alignment);
        var models = plan.Models.Select(m => m.Info).ToArray();
        var template = plan.Spec.Template;
        var methods = models.Select(m => m.ScoringMethod).Distinct().ToArray();
        var likelihood = models.Any(m => m.ScoringMethod.Measures() == MeasurementKind.LogLikelihood);
        var method = new MethodInfo(methods.Length == 1 ? methods[0] : null, likelihood ? settings.Normalisation : null, template.Id, template.Sha256, plan.Spec.AnswerFormat, template.Language,
            models.Any(m => m.UsedChatTemplate));
        var survey = settings.Survey;
        var provenance = new RunProvenance(survey.Source.FileName, survey.Source.Sha256, survey.WeightVariable, survey.Synthetic, settings.Bank.Sha256,
            ProgramInfo.Version, settings.CreatedAt, settings.Alignment.Seed);
        return new ProbeResults(ProbeResults.CurrentSchemaVersion, provenance, method, models, items, alignment);
    }

    /// <summary>
    /// p: the model's distribution over the options from what was stored: the softmax of the (normalised)
    /// log-likelihoods for likelihood methods, the normalised shares for share methods.
    /// </summary>
    /// <exception cref="ArgumentException">A stored option lacks what its method measures.</exception>
    public static double[] DistributionOf(StoredItem stored, LikelihoodNormalization normalisation)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return stored.Method.Measures() switch
        {
            MeasurementKind.LogLikelihood => ModelDistribution.FromLogLikelihoods(stored.Options.Select(o => new OptionLikelihood(
                o.LogProb ?? throw new ArgumentException($"item {stored.Key}: a {stored.Method.WireName()} option has no log-likelihood", nameof(stored)),
                o.TokenCount ?? 0,
                o.ByteCount ?? 0)).ToArray(), normalisation),
            MeasurementKind.OptionShares => ModelDistribution.FromShares(stored.Options.Select(o =>
                o.Share ?? throw new ArgumentException($"item {stored.Key}: a {stored.Method.WireName()} option has no share", nameof(stored))).ToArray()),
            var kind => throw new ArgumentException($"item {stored.Key}: a {kind} measurement is not an answer distribution", nameof(stored)),
        };
    }

    /// <summary>A compared item for an asked question.</summary>
    public static ComparedItem Compare(string model, string group, AskedQuestion asked, IReadOnlyList<double> modelShares, IReadOnlyList<double> humanShares)
    {
        ArgumentNullException.ThrowIfNull(asked);
        var codes = asked.Options.Select(o => string.Join('+', o.Codes.Select(c => c.ToString(CultureInfo.InvariantCulture)))).ToArray();
        var scores = asked.Options.Select(o => o.Score ?? double.NaN).ToArray();
        return new ComparedItem(model, group, asked.Question.Code, asked.Question.CategoryId, codes, asked.Options.Select(o => o.Label).ToArray(),
            modelShares, humanShares, scores, ComparedItem.RanksOfScores(scores));
    }
}
