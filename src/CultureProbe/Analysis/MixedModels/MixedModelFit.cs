namespace CultureProbe.Analysis.MixedModels;

/// <summary>A fixed-effect coefficient with its Wald inference.</summary>
/// <param name="Term">The column name as lme4 names it: <c>(Intercept)</c>, <c>x</c>, <c>fB</c>, <c>x:fB</c>.</param>
/// <param name="Estimate">The estimate.</param>
/// <param name="StandardError">Its standard error.</param>
/// <param name="Statistic">Estimate / standard error (z for a mixed model, t for OLS).</param>
/// <param name="PValue">Two-sided p-value (normal for a mixed model, t with the residual degrees of freedom for OLS).</param>
/// <param name="ConfidenceLow">Lower end of the 95% Wald interval.</param>
/// <param name="ConfidenceHigh">Upper end of the 95% Wald interval.</param>
public sealed record FixedEffect(string Term, double Estimate, double StandardError, double Statistic, double PValue, double ConfidenceLow, double ConfidenceHigh);

/// <summary>
/// A row of the random-effects covariance table as lme4's <c>as.data.frame(VarCorr(fit))</c>
/// lists it: a variance row (<see cref="Term2"/> null) or a covariance row between two effects
/// of the same grouping factor (<see cref="Variance"/> and <see cref="StandardDeviation"/> null).
/// </summary>
/// <param name="Group">The grouping factor, e.g. <c>g</c>, <c>g2:g1</c>; a repeated factor gets <c>.1</c>, <c>.2</c> as lme4 makes names unique.</param>
/// <param name="Term">The effect, e.g. <c>(Intercept)</c> or <c>x</c>.</param>
/// <param name="Term2">The second effect of a covariance row, otherwise null.</param>
/// <param name="Variance">The variance, on variance rows.</param>
/// <param name="StandardDeviation">Its square root, on variance rows.</param>
/// <param name="Covariance">The covariance, on covariance rows.</param>
/// <param name="Correlation">The correlation, on covariance rows.</param>
public sealed record VarianceComponent(string Group, string Term, string? Term2, double? Variance, double? StandardDeviation, double? Covariance, double? Correlation);

/// <summary>A fitted linear mixed-effects model.</summary>
/// <param name="Formula">The model formula.</param>
/// <param name="Reml">Whether it was fitted by REML (otherwise maximum likelihood).</param>
/// <param name="FixedEffects">Coefficients, standard errors, z, p and 95% Wald intervals.</param>
/// <param name="RandomEffects">Variances, standard deviations, covariances and correlations per grouping factor (lme4's order).</param>
/// <param name="ResidualVariance">σ².</param>
/// <param name="LogLikelihood">The log-likelihood (for REML, the REML log-likelihood, −criterion/2, as lme4's <c>logLik</c>).</param>
/// <param name="Criterion">The REML criterion or, for ML, the deviance (−2 log-likelihood).</param>
/// <param name="Converged">Whether the optimiser reached a point where the criterion's gradient is negligible.</param>
/// <param name="Observations">Rows used (complete in every variable of the formula).</param>
/// <param name="GroupCounts">Number of levels of each grouping factor.</param>
/// <param name="Theta">The relative covariance parameters θ in lme4's order.</param>
/// <param name="DroppedFixedEffects">Columns of X dropped because they were linear combinations of earlier ones.</param>
/// <param name="Evaluations">Evaluations of the profiled criterion.</param>
public sealed record MixedModelFit(
    ModelFormula Formula,
    bool Reml,
    IReadOnlyList<FixedEffect> FixedEffects,
    IReadOnlyList<VarianceComponent> RandomEffects,
    double ResidualVariance,
    double LogLikelihood,
    double Criterion,
    bool Converged,
    int Observations,
    IReadOnlyList<KeyValuePair<string, int>> GroupCounts,
    IReadOnlyList<double> Theta,
    IReadOnlyList<string> DroppedFixedEffects,
    int Evaluations)
{
    /// <summary><c>REML</c> or <c>ML</c>.</summary>
    public string Method => Reml ? "REML" : "ML";

    /// <summary>The warning for <see cref="DroppedFixedEffects"/>, naming the columns each dropped one is a combination of; null when none was dropped.</summary>
    public string? RankWarning { get; init; }
}

/// <summary>An ordinary least-squares fit.</summary>
/// <param name="Formula">The model formula (no random-effects terms).</param>
/// <param name="FixedEffects">Coefficients, standard errors, t, p and 95% t intervals.</param>
/// <param name="ResidualVariance">RSS / (n − p).</param>
/// <param name="RSquared">1 − RSS/TSS, TSS about the mean when there is an intercept and about zero otherwise, as R's <c>summary.lm</c>.</param>
/// <param name="AdjustedRSquared">R² adjusted for the degrees of freedom.</param>
/// <param name="ResidualDegreesOfFreedom">n − p.</param>
/// <param name="LogLikelihood">The Gaussian log-likelihood at the ML variance RSS/n, as R's <c>logLik.lm</c>.</param>
/// <param name="Observations">Rows used.</param>
/// <param name="DroppedFixedEffects">Columns dropped as linear combinations of earlier ones (R reports them as NA).</param>
public sealed record OlsFit(
    ModelFormula Formula,
    IReadOnlyList<FixedEffect> FixedEffects,
    double ResidualVariance,
    double RSquared,
    double AdjustedRSquared,
    int ResidualDegreesOfFreedom,
    double LogLikelihood,
    int Observations,
    IReadOnlyList<string> DroppedFixedEffects)
{
    /// <summary>The warning for <see cref="DroppedFixedEffects"/>, naming the columns each dropped one is a combination of; null when none was dropped.</summary>
    public string? RankWarning { get; init; }
}
