using CsCheck;
using CultureProbe.Analysis.MixedModels;
using MathNet.Numerics.LinearAlgebra;
using Shouldly;

namespace CultureProbe.Tests.Analysis.MixedModels;

/// <summary>Invariants of the fit on random crossed designs, checked by means independent of the profiled-deviance code.</summary>
public sealed class MixedModelPropertyTests
{
    private const string Formula = "y ~ x + (x | g) + (1 | h)";

    /// <summary>A random crossed design: 4–9 levels of g, 3–5 of h, 3–6 rows per g level, random effects of random size.</summary>
    private static readonly Gen<DataFrame> Designs = Gen.Select(Gen.Int[4, 9], Gen.Int[3, 5], Gen.Int[3, 6], Gen.Int).Select(t =>
    {
        var (groups, hLevels, perGroup, seed) = t;
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var n = groups * perGroup;
        var scale = new[] { random.NextDouble() * 2, random.NextDouble(), random.NextDouble() };
        var b0 = Enumerable.Range(0, groups).Select(_ => Normal() * scale[0]).ToArray();
        var b1 = Enumerable.Range(0, groups).Select(_ => Normal() * scale[1]).ToArray();
        var c = Enumerable.Range(0, hLevels).Select(_ => Normal() * scale[2]).ToArray();
        var y = new double[n];
        var x = new double[n];
        var g = new string?[n];
        var h = new string?[n];
        for (var i = 0; i < n; i++)
        {
            var gi = i / perGroup;
            var hi = random.Next(hLevels);
            x[i] = Math.Round(Normal(), 3);
            g[i] = $"g{gi}";
            h[i] = $"h{hi}";
            y[i] = 1 + 0.5 * x[i] + b0[gi] + b1[gi] * x[i] + c[hi] + Normal();
        }
        return new DataFrame([DataColumn.Numeric("y", y), DataColumn.Numeric("x", x), DataColumn.Factor("g", g), DataColumn.Factor("h", h)]);
    });

    [Fact]
    public void Fixed_effects_and_their_covariance_equal_generalised_least_squares_with_the_fitted_covariance()
    {
        Gen.Select(Designs, Gen.Bool).Sample((data, reml) =>
        {
            var fit = LinearMixedModel.Fit(data, Formula, reml);

            // V = σ² I + Z Σ Z' built from the reported variance components, dense, by MathNet
            var n = data.RowCount;
            var x = data.Find("x")!.NumericValues!;
            var g = data.Find("g")!.FactorCodes!;
            var h = data.Find("h")!.FactorCodes!;
            double Component(string group, string term, string? term2 = null)
            {
                var row = fit.RandomEffects.Single(r => r.Group == group && r.Term == term && r.Term2 == term2);
                return row.Variance ?? row.Covariance!.Value;
            }
            var (s00, s11, s01, sh) = (Component("g", "(Intercept)"), Component("g", "x"), Component("g", "(Intercept)", "x"), Component("h", "(Intercept)"));
            var v = Matrix<double>.Build.Dense(n, n, (i, j) =>
                (i == j ? fit.ResidualVariance : 0)
                + (g[i] == g[j] ? s00 + s01 * (x[i] + x[j]) + s11 * x[i] * x[j] : 0)
                + (h[i] == h[j] ? sh : 0));
            var design = Matrix<double>.Build.Dense(n, 2, (i, j) => j == 0 ? 1 : x[i]);
            var response = Vector<double>.Build.DenseOfEnumerable(data.Find("y")!.NumericValues!);
            var vInverseX = v.Solve(design);
            var information = design.TransposeThisAndMultiply(vInverseX);
            var beta = information.Solve(vInverseX.TransposeThisAndMultiply(response));
            var covariance = information.Inverse();

            // The penalised least-squares route and GLS are the same estimator: agreement to rounding
            for (var j = 0; j < 2; j++)
            {
                fit.FixedEffects[j].Estimate.ShouldBe(beta[j], 1e-7 * (1 + Math.Abs(beta[j])));
                fit.FixedEffects[j].StandardError.ShouldBe(Math.Sqrt(covariance[j, j]), 1e-7 * Math.Sqrt(covariance[j, j]));
            }
        }, iter: 25, threads: 1);
    }

    [Fact]
    public void The_ML_log_likelihood_is_never_below_that_of_OLS_which_is_its_zero_variance_case()
    {
        Designs.Sample(data =>
        {
            var mixed = LinearMixedModel.Fit(data, Formula, reml: false);
            var ols = OrdinaryLeastSquares.Fit(data, "y ~ x");
            mixed.LogLikelihood.ShouldBeGreaterThanOrEqualTo(ols.LogLikelihood - 1e-8);
            mixed.Criterion.ShouldBe(-2 * mixed.LogLikelihood, 1e-9);
            mixed.Converged.ShouldBeTrue();
        }, iter: 25, threads: 1);
    }
}
