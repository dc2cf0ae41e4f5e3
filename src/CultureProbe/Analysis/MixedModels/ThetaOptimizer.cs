using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace CultureProbe.Analysis.MixedModels;

/// <summary>
/// Minimises the profiled criterion over θ. The criterion is unchanged when a column of a
/// term's factor T changes sign (T T' is the same), so every unconstrained minimum maps to a
/// minimum that honours lme4's bounds (diagonal ≥ 0): we optimise without bounds and flip
/// column signs at the end. Stage one is MathNet's Nelder–Mead simplex, restarted from its
/// best point until it stops improving; stage two polishes with damped Newton steps on
/// central-difference derivatives, which drives the gradient to the noise floor of the
/// criterion so the estimates do not depend on where the simplex happened to stop.
/// </summary>
internal static class ThetaOptimizer
{
    /// <summary>The result of a minimisation.</summary>
    public sealed record Result(double[] Theta, double Value, bool Converged, int Evaluations, double GradientNorm);

    public static Result Minimize(Func<double[], double> criterion, double[] start, IReadOnlyList<int> blockSizes)
    {
        var evaluations = 0;
        var best = (double[])start.Clone();
        var bestValue = double.PositiveInfinity;
        double F(double[] theta)
        {
            evaluations++;
            var value = criterion(theta);
            if (value < bestValue)
            {
                bestValue = value;
                best = (double[])theta.Clone();
            }
            return value;
        }

        F(start);
        var simplexConverged = false;
        var perturbation = 0.5;
        for (var round = 0; round < 6; round++)
        {
            var before = bestValue;
            var objective = ObjectiveFunction.Value(v => F(v.ToArray()));
            try
            {
                NelderMeadSimplex.Minimum(objective, Vector<double>.Build.DenseOfArray(best), Vector<double>.Build.Dense(start.Length, perturbation), 1e-12, 4000);
                simplexConverged = true;
            }
            catch (MaximumIterationsException)
            {
                simplexConverged = false;
            }
            perturbation = Math.Max(perturbation / 5, 1e-3);
            if (before - bestValue < 1e-10 * (1 + Math.Abs(bestValue)))
            {
                break;
            }
        }

        var gradientNorm = NewtonPolish(F, ref best, ref bestValue);
        // Re-evaluate at the final point so callers read the state of the optimum.
        var theta = Canonical(best, blockSizes);
        var value = F(theta);
        var converged = (simplexConverged || gradientNorm < 1e-6) && gradientNorm < 1e-3 * Math.Max(1, Math.Abs(value) / 1000);
        return new Result(theta, value, converged, evaluations, gradientNorm);
    }

    /// <summary>Flips the sign of any column of a factor whose diagonal entry is negative, so the diagonal is ≥ 0 as lme4 reports it.</summary>
    private static double[] Canonical(double[] theta, IReadOnlyList<int> blockSizes)
    {
        var result = (double[])theta.Clone();
        var t = 0;
        foreach (var k in blockSizes)
        {
            for (var j = 0; j < k; j++)
            {
                var columnLength = k - j;
                if (result[t] < 0)
                {
                    for (var i = 0; i < columnLength; i++)
                    {
                        result[t + i] = -result[t + i];
                    }
                }
                t += columnLength;
            }
        }
        return result;
    }

    /// <summary>Damped Newton with central differences; returns the final gradient's max norm.</summary>
    private static double NewtonPolish(Func<double[], double> f, ref double[] x, ref double fx)
    {
        var d = x.Length;
        var gradientNorm = double.PositiveInfinity;
        for (var iteration = 0; iteration < 60; iteration++)
        {
            var h = x.Select(v => 1e-4 * Math.Max(Math.Abs(v), 0.05)).ToArray();
            var (g, hessian) = Derivatives(f, x, fx, h);
            gradientNorm = g.Max(Math.Abs);
            if (gradientNorm == 0)
            {
                break;
            }
            var step = DampedNewtonStep(g, hessian);
            if (step is null)
            {
                break;
            }
            var improved = false;
            var alpha = 1.0;
            for (var halving = 0; halving < 40; halving++)
            {
                var trial = new double[d];
                for (var i = 0; i < d; i++)
                {
                    trial[i] = x[i] + alpha * step[i];
                }
                var ft = f(trial);
                if (ft < fx)
                {
                    var gain = fx - ft;
                    x = trial;
                    fx = ft;
                    improved = true;
                    if (gain < 1e-13 * (1 + Math.Abs(fx)) && alpha * step.Max(Math.Abs) < 1e-9)
                    {
                        return gradientNorm;
                    }
                    break;
                }
                alpha /= 2;
            }
            if (!improved)
            {
                break;
            }
        }
        return gradientNorm;
    }

    private static (double[] Gradient, double[,] Hessian) Derivatives(Func<double[], double> f, double[] x, double fx, double[] h)
    {
        var d = x.Length;
        var g = new double[d];
        var hessian = new double[d, d];
        var probe = (double[])x.Clone();
        double At(int i, double di, int j, double dj)
        {
            Array.Copy(x, probe, d);
            probe[i] += di;
            probe[j] += dj;
            return f(probe);
        }
        for (var i = 0; i < d; i++)
        {
            var plus = At(i, h[i], i, 0);
            var minus = At(i, -h[i], i, 0);
            g[i] = (plus - minus) / (2 * h[i]);
            hessian[i, i] = (plus - 2 * fx + minus) / (h[i] * h[i]);
        }
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < i; j++)
            {
                var pp = At(i, h[i], j, h[j]);
                var pm = At(i, h[i], j, -h[j]);
                var mp = At(i, -h[i], j, h[j]);
                var mm = At(i, -h[i], j, -h[j]);
                hessian[i, j] = hessian[j, i] = (pp - pm - mp + mm) / (4 * h[i] * h[j]);
            }
        }
        return (g, hessian);
    }

    /// <summary>Solves (H + λI) s = −g with the smallest λ ≥ 0 tried that makes the matrix positive definite.</summary>
    private static double[]? DampedNewtonStep(double[] g, double[,] hessian)
    {
        var d = g.Length;
        var scale = 0.0;
        for (var i = 0; i < d; i++)
        {
            scale = Math.Max(scale, Math.Abs(hessian[i, i]));
        }
        scale = Math.Max(scale, 1e-8);
        var a = new double[d * d];
        for (var lambda = 0.0; lambda <= 1e8 * scale; lambda = lambda == 0 ? 1e-8 * scale : lambda * 10)
        {
            for (var i = 0; i < d; i++)
            {
                for (var j = 0; j < d; j++)
                {
                    a[i * d + j] = hessian[i, j] + (i == j ? lambda : 0);
                }
            }
            if (!DenseCholesky.Factor(a, d))
            {
                continue;
            }
            var step = g.Select(v => -v).ToArray();
            DenseCholesky.SolveLower(a, d, step);
            DenseCholesky.SolveUpper(a, d, step);
            return step;
        }
        return null;
    }
}
