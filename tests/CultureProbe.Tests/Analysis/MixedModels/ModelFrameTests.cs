using CultureProbe.Analysis.MixedModels;
using Shouldly;

namespace CultureProbe.Tests.Analysis.MixedModels;

/// <summary>Model matrices are coded and named as R's model.matrix codes and names them.</summary>
public sealed class ModelFrameTests
{
    private static readonly DataFrame Data = new([
        DataColumn.Numeric("y", [1, 2, 3, 4, 5, 6, 7, 8.5]),
        DataColumn.Numeric("x", [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4.5]),
        DataColumn.Factor("f", ["b", "a", "c", "a", "b", "c", "a", "b"]),
        DataColumn.Factor("h", ["u", "v", "u", "v", "u", "v", "v", "u"]),
        DataColumn.Factor("g", ["g1", "g1", "g2", "g2", "g3", "g3", "g4", "g4"]),
    ]);

    // Column names checked against R 4.2: colnames(model.matrix(formula, d)) for the same d.
    [Theory]
    [InlineData("y ~ x * f", "(Intercept)|x|fb|fc|x:fb|x:fc")]
    [InlineData("y ~ x:f", "(Intercept)|x:fa|x:fb|x:fc")]
    [InlineData("y ~ f + x:f", "(Intercept)|fb|fc|fa:x|fb:x|fc:x")]
    [InlineData("y ~ f * h", "(Intercept)|fb|fc|hv|fb:hv|fc:hv")]
    [InlineData("y ~ f:h", "(Intercept)|fa:hu|fb:hu|fc:hu|fa:hv|fb:hv|fc:hv")]
    [InlineData("y ~ 0 + f + x", "fa|fb|fc|x")]
    [InlineData("y ~ 0 + x + f + h", "x|fa|fb|fc|hv")]
    [InlineData("y ~ x - 1", "x")]
    public void Columns_are_named_and_coded_as_model_matrix(string formula, string names)
    {
        var parsed = ModelFormula.Parse(formula);
        var columns = Data.Columns.ToDictionary(c => c.Name);
        var (_, built) = ModelFrame.BuildMatrix(parsed.FixedTerms, parsed.HasIntercept, columns, Data.RowCount);
        string.Join('|', built).ShouldBe(names);
    }

    [Fact]
    public void Treatment_contrasts_use_the_first_level_as_reference()
    {
        var frame = ModelFrame.Build(Data, ModelFormula.Parse("y ~ f"));
        // rows: b a c a b c a b -> fb, fc indicators
        Enumerable.Range(0, 8).Select(i => frame.X[i, 1]).ShouldBe([1, 0, 0, 0, 1, 0, 0, 1]);
        Enumerable.Range(0, 8).Select(i => frame.X[i, 2]).ShouldBe([0, 0, 1, 0, 0, 1, 0, 0]);
    }

    [Fact]
    public void A_column_that_is_a_combination_of_earlier_ones_is_dropped_as_lme4_drops_it()
    {
        var data = new DataFrame([.. Data.Columns, DataColumn.Numeric("x2", Data.Find("x")!.NumericValues!.Select(v => 2 * v + 1).ToArray())]);
        var frame = ModelFrame.Build(data, ModelFormula.Parse("y ~ x + x2"));
        frame.FixedNames.ShouldBe(["(Intercept)", "x"]);
        frame.DroppedFixedNames.ShouldBe(["x2"]);
    }

    [Fact]
    public void Rows_missing_a_variable_are_dropped_and_unused_levels_with_them()
    {
        var data = new DataFrame([
            DataColumn.Numeric("y", [1, 2, double.NaN, 4]),
            DataColumn.Factor("f", ["a", "b", "c", "b"]),
        ]);
        var frame = ModelFrame.Build(data, ModelFormula.Parse("y ~ f"));
        frame.N.ShouldBe(3);
        frame.FixedNames.ShouldBe(["(Intercept)", "fb"]);
    }

    [Fact]
    public void A_text_response_is_refused_with_an_example_value()
    {
        Should.Throw<InputException>(() => ModelFrame.Build(Data, ModelFormula.Parse("f ~ x"))).Message.ShouldContain("the response 'f' must be numeric, but the column holds text such as 'b'");
    }
}
