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
            // A country's items are its option orders; they become one compared item, or none when any is missing.
            foreach (var cell in tree.Items.GroupBy(i => i.Branch.Country.Iso3, StringComparer.Ordinal))
            {
                var orders = cell.ToArray();
                var stored = orders.Select(i => store.Find(i.Key)).ToArray();
                var absent = stored.Count(s => s is null);
                if (absent > 0)
                {
                    missing += absent;
                    continue;
                }
                var measured = orders.Select((item, o) => new OrderMeasure(item.Branch.ListedOrder, DistributionOf(stored[o]!, settings.Normalisation), ValidMassOf(stored[o]!))).ToArray();
                var (shares, answering) = CombineOrders(measured);
                compared.Add(Compare(tree.Model.Info.Id, cell.Key, tree.Prompts.Asked, shares, orders[0].HumanShares) with { Answering = answering, HumanEffectiveN = orders[0].HumanEffectiveN });
            }
        }
        var items = compared.Select(c => c.ToResult()).ToArray();
        var alignment = AlignmentBuilder.Build(compared, settings.Countries, settings.Alignment);
        var models = plan.Models.Select(m => m.Info).ToArray();
        var template = plan.Spec.Template;
        var methods = models.Select(m => m.ScoringMethod).Distinct().ToArray();
        var likelihood = models.Any(m => m.ScoringMethod.Measures() == MeasurementKind.LogLikelihood);
        var method = new MethodInfo(methods.Length == 1 ? methods[0] : null, likelihood ? settings.Normalisation : null, template.Id, template.Sha256, plan.Spec.AnswerFormat, template.Language,
            models.Any(m => m.UsedChatTemplate), plan.Spec.OptionOrders.ToString(), settings.Alignment.MinValidMass);
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

    /// <summary>What one option order of an item gave.</summary>
    /// <param name="Order">How the options were listed.</param>
    /// <param name="Listed">p over the listed positions.</param>
    /// <param name="ValidMass">Probability on the answers before normalising (NaN when the method does not say).</param>
    public sealed record OrderMeasure(OptionOrder Order, IReadOnlyList<double> Listed, double ValidMass);

    /// <summary>
    /// One item's p from its orders: each order's distribution mapped back to the item's own option order, then the mean
    /// over orders (Dominguez-Olmedo et al. 2023 average over orders to take out position effects). Beside it: the mean
    /// probability on the first-listed option, the mean Jensen–Shannon distance between the orders' mapped distributions
    /// (over every pair of orders), and the mean probability on the answers.
    /// </summary>
    public static (double[] Shares, AnswerDiagnostics Answering) CombineOrders(IReadOnlyList<OrderMeasure> orders)
    {
        ArgumentNullException.ThrowIfNull(orders);
        if (orders.Count == 0)
        {
            throw new ArgumentException("an item needs at least one order", nameof(orders));
        }
        var mapped = orders.Select(o => o.Order.ToOptionOrder(o.Listed)).ToArray();
        var shares = Enumerable.Range(0, mapped[0].Length).Select(k => mapped.Average(m => m[k])).ToArray();
        var distances = new List<double>();
        for (var a = 0; a < mapped.Length; a++)
        {
            for (var b = a + 1; b < mapped.Length; b++)
            {
                distances.Add(DistributionMetrics.JensenShannonDistance(mapped[a], mapped[b]));
            }
        }
        var answering = new AnswerDiagnostics(
            orders.Count,
            orders.Average(o => o.Listed[0]),
            distances.Count == 0 ? double.NaN : distances.Average(),
            orders.All(o => double.IsFinite(o.ValidMass)) ? orders.Average(o => o.ValidMass) : double.NaN);
        return (shares, answering);
    }

    /// <summary>
    /// The probability the model put on the K answers together, before normalising over them: for likelihood methods
    /// Σ exp(log-likelihood) (with the letter format and one-token letters, the next-token mass on the K letters); for
    /// chat top-logprobs the first-token mass on the options' keys (the imputed part left out); for chat sampling the
    /// share of replies that named an option. NaN when the stored item does not say.
    /// </summary>
    public static double ValidMassOf(StoredItem stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.Method.Measures() == MeasurementKind.LogLikelihood)
        {
            return stored.Options.Sum(o => o.LogProb is { } lp ? Math.Exp(lp) : double.NaN);
        }
        if (stored.Details is null)
        {
            return double.NaN;
        }
        try
        {
            using var details = System.Text.Json.JsonDocument.Parse(stored.Details);
            var root = details.RootElement;
            var method = root.TryGetProperty("method", out var m) ? m.GetString() : null;
            if (method == "chat-sampling" && root.TryGetProperty("parsed", out var parsed) && root.TryGetProperty("n", out var n) && n.GetDouble() > 0)
            {
                return parsed.GetDouble() / n.GetDouble();
            }
            if (method == "chat-top-logprobs" && root.TryGetProperty("imputed_mass", out var imputed))
            {
                return Math.Max(0, stored.Options.Sum(o => o.Share ?? 0) - imputed.GetDouble());
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Details written by another tool: the mass is unknown.
        }
        return double.NaN;
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
