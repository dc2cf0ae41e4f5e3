using MathNet.Numerics.Distributions;

namespace CultureProbe.Analysis.MixedModels;

/// <summary>
/// Fits Gaussian linear mixed-effects models by REML or maximum likelihood, as lme4's
/// <c>lmer</c> does: the criterion is profiled over β and σ² and minimised over the relative
/// covariance parameters θ (see <see cref="ProfiledDeviance"/> and <see cref="ThetaOptimizer"/>).
/// </summary>
public static class LinearMixedModel
{
    private const double Z975 = 1.959963984540054;

    /// <summary>
    /// A residual variance below this fraction of the response's variance is taken as an exact fit. A real
    /// measurement has noise far above it (a residual SD 10⁻⁵ of the response's SD); a degenerate fit drifts far below.
    /// </summary>
    private const double ExactFitRatio = 1e-10;

    /// <summary>Fits <paramref name="formula"/> (lme4 syntax) to <paramref name="data"/>.</summary>
    /// <exception cref="InputException">The formula is malformed, names missing columns, has no random-effects term, or the data cannot support the model.</exception>
    public static MixedModelFit Fit(DataFrame data, string formula, bool reml = true) => Fit(data, ModelFormula.Parse(formula), reml);

    /// <summary>Fits a parsed formula.</summary>
    /// <exception cref="InputException">
    /// The formula names missing columns or has no random-effects term; a used column holds a value that is not a finite
    /// number; the response is constant or fitted exactly; a grouping factor has one level, or as many levels as rows.
    /// </exception>
    public static MixedModelFit Fit(DataFrame data, ModelFormula formula, bool reml = true)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(formula);
        try
        {
            return FitFrame(data, formula, reml);
        }
        catch (InputException e) when (ModelFrame.NeedsFileName(data, e))
        {
            throw ModelFrame.InFile(data, e);
        }
    }

    private static MixedModelFit FitFrame(DataFrame data, ModelFormula formula, bool reml)
    {
        if (formula.RandomTerms.Count == 0)
        {
            throw new InputException($"formula '{formula.Text}': no random-effects term such as (1 | g); fit it by ordinary least squares instead");
        }
        var frame = ModelFrame.Build(data, formula);
        foreach (var block in frame.Blocks)
        {
            if (block.Levels < 2)
            {
                // lme4 stops here too (checkNlevels: "grouping factors must have > 1 sampled level"): one group's
                // effect cannot be told apart from the intercept, so its variance is not identifiable.
                throw new InputException($"formula '{formula.Text}': the grouping factor {block.Group} has a single level ('{block.FirstLevel}') in the {frame.N} rows used "
                    + "(expected at least two; lme4 refuses this too: grouping factors must have > 1 sampled level); drop the term, or fit the fixed part with --ols");
            }
            if (block.Levels >= frame.N)
            {
                throw new InputException($"formula '{formula.Text}': the grouping factor {block.Group} has {block.Levels} levels for {frame.N} observations (expected fewer levels than observations)");
            }
            if (block.K > 1 && block.Levels * block.K >= frame.N)
            {
                // lme4 stops here too (check.nobs.vs.nRE): the variances would not be identifiable from the residual.
                throw new InputException($"formula '{formula.Text}': the term for {block.Group} has {block.Levels * block.K} random effects for {frame.N} observations (expected fewer effects than observations)");
            }
        }
        if (frame.N - frame.X.GetLength(1) <= 0)
        {
            throw new InputException($"formula '{formula.Text}': {frame.X.GetLength(1)} fixed effects for {frame.N} observations (expected fewer effects than observations)");
        }

        var ordered = LmeOrder(frame.Blocks);
        // The optimiser works on random-effect columns scaled to unit root mean square, so that θ
        // is of order one whatever the units of x (a slope per gram and per kilogram give the same
        // fit). With Z = Z_s S, the factor on the original scale is T = S⁻¹ T_s.
        var scales = ordered.Select(ColumnScales).ToArray();
        var scaled = ordered.Select((b, i) => Scale(b, scales[i])).ToList();
        var deviance = new ProfiledDeviance(frame.Y, frame.X, scaled, reml);
        ThetaOptimizer.Result optimum;
        double criterion;
        try
        {
            optimum = ThetaOptimizer.Minimize(theta => deviance.Evaluate(theta), deviance.InitialTheta(), ordered.Select(b => b.K).ToArray());
            criterion = deviance.Evaluate(optimum.Theta);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("not positive definite", StringComparison.Ordinal))
        {
            // The factorisation fails in floating point only when θ (random-effect SD / residual SD) has grown without bound,
            // which the criterion drives it to when the residual variance can shrink to 0: the random effects together
            // reproduce the response (e.g. crossed groups whose effects add up to it exactly).
            throw new InputException($"formula '{formula.Text}': the model reproduces the response '{formula.Response}' exactly (residual variance → 0 as the random-effect "
                + "variances grow, until the fit breaks down numerically; e.g. the groups' effects add up to the response), so the likelihood has no maximum (expected a response with residual noise)", e);
        }
        var thetaOriginal = Unscale(optimum.Theta, scales);

        var n = deviance.N;
        var p = deviance.P;
        var sigma2 = deviance.Pwrss / (reml ? n - p : n);
        if (!double.IsFinite(criterion) || !(sigma2 > ExactFitRatio * Variance(frame.Y)))
        {
            // The random effects absorb every deviation (e.g. the response is constant within each group): the likelihood
            // grows without bound as the residual variance goes to 0, so the optimiser stops anywhere along the way.
            throw new InputException($"formula '{formula.Text}': the model reproduces the response '{formula.Response}' exactly (residual variance "
                + $"{sigma2.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)}, under 1e-10 of the response's variance; e.g. the response is constant within each group), "
                + "so the likelihood has no maximum (expected a response with residual noise)");
        }
        var beta = deviance.Beta;
        var unscaled = deviance.UnscaledFixedCovariance();
        var fixedEffects = new List<FixedEffect>();
        for (var j = 0; j < p; j++)
        {
            var se = Math.Sqrt(sigma2 * unscaled[j, j]);
            var z = beta[j] / se;
            fixedEffects.Add(new FixedEffect(frame.FixedNames[j], beta[j], se, z, 2 * Normal.CDF(0, 1, -Math.Abs(z)), beta[j] - Z975 * se, beta[j] + Z975 * se));
        }

        var randomEffects = new List<VarianceComponent>();
        var groupNames = MakeUnique(ordered.Select(b => b.Group).ToList());
        var t = 0;
        for (var bi = 0; bi < ordered.Count; bi++)
        {
            var block = ordered[bi];
            var k = block.K;
            var lower = new double[k, k];
            for (var j = 0; j < k; j++)
            {
                for (var i = j; i < k; i++)
                {
                    lower[i, j] = thetaOriginal[t++];
                }
            }
            var covariance = new double[k, k];
            for (var i = 0; i < k; i++)
            {
                for (var j = 0; j < k; j++)
                {
                    double s = 0;
                    for (var a = 0; a < k; a++)
                    {
                        s += lower[i, a] * lower[j, a];
                    }
                    covariance[i, j] = sigma2 * s;
                }
            }
            for (var i = 0; i < k; i++)
            {
                randomEffects.Add(new VarianceComponent(groupNames[bi], block.TermNames[i], null, covariance[i, i], Math.Sqrt(covariance[i, i]), null, null));
            }
            for (var j = 0; j < k; j++)
            {
                for (var i = j + 1; i < k; i++)
                {
                    var denominator = Math.Sqrt(covariance[i, i] * covariance[j, j]);
                    var correlation = denominator > 0 ? covariance[i, j] / denominator : double.NaN;
                    randomEffects.Add(new VarianceComponent(groupNames[bi], block.TermNames[j], block.TermNames[i], null, null, covariance[i, j], correlation));
                }
            }
        }

        var groupCounts = new List<KeyValuePair<string, int>>();
        foreach (var block in ordered)
        {
            if (!groupCounts.Any(g => g.Key == block.Group))
            {
                groupCounts.Add(new(block.Group, block.Levels));
            }
        }
        return new MixedModelFit(formula, reml, fixedEffects, randomEffects, sigma2, -criterion / 2, criterion, optimum.Converged, n,
            groupCounts, thetaOriginal, frame.DroppedFixedNames, optimum.Evaluations)
        { RankWarning = frame.RankWarning };
    }

    private static double Variance(double[] values)
    {
        var mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / values.Length;
    }

    private static double[] ColumnScales(RandomBlock block)
    {
        var n = block.LevelOf.Length;
        var scales = new double[block.K];
        for (var j = 0; j < block.K; j++)
        {
            double sum = 0;
            for (var i = 0; i < n; i++)
            {
                sum += block.Values[i, j] * block.Values[i, j];
            }
            var rms = Math.Sqrt(sum / n);
            scales[j] = rms > 0 && double.IsFinite(rms) ? rms : 1;
        }
        return scales;
    }

    private static RandomBlock Scale(RandomBlock block, double[] scales)
    {
        var n = block.LevelOf.Length;
        var values = new double[n, block.K];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < block.K; j++)
            {
                values[i, j] = block.Values[i, j] / scales[j];
            }
        }
        return block with { Values = values };
    }

    /// <summary>T = S⁻¹ T_s: row i of each lower-triangular factor is divided by the scale of effect i.</summary>
    private static double[] Unscale(double[] theta, double[][] scales)
    {
        var result = new double[theta.Length];
        var t = 0;
        foreach (var s in scales)
        {
            var k = s.Length;
            for (var j = 0; j < k; j++)
            {
                for (var i = j; i < k; i++)
                {
                    result[t] = theta[t] / s[i];
                    t++;
                }
            }
        }
        return result;
    }

    /// <summary>
    /// lme4's mkReTrms orders terms by decreasing number of levels with <c>rev(order(nl))</c>,
    /// and only when some later term has more levels than an earlier one.
    /// </summary>
    private static List<RandomBlock> LmeOrder(IReadOnlyList<RandomBlock> blocks)
    {
        var list = blocks.ToList();
        var increases = false;
        for (var i = 1; i < list.Count; i++)
        {
            increases |= list[i].Levels > list[i - 1].Levels;
        }
        if (!increases)
        {
            return list;
        }
        var ascending = list.Select((b, i) => (Block: b, Index: i)).OrderBy(x => x.Block.Levels).ThenBy(x => x.Index).Select(x => x.Block).ToList();
        ascending.Reverse();
        return ascending;
    }

    /// <summary>R's make.unique: the second <c>g</c> becomes <c>g.1</c>, the third <c>g.2</c>.</summary>
    private static List<string> MakeUnique(List<string> names)
    {
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var counters = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (seen.Add(name))
            {
                result.Add(name);
                continue;
            }
            var counter = counters.GetValueOrDefault(name, 1);
            string candidate;
            do
            {
                candidate = $"{name}.{counter++}";
            }
            while (!seen.Add(candidate));
            counters[name] = counter;
            result.Add(candidate);
        }
        return result;
    }
}
