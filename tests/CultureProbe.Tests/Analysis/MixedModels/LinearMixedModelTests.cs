using System.Text.Json;
using CultureProbe.Analysis.MixedModels;
using Shouldly;

namespace CultureProbe.Tests.Analysis.MixedModels;

/// <summary>
/// Fits every lme4 fixture and compares. The tolerances are the ones the issue sets for
/// held-out data, so passing here is the evidence that the method and optimiser are tight
/// enough: fixed effects and standard errors within 1e-4 relative, variance components within
/// 1e-3 relative, log-likelihood within 1e-3 absolute. lme4 stops its own optimiser at about
/// 1e-6 in θ, so a tighter comparison would measure lme4's stopping point rather than ours.
/// Where lme4's default optimiser stops short of the optimum (boundary fits), the fixture holds
/// the best of several tightly converged lme4 runs (see make_fixtures.R and each case's
/// "optimizer" field), because the oracle is lme4's criterion, not its default stopping point.
/// </summary>
public sealed class LinearMixedModelTests
{
    private const double FixedRelative = 1e-4;
    private const double VarianceRelative = 1e-3;
    private const double LogLikAbsolute = 1e-3;

    public static TheoryData<string, int> Cases => LmeFixtures.MixedCases();

    public static TheoryData<string, int> OlsCases => LmeFixtures.OlsCases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_lme4(string dataSet, int caseIndex)
    {
        // Given an lme4 fit of a fixture
        var root = LmeFixtures.Load(dataSet);
        var expected = root.GetProperty("cases")[caseIndex];
        var data = DataFrame.ReadCsv(LmeFixtures.DataPath(dataSet));
        var reml = expected.GetProperty("method").GetString() == "REML";

        // When we fit the same formula
        var fit = LinearMixedModel.Fit(data, expected.GetProperty("formula").GetString()!, reml);

        // Then every reported quantity agrees within the stated tolerances
        fit.Converged.ShouldBeTrue();
        fit.Method.ShouldBe(expected.GetProperty("method").GetString());
        fit.Observations.ShouldBe(expected.GetProperty("nobs").GetInt32());
        var fixedExpected = expected.GetProperty("fixed").EnumerateArray().ToList();
        fit.FixedEffects.Select(f => f.Term).ShouldBe(fixedExpected.Select(f => f.GetProperty("term").GetString()));
        for (var i = 0; i < fixedExpected.Count; i++)
        {
            ShouldBeRelative(fit.FixedEffects[i].Estimate, fixedExpected[i].GetProperty("estimate").GetDouble(), FixedRelative, fit.FixedEffects[i].Term);
            ShouldBeRelative(fit.FixedEffects[i].StandardError, fixedExpected[i].GetProperty("se").GetDouble(), FixedRelative, fit.FixedEffects[i].Term + " se");
        }
        var residual = expected.GetProperty("residual_variance").GetDouble();
        ShouldBeRelative(fit.ResidualVariance, residual, VarianceRelative, "residual variance");
        var randomExpected = expected.GetProperty("random").EnumerateArray().ToList();
        fit.RandomEffects.Count.ShouldBe(randomExpected.Count);
        for (var i = 0; i < randomExpected.Count; i++)
        {
            var e = randomExpected[i];
            var a = fit.RandomEffects[i];
            a.Group.ShouldBe(e.GetProperty("group").GetString());
            a.Term.ShouldBe(e.GetProperty("term").GetString());
            var term2 = e.GetProperty("term2");
            a.Term2.ShouldBe(term2.ValueKind == JsonValueKind.Null ? null : term2.GetString());
            if (a.Term2 is null)
            {
                // A variance of zero (a boundary fit) has no relative error; compare it on the residual's scale.
                ShouldBeRelative(a.Variance!.Value, e.GetProperty("vcov").GetDouble(), VarianceRelative, $"{a.Group} {a.Term} variance", floor: 1e-6 * residual);
                ShouldBeRelative(a.StandardDeviation!.Value, e.GetProperty("sdcor").GetDouble(), VarianceRelative, $"{a.Group} {a.Term} sd", floor: 1e-3 * Math.Sqrt(residual));
            }
            else
            {
                // A covariance near zero has no useful relative error; 1e-3 of sqrt(var1 var2) is 1e-3 on the correlation scale.
                var scale = Math.Sqrt(VarianceOf(fit, a.Group, a.Term) * VarianceOf(fit, a.Group, a.Term2));
                ShouldBeRelative(a.Covariance!.Value, e.GetProperty("vcov").GetDouble(), VarianceRelative, $"{a.Group} {a.Term},{a.Term2} covariance", floor: Math.Max(1e-3 * scale, 1e-6 * residual));
                a.Correlation!.Value.ShouldBe(e.GetProperty("sdcor").GetDouble(), VarianceRelative, $"{a.Group} {a.Term},{a.Term2} correlation");
            }
        }
        fit.LogLikelihood.ShouldBe(expected.GetProperty("loglik").GetDouble(), LogLikAbsolute);
        fit.Criterion.ShouldBe(expected.GetProperty("criterion").GetDouble(), 2 * LogLikAbsolute);
        var groups = expected.GetProperty("ngroups");
        foreach (var (group, levels) in fit.GroupCounts)
        {
            groups.GetProperty(group).GetInt32().ShouldBe(levels);
        }
    }

    [Theory]
    [MemberData(nameof(OlsCases))]
    public void Ols_matches_lm(string dataSet, int caseIndex)
    {
        var expected = LmeFixtures.Load(dataSet).GetProperty("ols")[caseIndex];
        var data = DataFrame.ReadCsv(LmeFixtures.DataPath(dataSet));

        var fit = OrdinaryLeastSquares.Fit(data, expected.GetProperty("formula").GetString()!);

        // lm is a direct QR solve, so agreement is limited only by rounding: 1e-8 relative.
        var fixedExpected = expected.GetProperty("fixed").EnumerateArray().ToList();
        fit.FixedEffects.Select(f => f.Term).ShouldBe(fixedExpected.Select(f => f.GetProperty("term").GetString()));
        for (var i = 0; i < fixedExpected.Count; i++)
        {
            ShouldBeRelative(fit.FixedEffects[i].Estimate, fixedExpected[i].GetProperty("estimate").GetDouble(), 1e-8, fit.FixedEffects[i].Term);
            ShouldBeRelative(fit.FixedEffects[i].StandardError, fixedExpected[i].GetProperty("se").GetDouble(), 1e-8, fit.FixedEffects[i].Term + " se");
            ShouldBeRelative(fit.FixedEffects[i].PValue, fixedExpected[i].GetProperty("p").GetDouble(), 1e-6, fit.FixedEffects[i].Term + " p", floor: 1e-15);
        }
        ShouldBeRelative(fit.ResidualVariance, expected.GetProperty("residual_variance").GetDouble(), 1e-8, "residual variance");
        fit.RSquared.ShouldBe(expected.GetProperty("r_squared").GetDouble(), 1e-10);
        fit.AdjustedRSquared.ShouldBe(expected.GetProperty("adj_r_squared").GetDouble(), 1e-10);
        fit.LogLikelihood.ShouldBe(expected.GetProperty("loglik").GetDouble(), 1e-8);
    }

    [Fact]
    public void Sleepstudy_matches_the_published_lme4_numbers()
    {
        // Bates et al. (2015), section 1: REML fixed effects 251.405 and 10.467, SEs 6.825 and 1.546,
        // Subject variances 612.10 and 35.07, correlation 0.066, residual 654.94. The REML criterion
        // changes by only ~1e-9 when the intercept variance moves by 0.01 (lme4's default optimiser
        // stops at 612.1002, a tight Nelder-Mead at 612.0976, we at 612.090 with a lower criterion),
        // so the printed variances are checked to 0.02 and the rest to half a unit in the last digit.
        var fit = LinearMixedModel.Fit(DataFrame.ReadCsv(LmeFixtures.DataPath("sleepstudy")), "Reaction ~ Days + (Days | Subject)");

        fit.FixedEffects[0].Estimate.ShouldBe(251.405, 5e-4);
        fit.FixedEffects[1].Estimate.ShouldBe(10.467, 5e-4);
        fit.FixedEffects[0].StandardError.ShouldBe(6.825, 5e-4);
        fit.FixedEffects[1].StandardError.ShouldBe(1.546, 5e-4);
        fit.RandomEffects[0].Variance!.Value.ShouldBe(612.10, 0.02);
        fit.RandomEffects[1].Variance!.Value.ShouldBe(35.07, 0.005);
        fit.RandomEffects[2].Correlation!.Value.ShouldBe(0.066, 5e-4);
        fit.ResidualVariance.ShouldBe(654.94, 0.005);
    }

    [Theory]
    [InlineData(1000.0)]
    [InlineData(1e-3)]
    [InlineData(1e6)]
    [InlineData(1e-6)]
    public void Rescaling_a_predictor_rescales_its_estimates_and_nothing_else(double factor)
    {
        // Given the slope data with x in other units (lme4's ML fit of the original as reference)
        var expected = LmeFixtures.Load("slope").GetProperty("cases")[1];
        var original = DataFrame.ReadCsv(LmeFixtures.DataPath("slope"));
        var data = new DataFrame(original.Columns.Select(c => c.Name == "x" ? DataColumn.Numeric("x", c.NumericValues!.Select(v => v * factor).ToArray()) : c).ToArray());

        // When we fit y ~ x + (x | g) by ML
        var fit = LinearMixedModel.Fit(data, "y ~ x + (x | g)", reml: false);

        // Then the slope, its variance and covariance carry the factor; the likelihood does not change
        var fixedExpected = expected.GetProperty("fixed");
        ShouldBeRelative(fit.FixedEffects[1].Estimate * factor, fixedExpected[1].GetProperty("estimate").GetDouble(), FixedRelative, "x");
        ShouldBeRelative(fit.FixedEffects[1].StandardError * factor, fixedExpected[1].GetProperty("se").GetDouble(), FixedRelative, "x se");
        var random = expected.GetProperty("random");
        ShouldBeRelative(fit.RandomEffects[1].Variance!.Value * factor * factor, random[1].GetProperty("vcov").GetDouble(), VarianceRelative, "x variance");
        ShouldBeRelative(fit.RandomEffects[2].Covariance!.Value * factor, random[2].GetProperty("vcov").GetDouble(), VarianceRelative, "covariance");
        fit.LogLikelihood.ShouldBe(expected.GetProperty("loglik").GetDouble(), LogLikAbsolute);
    }

    [Fact]
    public void Row_order_and_group_labels_do_not_change_the_fit()
    {
        // Given the crossed data with rows reversed and subjects relabelled so that they sort in another order
        var original = DataFrame.ReadCsv(LmeFixtures.DataPath("crossed"));
        var n = original.RowCount;
        var shuffled = new DataFrame(original.Columns.Select(c => c.IsNumeric
            ? DataColumn.Numeric(c.Name, Enumerable.Range(0, n).Select(i => c.NumericValues![n - 1 - i]).ToArray())
            : DataColumn.Factor(c.Name, Enumerable.Range(0, n).Select(i => (string?)("z" + new string(c.TextAt(n - 1 - i).Reverse().ToArray()))).ToArray())).ToArray());
        const string formula = "y ~ x + (x | subject) + (1 | item)";

        // When both are fitted
        var a = LinearMixedModel.Fit(original, formula);
        var b = LinearMixedModel.Fit(shuffled, formula);

        // Then the estimates agree to the optimiser's precision, far inside the lme4 tolerances
        for (var i = 0; i < a.FixedEffects.Count; i++)
        {
            ShouldBeRelative(b.FixedEffects[i].Estimate, a.FixedEffects[i].Estimate, 1e-6, a.FixedEffects[i].Term);
        }
        for (var i = 0; i < a.RandomEffects.Count; i++)
        {
            ShouldBeRelative(b.RandomEffects[i].Variance ?? b.RandomEffects[i].Covariance!.Value, a.RandomEffects[i].Variance ?? a.RandomEffects[i].Covariance!.Value, 1e-4, a.RandomEffects[i].Term, floor: 1e-8);
        }
        b.LogLikelihood.ShouldBe(a.LogLikelihood, 1e-8);
    }

    [Fact]
    public void Too_many_random_effects_for_the_observations_are_refused_as_lme4_refuses_them()
    {
        var data = new DataFrame([
            DataColumn.Numeric("y", [1, 2, 3, 4, 5, 7]),
            DataColumn.Numeric("x", [1, 2, 1, 2, 1, 2]),
            DataColumn.Factor("g", ["a", "a", "b", "b", "c", "c"]),
        ]);
        Should.Throw<InputException>(() => LinearMixedModel.Fit(data, "y ~ x + (x | g)")).Message.ShouldContain("6 random effects for 6 observations");
    }

    [Fact]
    public void A_formula_without_random_terms_is_refused_with_a_hint()
    {
        var data = DataFrame.ReadCsv(LmeFixtures.DataPath("intercept"));
        Should.Throw<InputException>(() => LinearMixedModel.Fit(data, "y ~ x")).Message.ShouldContain("no random-effects term");
    }

    [Fact]
    public void A_missing_column_is_named_with_the_columns_there_are()
    {
        var data = DataFrame.ReadCsv(LmeFixtures.DataPath("intercept"));
        var message = Should.Throw<InputException>(() => LinearMixedModel.Fit(data, "y ~ z + (1 | g)")).Message;
        message.ShouldContain("no column named 'z'");
        message.ShouldContain("columns: y, x, g");
    }

    private static double VarianceOf(MixedModelFit fit, string group, string term) =>
        fit.RandomEffects.Single(r => r.Group == group && r.Term == term && r.Term2 is null).Variance!.Value;

    internal static void ShouldBeRelative(double actual, double expected, double relative, string what, double floor = 0)
    {
        var allowed = Math.Max(relative * Math.Abs(expected), floor);
        Math.Abs(actual - expected).ShouldBeLessThanOrEqualTo(allowed, $"{what}: {actual:R} vs lme4 {expected:R}");
    }
}
