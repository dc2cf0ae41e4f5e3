using MathNet.Numerics.Distributions;

namespace CultureProbe.Study;

/// <summary>One alignment value of the US-bias frame: a model's responses in one language against one country.</summary>
/// <param name="Round">Bootstrap round (0 for point alignments).</param>
/// <param name="Model">Model id.</param>
/// <param name="Country">Country code.</param>
/// <param name="Language">Response language.</param>
/// <param name="IsReferenceCountry">Whether the country is the reference (the US).</param>
/// <param name="Value">Spearman alignment.</param>
public sealed record UsBiasObservation(int Round, string Model, string Country, string Language, bool IsReferenceCountry, double Value);

/// <summary>
/// The US-centric bias of one model in one language:
/// β = [mean(US) − mean(native, non-US)]_model − [the same]_reference baseline.
/// </summary>
/// <param name="Model">Model id.</param>
/// <param name="Language">Response language.</param>
/// <param name="Estimate">β, the coefficient <c>us[T.True]:model_name[T.m]:language[ℓ]</c> of the authors' OLS.</param>
/// <param name="StandardError">Its OLS standard error (σ̂ · √Σ 1/n over the four cells).</param>
/// <param name="Statistic">t = β / SE.</param>
/// <param name="PValue">Two-sided p-value, t with the residual degrees of freedom.</param>
/// <param name="CiLow">Lower end of the 95 % t interval.</param>
/// <param name="CiHigh">Upper end of the 95 % t interval.</param>
/// <param name="ModelContrast">mean(US) − mean(native non-US) of the model.</param>
/// <param name="BaselineContrast">The same for the reference baseline.</param>
/// <param name="ReferenceRows">Rows of the model's reference-country cell.</param>
/// <param name="NativeRows">Rows of the model's native non-reference cell.</param>
public sealed record UsBiasRow(string Model, string Language, double Estimate, double StandardError, double Statistic, double PValue,
    double CiLow, double CiHigh, double ModelContrast, double BaselineContrast, int ReferenceRows, int NativeRows);

/// <summary>The US-bias regression <c>metric_value ~ us*model_name:language</c> over one frame.</summary>
/// <param name="Source"><c>rounds</c> (bootstrap rounds, as the released table) or <c>point</c> (one row per model × country × language).</param>
/// <param name="ReferenceModel">The baseline model every contrast is taken against.</param>
/// <param name="ReferenceCountry">The country whose alignment is contrasted with the native countries'.</param>
/// <param name="Observations">Rows of the frame (N).</param>
/// <param name="Cells">Non-empty (model × language × reference) cells: the rank p of the saturated design.</param>
/// <param name="ResidualDegreesOfFreedom">N − p.</param>
/// <param name="ResidualVariance">σ̂² = RSS / (N − p), RSS about the cell means.</param>
/// <param name="Rows">One row per (model other than the reference, language) with all four cells present.</param>
public sealed record UsBiasFit(string Source, string ReferenceModel, string ReferenceCountry, int Observations, int Cells,
    int ResidualDegreesOfFreedom, double ResidualVariance, IReadOnlyList<UsBiasRow> Rows);

/// <summary>
/// The authors' US-centric bias regression (RQ2, <c>plot_us_centric_bias.py</c>): OLS of
/// <c>metric_value ~ us*model_name:language</c> with treatment coding, reference model the
/// uniform-random baseline, over country alignments of native countries and the US.
/// </summary>
/// <remarks>
/// Why cell means give the OLS exactly: the design is saturated. Patsy codes
/// <c>us*model_name:language</c> as Intercept, us, and full-rank codings of model:language and
/// us:model:language, whose columns span exactly the indicator vectors of the non-empty
/// (model, language, us) cells. OLS projects y onto that span, so the fitted value of a row is its
/// cell's mean and RSS is the within-cell sum of squares; every coefficient is a fixed linear
/// contrast of cell means, and <c>us[T.True]:model_name[T.m]:language[ℓ]</c> is the
/// difference-in-differences (ȳ_{m,ℓ,US} − ȳ_{m,ℓ,¬US}) − (ȳ_{ref,ℓ,US} − ȳ_{ref,ℓ,¬US}). Cell means
/// are independent with variance σ²/n_cell, so Var(β̂) = σ² Σ 1/n over the four cells, with
/// σ̂² = RSS/(N − p), p = the number of non-empty cells (the design's rank). This is what
/// statsmodels reports, without building the 80-column matrix.
/// </remarks>
public static class UsBiasRegression
{
    /// <summary>
    /// Builds the frame from country alignments: keeps a row when the country's language is the
    /// response language (native) or the country is <paramref name="referenceCountry"/>; drops the
    /// excluded models (the fifty-percent baseline) and undefined values.
    /// </summary>
    /// <param name="alignments">(round, model, country, response language, Spearman) per country alignment.</param>
    /// <param name="countryLanguage">Each country's language.</param>
    /// <param name="referenceCountry">The reference country (compared case-insensitively).</param>
    /// <param name="excludedModels">Models left out of the frame.</param>
    public static IReadOnlyList<UsBiasObservation> Frame(IEnumerable<(int Round, string Model, string Country, string Language, double Value)> alignments,
        IReadOnlyDictionary<string, string> countryLanguage, string referenceCountry, IReadOnlyCollection<string> excludedModels)
    {
        ArgumentNullException.ThrowIfNull(alignments);
        ArgumentNullException.ThrowIfNull(countryLanguage);
        ArgumentNullException.ThrowIfNull(excludedModels);
        var frame = new List<UsBiasObservation>();
        foreach (var (round, model, country, language, value) in alignments)
        {
            if (!countryLanguage.TryGetValue(country, out var countryLang) || excludedModels.Contains(model, StringComparer.Ordinal) || double.IsNaN(value))
            {
                continue;
            }
            var isReference = string.Equals(country, referenceCountry, StringComparison.OrdinalIgnoreCase);
            var native = string.Equals(countryLang, language, StringComparison.OrdinalIgnoreCase);
            if (native || isReference)
            {
                frame.Add(new UsBiasObservation(round, model, country, language, isReference, value));
            }
        }
        return frame;
    }

    /// <summary>Fits the regression on <paramref name="frame"/> from cell means (see the remarks of <see cref="UsBiasRegression"/>).</summary>
    /// <param name="frame">The observations.</param>
    /// <param name="referenceModel">The baseline every model's contrast is taken against.</param>
    /// <param name="referenceCountry">The reference country (for the record).</param>
    /// <param name="source">What the frame was built from (<c>rounds</c> or <c>point</c>).</param>
    /// <param name="warnings">Receives a line for each (model, language) without all four cells.</param>
    public static UsBiasFit Fit(IReadOnlyList<UsBiasObservation> frame, string referenceModel, string referenceCountry, string source, ICollection<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(warnings);
        var cells = new Dictionary<(string Model, string Language, bool Reference), Cell>();
        foreach (var row in frame)
        {
            var key = (row.Model, row.Language, row.IsReferenceCountry);
            if (!cells.TryGetValue(key, out var cell))
            {
                cell = new Cell();
                cells[key] = cell;
            }
            cell.Values.Add(row.Value);
        }
        double rss = 0;
        foreach (var cell in cells.Values)
        {
            cell.Mean = cell.Values.Average();
            foreach (var v in cell.Values)
            {
                rss += (v - cell.Mean) * (v - cell.Mean);
            }
        }
        var n = frame.Count;
        var p = cells.Count;
        var dof = n - p;
        var sigma2 = dof > 0 ? rss / dof : double.NaN;
        var tCritical = dof > 0 ? StudentT.InvCDF(0, 1, dof, 0.975) : double.NaN;

        var rows = new List<UsBiasRow>();
        var pairs = cells.Keys.Select(k => (k.Model, k.Language)).Distinct()
            .Where(k => k.Model != referenceModel)
            .OrderBy(k => k.Model, StringComparer.Ordinal).ThenBy(k => k.Language, StringComparer.Ordinal);
        foreach (var (model, language) in pairs)
        {
            var modelUs = cells.GetValueOrDefault((model, language, true));
            var modelNative = cells.GetValueOrDefault((model, language, false));
            var baseUs = cells.GetValueOrDefault((referenceModel, language, true));
            var baseNative = cells.GetValueOrDefault((referenceModel, language, false));
            if (modelUs is null || modelNative is null || baseUs is null || baseNative is null)
            {
                warnings.Add($"US bias ({source}): {model} in {language} lacks a cell (reference country or native countries, for the model or for {referenceModel}); no estimate");
                continue;
            }
            var modelContrast = modelUs.Mean - modelNative.Mean;
            var baselineContrast = baseUs.Mean - baseNative.Mean;
            var estimate = modelContrast - baselineContrast;
            var se = Math.Sqrt(sigma2 * ((1.0 / modelUs.Count) + (1.0 / modelNative.Count) + (1.0 / baseUs.Count) + (1.0 / baseNative.Count)));
            var t = estimate / se;
            var pValue = dof > 0 ? 2 * StudentT.CDF(0, 1, dof, -Math.Abs(t)) : double.NaN;
            rows.Add(new UsBiasRow(model, language, estimate, se, t, pValue, estimate - (tCritical * se), estimate + (tCritical * se),
                modelContrast, baselineContrast, modelUs.Count, modelNative.Count));
        }
        return new UsBiasFit(source, referenceModel, referenceCountry, n, p, dof, sigma2, rows);
    }

    private sealed class Cell
    {
        public List<double> Values { get; } = [];

        public int Count => Values.Count;

        public double Mean { get; set; }
    }
}
