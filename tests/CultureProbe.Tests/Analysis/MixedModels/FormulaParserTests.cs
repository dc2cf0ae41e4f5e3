using CultureProbe.Analysis.MixedModels;
using Shouldly;

namespace CultureProbe.Tests.Analysis.MixedModels;

/// <summary>The formula parser expands terms as R's terms() and lme4's findbars do.</summary>
public sealed class FormulaParserTests
{
    private static string[] Labels(ModelFormula f) => f.FixedTerms.Select(t => t.Label).ToArray();

    [Theory]
    [InlineData("y ~ a * b", true, "a|b|a:b")]
    [InlineData("y ~ a * b * c", true, "a|b|c|a:b|a:c|b:c|a:b:c")]
    [InlineData("y ~ b:a + a", true, "a|b:a")] // b appears first, so R labels the interaction b:a
    [InlineData("y ~ x + f + f:x", true, "x|f|x:f")]
    [InlineData("y ~ (a + b + c)^2", true, "a|b|c|a:b|a:c|b:c")]
    [InlineData("y ~ a / b", true, "a|a:b")]
    [InlineData("y ~ a * b - a:b", true, "a|b")]
    [InlineData("y ~ 0 + x", false, "x")]
    [InlineData("y ~ x - 1", false, "x")]
    [InlineData("y ~ -1 + x", false, "x")]
    [InlineData("y ~ 1", true, "")]
    [InlineData("y ~ x + 0 + 1", true, "x")]
    [InlineData("y ~ `odd name` + x", true, "odd name|x")]
    public void Fixed_part_expands_as_R_terms_does(string formula, bool intercept, string labels)
    {
        var parsed = ModelFormula.Parse(formula);
        parsed.HasIntercept.ShouldBe(intercept);
        string.Join('|', Labels(parsed)).ShouldBe(labels);
        parsed.RandomTerms.ShouldBeEmpty();
    }

    [Fact]
    public void Random_terms_expand_nesting_and_double_bars_as_lme4_does()
    {
        var parsed = ModelFormula.Parse("y ~ x + (1 | g1/g2) + (x || h) + (0 + x | k) + (1 + x | m) + (1 | a:b)");

        parsed.Response.ShouldBe("y");
        Labels(parsed).ShouldBe(["x"]);
        var r = parsed.RandomTerms;
        r.Select(t => t.GroupName).ShouldBe(["g2:g1", "g1", "h", "h", "k", "m", "a:b"]);
        r[0].GroupingVariables.ShouldBe(["g1", "g2"]);
        r[0].HasIntercept.ShouldBeTrue();
        r[0].Terms.ShouldBeEmpty();
        (r[2].HasIntercept, r[2].Terms.Count).ShouldBe((true, 0));
        (r[3].HasIntercept, r[3].Terms.Single().Label).ShouldBe((false, "x"));
        (r[4].HasIntercept, r[4].Terms.Single().Label).ShouldBe((false, "x"));
        (r[5].HasIntercept, r[5].Terms.Single().Label).ShouldBe((true, "x"));
        r[6].GroupingVariables.ShouldBe(["a", "b"]);
        parsed.Variables.ShouldBe(["y", "x", "g1", "g2", "h", "k", "m", "a", "b"]);
    }

    [Fact]
    public void Three_level_nesting_is_named_as_lme4_names_it()
    {
        ModelFormula.Parse("y ~ (1 | a/b/c)").RandomTerms.Select(t => t.GroupName).ShouldBe(["c:(b:a)", "b:a", "a"]);
    }

    [Theory]
    [InlineData("", "column 1: expected the response (a column name) before '~', found the end of the formula")]
    [InlineData("y x", "column 3: expected '~' after the response, found 'x'")]
    [InlineData("y ~", "column 4: expected a term (a column name, 0, 1 or '('), found the end of the formula")]
    [InlineData("y ~ x +", "column 8: expected a term (a column name, 0, 1 or '('), found the end of the formula")]
    [InlineData("y ~ x + (1 | g", "column 15: expected ')' to close the '(' at column 9, found the end of the formula")]
    [InlineData("y ~ x)", "column 6: expected an operator or the end of the formula (unmatched ')'), found ')'")]
    [InlineData("y ~ x + (1 | )", "column 14: expected a term (a column name, 0, 1 or '('), found ')'")]
    [InlineData("y ~ x $ z", "column 7: unexpected character '$'")]
    [InlineData("y ~ log(x)", "column 5: functions such as log(...) are not supported")]
    [InlineData("y ~ x + 2", "column 9: expected a column name, found the number 2")]
    [InlineData("y ~ x:(1 | g)", "column 7: a random-effects term '(... | ...)' cannot appear inside an interaction")]
    [InlineData("y ~ x - (1 | g)", "column 9: a random-effects term cannot be subtracted")]
    [InlineData("y ~ x + (0 | g)", "column 9: the random-effects term has no effects")]
    [InlineData("y ~ x + (1 | 2)", "column 14: expected a grouping factor after '|'")]
    [InlineData("y ~ (a + b)^x", "column 13: expected a whole number after '^', found 'x'")]
    [InlineData("y ~ x + `z", "column 9: expected a closing '`'")]
    public void Malformed_formulas_name_the_column_and_what_was_expected(string formula, string message)
    {
        var error = Should.Throw<InputException>(() => ModelFormula.Parse(formula));
        error.Message.ShouldContain($"formula '{formula}'");
        error.Message.ShouldContain(message);
    }
}
