using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace CultureProbe.Analysis.MixedModels;

/// <summary>Ordinary least squares with the same formula syntax, as R's <c>lm</c> (Householder QR).</summary>
public static class OrdinaryLeastSquares
{
    /// <summary>Fits <paramref name="formula"/> to <paramref name="data"/>.</summary>
    /// <exception cref="InputException">The formula is malformed, names missing columns, has random-effects terms, or leaves no residual degrees of freedom.</exception>
    public static OlsFit Fit(DataFrame data, string formula) => Fit(data, ModelFormula.Parse(formula));

    /// <summary>Fits a parsed formula.</summary>
    /// <exception cref="InputException">The formula names missing columns or has random-effects terms; a used column holds a value that is not a finite number; the response is constant or fitted exactly; or no residual degrees of freedom are left.</exception>
    public static OlsFit Fit(DataFrame data, ModelFormula formula)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(formula);
        try
        {
            return FitFrame(data, formula);
        }
        catch (InputException e) when (ModelFrame.NeedsFileName(data, e))
        {
            throw ModelFrame.InFile(data, e);
        }
    }

    private static OlsFit FitFrame(DataFrame data, ModelFormula formula)
    {
        if (formula.RandomTerms.Count > 0)
        {
            throw new InputException($"formula '{formula.Text}': OLS takes no random-effects terms such as (1 | {formula.RandomTerms[0].GroupName}); fit a mixed model instead");
        }
        var frame = ModelFrame.Build(data, formula);
        var n = frame.N;
        var p = frame.X.GetLength(1);
        var dof = n - p;
        if (p == 0)
        {
            throw new InputException($"formula '{formula.Text}': no coefficient to estimate (expected an intercept or at least one term)");
        }
        if (dof <= 0)
        {
            throw new InputException($"formula '{formula.Text}': {p} coefficients for {n} observations (expected fewer coefficients than observations)");
        }
        var x = Matrix<double>.Build.DenseOfArray(frame.X);
        var y = Vector<double>.Build.DenseOfArray(frame.Y);
        var qr = x.QR();
        var beta = qr.Solve(y);
        var residuals = y - x * beta;
        var rss = residuals.DotProduct(residuals);
        var sigma2 = rss / dof;
        var r = qr.R.SubMatrix(0, p, 0, p);
        var rInverse = r.Inverse();
        var unscaled = rInverse * rInverse.Transpose();
        var tCrit = StudentT.InvCDF(0, 1, dof, 0.975);
        var fixedEffects = new List<FixedEffect>();
        for (var j = 0; j < p; j++)
        {
            var se = Math.Sqrt(sigma2 * unscaled[j, j]);
            var t = beta[j] / se;
            fixedEffects.Add(new FixedEffect(frame.FixedNames[j], beta[j], se, t, 2 * StudentT.CDF(0, 1, dof, -Math.Abs(t)), beta[j] - tCrit * se, beta[j] + tCrit * se));
        }
        var mean = formula.HasIntercept ? frame.Y.Average() : 0;
        var tss = frame.Y.Sum(v => (v - mean) * (v - mean));
        var r2 = 1 - rss / tss;
        var interceptDof = formula.HasIntercept ? 1 : 0;
        var adjusted = 1 - (1 - r2) * (n - interceptDof) / dof;
        var logLik = -n / 2.0 * (Math.Log(2 * Math.PI * rss / n) + 1);
        return new OlsFit(formula, fixedEffects, sigma2, r2, adjusted, dof, logLik, n, frame.DroppedFixedNames) { RankWarning = frame.RankWarning };
    }
}
