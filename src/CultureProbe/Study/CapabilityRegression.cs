using System.Text.Json.Serialization;
using CultureProbe.Analysis.MixedModels;

namespace CultureProbe.Study;

/// <summary>The three RQ1 models of the authors' <c>plot_multilingual_benchmarks.py</c>.</summary>
public enum CapabilityFormula
{
    /// <summary><c>alignment ~ 0 + consistency:language + multilingual:family:language</c>: the released table.</summary>
    [JsonStringEnumMemberName("interaction")]
    Interaction,

    /// <summary><c>alignment ~ 0 + consistency + multilingual:family:language</c>.</summary>
    [JsonStringEnumMemberName("normal")]
    Normal,

    /// <summary><c>alignment ~ 0 + multilingual:family:language</c>.</summary>
    [JsonStringEnumMemberName("no_consistency")]
    NoConsistency,
}

/// <summary>One row of the RQ1 frame: a model's alignment with its response language's own population in one bootstrap round.</summary>
/// <param name="Round">Bootstrap round.</param>
/// <param name="Model">Model id (the random-intercept group).</param>
/// <param name="Family">Model family.</param>
/// <param name="Language">Language name as the formulas' factor levels spell it (Danish, Dutch, English, Portuguese).</param>
/// <param name="Multilingual">Capability: mean benchmark score / 100.</param>
/// <param name="Alignment">Spearman alignment with the native language population in that round.</param>
/// <param name="Consistency">The round's consistency regressor (judge-error corrected).</param>
public sealed record CapabilityObservation(int Round, string Model, string Family, string Language, double Multilingual, double Alignment, double Consistency);

/// <summary>Marginal and conditional R² of a random-intercept model, two ways.</summary>
/// <param name="AuthorsMarginal">var(fitted) / (var(fitted) + σ²_model + σ²), fitted values including the predicted random intercepts, as the authors computed it from statsmodels' <c>fittedvalues</c> (population variance).</param>
/// <param name="AuthorsConditional">(var(fitted) + σ²_model) / (var(fitted) + σ²_model + σ²).</param>
/// <param name="NakagawaMarginal">Nakagawa &amp; Schielzeth: var(Xβ) / (var(Xβ) + σ²_model + σ²).</param>
/// <param name="NakagawaConditional">(var(Xβ) + σ²_model) / (var(Xβ) + σ²_model + σ²).</param>
public sealed record RSquared(double AuthorsMarginal, double AuthorsConditional, double NakagawaMarginal, double NakagawaConditional);

/// <summary>An RQ1 mixed model, fitted or with the reason it was not.</summary>
/// <param name="Formula">Which of the three models.</param>
/// <param name="FormulaText">The formula fitted, random part included.</param>
/// <param name="Fit">The REML fit (lme4's criterion); null when it could not be fitted.</param>
/// <param name="RSquared">R² four ways; null without a fit.</param>
/// <param name="Problem">Why there is no fit, or null.</param>
public sealed record CapabilityRegressionResult(CapabilityFormula Formula, string FormulaText, MixedModelFit? Fit, RSquared? RSquared, string? Problem)
{
    /// <summary>Fixed effects named as R names them (e.g. <c>consistency:languageDanish</c>, <c>languageDanish:multilingual:familygemma</c>) with GLS standard errors; empty without a fit.</summary>
    public IReadOnlyList<FixedEffect> Coefficients => Fit?.FixedEffects ?? [];

    /// <summary>Variance of the random intercept per model; NaN without a fit.</summary>
    public double GroupVariance => Fit?.RandomEffects.FirstOrDefault(r => r.Term2 is null)?.Variance ?? double.NaN;

    /// <summary>Residual variance σ²; NaN without a fit.</summary>
    public double ResidualVariance => Fit?.ResidualVariance ?? double.NaN;
}

/// <summary>
/// RQ1: does multilingual capability predict cultural alignment? Linear mixed models with a random
/// intercept per model, fitted by REML with the library's lme4 engine
/// (<see cref="LinearMixedModel"/>); statsmodels' MixedLM, which the authors used, maximises the
/// same REML likelihood.
/// </summary>
public static class CapabilityRegression
{
    /// <summary>The fixed part of each formula, as the authors wrote it.</summary>
    public static string FixedPart(CapabilityFormula formula) => formula switch
    {
        CapabilityFormula.Interaction => "alignment ~ 0 + consistency:language + multilingual:family:language",
        CapabilityFormula.Normal => "alignment ~ 0 + consistency + multilingual:family:language",
        CapabilityFormula.NoConsistency => "alignment ~ 0 + multilingual:family:language",
        _ => throw new ArgumentOutOfRangeException(nameof(formula), formula, "not a declared formula"),
    };

    /// <summary>The formula fitted: the fixed part and a random intercept per model.</summary>
    public static string FormulaText(CapabilityFormula formula) => FixedPart(formula) + " + (1 | model)";

    /// <summary>Fits <paramref name="formula"/> to <paramref name="rows"/>; rows with an undefined value are left out.</summary>
    public static CapabilityRegressionResult Fit(IReadOnlyList<CapabilityObservation> rows, CapabilityFormula formula)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var text = FormulaText(formula);
        var usable = rows.Where(r => double.IsFinite(r.Alignment) && double.IsFinite(r.Consistency) && double.IsFinite(r.Multilingual)).ToArray();
        var models = usable.Select(r => r.Model).Distinct(StringComparer.Ordinal).Count();
        if (models < 2)
        {
            // lme4 refuses a random intercept with one level too: its variance is not identifiable.
            return new CapabilityRegressionResult(formula, text, null, null,
                $"needs at least two models with capability scores for a random intercept per model, found {models}");
        }
        var data = new DataFrame([
            DataColumn.Numeric("alignment", usable.Select(r => r.Alignment).ToArray()),
            DataColumn.Numeric("consistency", usable.Select(r => r.Consistency).ToArray()),
            DataColumn.Numeric("multilingual", usable.Select(r => r.Multilingual).ToArray()),
            DataColumn.Factor("family", usable.Select(r => (string?)r.Family).ToArray()),
            DataColumn.Factor("language", usable.Select(r => (string?)r.Language).ToArray()),
            DataColumn.Factor("model", usable.Select(r => (string?)r.Model).ToArray()),
        ]);
        MixedModelFit fit;
        try
        {
            fit = LinearMixedModel.Fit(data, text, reml: true);
        }
        catch (InputException e)
        {
            return new CapabilityRegressionResult(formula, text, null, null, e.Message);
        }
        return new CapabilityRegressionResult(formula, text, fit, RSquaredOf(data, fit, usable), null);
    }

    /// <summary>
    /// R² from the fit. The predicted random intercept of model g is the conditional mode
    /// b_g = γ n_g / (1 + γ n_g) · mean_g(y − Xβ), γ = σ²_model / σ² (exact for a single random
    /// intercept); statsmodels' fitted values, which the authors' R² uses, are Xβ + b_g.
    /// </summary>
    private static RSquared RSquaredOf(DataFrame data, MixedModelFit fit, IReadOnlyList<CapabilityObservation> rows)
    {
        var frame = ModelFrame.Build(data, fit.Formula);
        var n = frame.N;
        var p = frame.X.GetLength(1);
        var beta = fit.FixedEffects.Select(f => f.Estimate).ToArray();
        var xb = new double[n];
        for (var i = 0; i < n; i++)
        {
            double s = 0;
            for (var j = 0; j < p; j++)
            {
                s += frame.X[i, j] * beta[j];
            }
            xb[i] = s;
        }
        var groupVariance = fit.RandomEffects.First(r => r.Term2 is null).Variance!.Value;
        var residualVariance = fit.ResidualVariance;
        var gamma = groupVariance / residualVariance;
        var sums = new Dictionary<string, (double Sum, int Count)>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            var (sum, count) = sums.GetValueOrDefault(rows[i].Model);
            sums[rows[i].Model] = (sum + (frame.Y[i] - xb[i]), count + 1);
        }
        var fitted = new double[n];
        for (var i = 0; i < n; i++)
        {
            var (sum, count) = sums[rows[i].Model];
            fitted[i] = xb[i] + (gamma * count / (1 + (gamma * count)) * (sum / count));
        }
        var varFitted = PopulationVariance(fitted);
        var varXb = PopulationVariance(xb);
        var authors = varFitted + groupVariance + residualVariance;
        var nakagawa = varXb + groupVariance + residualVariance;
        return new RSquared(varFitted / authors, (varFitted + groupVariance) / authors, varXb / nakagawa, (varXb + groupVariance) / nakagawa);
    }

    private static double PopulationVariance(double[] values)
    {
        var mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / values.Length;
    }
}
