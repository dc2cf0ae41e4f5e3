namespace CultureProbe.Analysis.MixedModels;

/// <summary>The JSON shape of fits (snake_case, NaN written as null), shared by <c>lmm --json</c> and the studies' <c>study.json</c>.</summary>
public static class MixedModelJson
{
    /// <summary>JSON cannot hold NaN (the correlation of an effect with zero variance); write null as lme4's NaN.</summary>
    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    /// <summary>A mixed-model fit as written by <c>lmm --json</c> and the studies' JSON.</summary>
    public static object Of(MixedModelFit fit) => new
    {
        formula = fit.Formula.Text,
        method = fit.Method,
        @fixed = fit.FixedEffects.Select(f => new
        {
            term = f.Term,
            estimate = f.Estimate,
            se = f.StandardError,
            z = f.Statistic,
            p = f.PValue,
            ci_low = f.ConfidenceLow,
            ci_high = f.ConfidenceHigh,
        }),
        random = fit.RandomEffects.Select(r => new
        {
            group = r.Group,
            term = r.Term,
            term2 = r.Term2,
            variance = Finite(r.Variance),
            sd = Finite(r.StandardDeviation),
            covariance = Finite(r.Covariance),
            correlation = Finite(r.Correlation),
        }),
        residual_variance = fit.ResidualVariance,
        loglik = fit.LogLikelihood,
        criterion = fit.Criterion,
        converged = fit.Converged,
        nobs = fit.Observations,
        ngroups = fit.GroupCounts.ToDictionary(g => g.Key, g => g.Value),
        dropped = fit.DroppedFixedEffects,
    };

    /// <summary>An OLS fit as written by <c>lmm --json</c> and the studies' JSON.</summary>
    public static object Of(OlsFit fit) => new
    {
        formula = fit.Formula.Text,
        method = "OLS",
        @fixed = fit.FixedEffects.Select(f => new
        {
            term = f.Term,
            estimate = f.Estimate,
            se = f.StandardError,
            t = f.Statistic,
            p = f.PValue,
            ci_low = f.ConfidenceLow,
            ci_high = f.ConfidenceHigh,
        }),
        residual_variance = fit.ResidualVariance,
        r_squared = fit.RSquared,
        adj_r_squared = fit.AdjustedRSquared,
        df_residual = fit.ResidualDegreesOfFreedom,
        loglik = fit.LogLikelihood,
        nobs = fit.Observations,
        dropped = fit.DroppedFixedEffects,
    };
}
