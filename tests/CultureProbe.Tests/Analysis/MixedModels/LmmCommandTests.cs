using System.Text.Json;
using Shouldly;

namespace CultureProbe.Tests.Analysis.MixedModels;

/// <summary><c>cultureprobe lmm</c> end to end: the JSON layout the issue specifies, and exit code 2 on bad input.</summary>
public sealed class LmmCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Json_output_has_the_specified_fields_and_lme4_values()
    {
        var expected = LmeFixtures.Load("slope").GetProperty("cases")[1]; // y ~ x + (x | g), ML
        var (code, output, error) = CliRunner.Run("lmm", "--data", LmeFixtures.DataPath("slope"), "--formula", "y ~ x + (x | g)", "--ml", "--format", "json");

        code.ShouldBe(0, error);
        var json = JsonDocument.Parse(output).RootElement;
        json.GetProperty("method").GetString().ShouldBe("ML");
        json.GetProperty("converged").GetBoolean().ShouldBeTrue();
        var fixedRows = json.GetProperty("fixed").EnumerateArray().ToList();
        fixedRows.Select(f => f.GetProperty("term").GetString()).ShouldBe(["(Intercept)", "x"]);
        foreach (var row in fixedRows)
        {
            foreach (var name in new[] { "estimate", "se", "z", "p", "ci_low", "ci_high" })
            {
                row.GetProperty(name).ValueKind.ShouldBe(JsonValueKind.Number);
            }
            row.GetProperty("z").GetDouble().ShouldBe(row.GetProperty("estimate").GetDouble() / row.GetProperty("se").GetDouble(), 1e-12);
        }
        LinearMixedModelTests.ShouldBeRelative(fixedRows[1].GetProperty("estimate").GetDouble(), expected.GetProperty("fixed")[1].GetProperty("estimate").GetDouble(), 1e-4, "x");

        var random = json.GetProperty("random").EnumerateArray().ToList();
        random.Count.ShouldBe(3);
        random.ShouldAllBe(r => r.GetProperty("group").GetString() == "g");
        random[0].GetProperty("term").GetString().ShouldBe("(Intercept)");
        random[0].GetProperty("term2").ValueKind.ShouldBe(JsonValueKind.Null);
        random[0].GetProperty("covariance").ValueKind.ShouldBe(JsonValueKind.Null);
        random[0].GetProperty("correlation").ValueKind.ShouldBe(JsonValueKind.Null);
        random[0].GetProperty("sd").GetDouble().ShouldBe(Math.Sqrt(random[0].GetProperty("variance").GetDouble()), 1e-12);
        random[2].GetProperty("term2").GetString().ShouldBe("x");
        random[2].GetProperty("variance").ValueKind.ShouldBe(JsonValueKind.Null);
        LinearMixedModelTests.ShouldBeRelative(random[2].GetProperty("covariance").GetDouble(), expected.GetProperty("random")[2].GetProperty("vcov").GetDouble(), 1e-3, "covariance");

        json.GetProperty("residual_variance").GetDouble().ShouldBeGreaterThan(0);
        json.GetProperty("loglik").GetDouble().ShouldBe(expected.GetProperty("loglik").GetDouble(), 1e-3);
        json.GetProperty("criterion").GetDouble().ShouldBe(-2 * json.GetProperty("loglik").GetDouble(), 1e-9);
    }

    [Fact]
    public void Residual_is_not_a_random_row_and_REML_is_the_default()
    {
        var (code, output, _) = CliRunner.Run("lmm", "--data", LmeFixtures.DataPath("crossed"), "--formula", "y ~ x + (1 | subject) + (1 | item)", "--format", "json");

        code.ShouldBe(0);
        var json = JsonDocument.Parse(output).RootElement;
        json.GetProperty("method").GetString().ShouldBe("REML");
        json.GetProperty("random").EnumerateArray().Select(r => r.GetProperty("group").GetString()).ShouldBe(["subject", "item"]);
    }

    [Fact]
    public void Ols_json_has_t_based_inference_and_r_squared()
    {
        var expected = LmeFixtures.Load("intercept").GetProperty("ols")[0];
        var (code, output, error) = CliRunner.Run("lmm", "--ols", "--data", LmeFixtures.DataPath("intercept"), "--formula", "y ~ x", "--format", "json");

        code.ShouldBe(0, error);
        var json = JsonDocument.Parse(output).RootElement;
        json.GetProperty("method").GetString().ShouldBe("OLS");
        json.GetProperty("r_squared").GetDouble().ShouldBe(expected.GetProperty("r_squared").GetDouble(), 1e-10);
        json.GetProperty("fixed")[1].GetProperty("t").GetDouble().ShouldBe(expected.GetProperty("fixed")[1].GetProperty("t").GetDouble(), 1e-8);
    }

    [Fact]
    public void Table_output_shows_both_tables()
    {
        var (code, output, _) = CliRunner.Run("lmm", "--data", LmeFixtures.DataPath("sleepstudy"), "--formula", "Reaction ~ Days + (Days | Subject)");

        code.ShouldBe(0);
        output.ShouldContain("REML criterion 1743.628");
        output.ShouldContain("Subject");
        output.ShouldContain("(Intercept)");
        output.ShouldContain("Residual");
    }

    [Theory]
    [InlineData("y,x,g\n1,2,a\n3,4\n", "y ~ x + (1 | g)", "bad.csv:3: expected 3 fields as in the header (y,x,g), found 2")]
    [InlineData("y,x,g\n1,2,a\n3,4,b\n", "y ~ x + (1 | g", "column 15: expected ')'")]
    [InlineData("y,x,g\n1,2,a\n3,4,b\n", "y ~ w + (1 | g)", "no column named 'w' in the data (columns: y, x, g)")]
    [InlineData("y,x,g\n1,2,a\n3,4,b\n", "g ~ x + (1 | y)", "the response 'g' must be numeric")]
    [InlineData("y,x,g\n1,2,a\n3,4,b\n", "y ~ x", "no random-effects term")]
    [InlineData("", "y ~ x + (1 | g)", "bad.csv:1: the file is empty")]
    public void Bad_input_exits_2_with_a_message_that_says_where(string content, string formula, string message)
    {
        var path = _temp.File("bad.csv");
        File.WriteAllText(path, content);

        var (code, _, error) = CliRunner.Run("lmm", "--data", path, "--formula", formula);

        code.ShouldBe(2);
        error.ShouldContain(message);
    }

    [Fact]
    public void A_missing_data_file_exits_2()
    {
        var (code, _, error) = CliRunner.Run("lmm", "--data", _temp.File("none.csv"), "--formula", "y ~ x + (1 | g)");
        code.ShouldBe(2);
        error.ShouldContain("file not found");
    }
}
