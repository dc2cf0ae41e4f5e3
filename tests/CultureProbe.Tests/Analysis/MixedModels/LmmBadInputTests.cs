using System.Globalization;
using System.Text;
using System.Text.Json;
using Shouldly;

namespace CultureProbe.Tests.Analysis.MixedModels;

/// <summary>
/// <c>cultureprobe lmm</c> on bad or degenerate input: exit 2, one message that names the file, line and column
/// (or the formula's column and the reason), no stack trace, nothing on standard output, and the input untouched.
/// </summary>
public sealed class LmmBadInputTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>
    /// 10 groups of 6 rows, y = 1 + 2x + a group effect + noise, written with a fixed seed. Data rows start at
    /// line 2, so row i (from 0) is on line i + 2; columns are y (1), x (2), g (3).
    /// </summary>
    private static string[][] Rows()
    {
        var random = new Random(7);
        var rows = new List<string[]>();
        for (var g = 0; g < 10; g++)
        {
            for (var i = 0; i < 6; i++)
            {
                var x = Math.Round(random.NextDouble(), 4);
                var y = Math.Round(1 + (2 * x) + (0.3 * g) + (random.NextDouble() - 0.5), 4);
                rows.Add([y.ToString(CultureInfo.InvariantCulture), x.ToString(CultureInfo.InvariantCulture), $"g{g}"]);
            }
        }
        return [.. rows];
    }

    private static string Csv(string[][] rows, string header = "y,x,g") => header + "\n" + string.Join("\n", rows.Select(r => string.Join(',', r))) + "\n";

    private static string With(int row, int column, string value)
    {
        var rows = Rows();
        rows[row][column] = value;
        return Csv(rows);
    }

    /// <summary>y = A[a] + B[b] exactly over 5 × 4 crossed groups, 3 rows each, with a noise covariate x.</summary>
    private static string Crossed()
    {
        var random = new Random(3);
        var lines = new List<string> { "y,x,a,b" };
        for (var a = 0; a < 5; a++)
        {
            for (var b = 0; b < 4; b++)
            {
                for (var k = 0; k < 3; k++)
                {
                    lines.Add(string.Create(CultureInfo.InvariantCulture, $"{(a * 1.5) + (b * b * 0.75)},{Math.Round(random.NextDouble(), 4)},a{a},b{b}"));
                }
            }
        }
        return string.Join("\n", lines) + "\n";
    }

    private static string Map(Func<string[], int, string[]> change) => Csv(Rows().Select((r, i) => change(r, i)).ToArray());

    public static TheoryData<string, string, string[], string[]> Cases()
    {
        var data = new TheoryData<string, string, string[], string[]>
        {
            // Non-finite numbers in a numeric column: refused at the cell, not turned into a factor.
            { With(7, 1, "NaN"), "y ~ x + (1 | g)", [], ["bad.csv:9:2 (column x): expected a finite number, found 'NaN'", "leave the cell empty or write NA"] },
            { With(3, 1, "Infinity"), "y ~ x + (1 | g)", [], ["bad.csv:5:2 (column x): expected a finite number, found 'Infinity'"] },
            { With(0, 1, "-inf"), "y ~ x + (1 | g)", [], ["bad.csv:2:2 (column x): expected a finite number, found '-inf'"] },
            { With(4, 1, "1e999"), "y ~ x + (1 | g)", [], ["bad.csv:6:2 (column x): expected a finite number, found '1e999'"] },
            { With(10, 0, "Inf"), "y ~ x + (1 | g)", [], ["bad.csv:12:1 (column y): expected a finite number, found 'Inf'"] },
            { With(10, 0, "NaN"), "y ~ x", ["--ols"], ["bad.csv:12:1 (column y): expected a finite number, found 'NaN'"] },

            // A text cell in a column of numbers names the cell instead of making 60 levels.
            { With(7, 1, "abc"), "y ~ x + (1 | g)", [], ["bad.csv:9:2 (column x): expected a number, found 'abc': 59 of the column's 60 values are numbers", "--factor x"] },
            { With(7, 1, "1 000"), "y ~ x", ["--ols"], ["bad.csv:9:2 (column x): expected a number, found '1 000'"] },
            { With(20, 0, "n/a"), "y ~ x + (1 | g)", [], ["bad.csv:22:1 (column y): expected a number, found 'n/a'"] },
            { Map((r, i) => [r[0], r[1], i == 30 ? "s30" : (i / 6).ToString(CultureInfo.InvariantCulture)]), "y ~ x + (1 | g)", [], ["bad.csv:32:3 (column g): expected a number, found 's30'", "--factor g"] },

            // A response that is text, constant, or reproduced exactly.
            { Csv(Rows(), "g,x,y"), "y ~ x + (1 | g)", [], ["bad.csv:2:3 (column y): formula 'y ~ x + (1 | g)': the response 'y' must be numeric, but the column holds text such as 'g0'"] },
            { Map((r, _) => ["5", r[1], r[2]]), "y ~ x + (1 | g)", [], ["the response 'y' is 5 in all 60 rows used (bad.csv:2 to bad.csv:61)", "expected a response that varies"] },
            { Map((r, _) => ["5.0", r[1], r[2]]), "y ~ x", ["--ols"], ["the response 'y' is 5 in all 60 rows used"] },
            { Map((r, _) => [(1 + (2 * double.Parse(r[1], CultureInfo.InvariantCulture))).ToString("R", CultureInfo.InvariantCulture), r[1], r[2]]), "y ~ x", ["--ols"], ["the fixed effects ((Intercept), x) reproduce the response 'y' exactly in the 60 rows used"] },
            { Map((r, _) => [(1 + (2 * double.Parse(r[1], CultureInfo.InvariantCulture))).ToString("R", CultureInfo.InvariantCulture), r[1], r[2]]), "y ~ x + (1 | g)", [], ["reproduce the response 'y' exactly"] },
            { Map((r, _) => [r[2][1..], r[1], r[2]]), "y ~ x + (1 | g)", [], ["formula 'y ~ x + (1 | g)': the fixed effects and the groups of g reproduce the response 'y' exactly", "constant within each group"] },
            { Map((r, i) => [(r[2][1..] + ".5"), r[1], r[2]]), "y ~ x + (x | g)", [], ["the fixed effects and the groups of g reproduce the response 'y' exactly"] },
            // Crossed groups that add up to the response: no single grouping explains it, the fit does (residual variance → 0).
            { Crossed(), "y ~ x + (1 | a) + (1 | b)", [], ["formula 'y ~ x + (1 | a) + (1 | b)': the model reproduces the response 'y' exactly (residual variance"] },

            // Grouping factors.
            { Map((r, _) => [r[0], r[1], "g0"]), "y ~ x + (1 | g)", [], ["the grouping factor g has a single level ('g0') in the 60 rows used", "grouping factors must have > 1 sampled level"] },
            { Map((r, i) => [r[0], r[1], i < 59 ? "g0" : ""]), "y ~ x + (x | g)", [], ["the grouping factor g has a single level ('g0') in the 59 rows used"] },

            // Declared factors must exist.
            { Csv(Rows()), "y ~ x + (1 | g)", ["--factor", "h"], ["bad.csv:1: a factor column 'h' was asked for, but the header has no such column (columns: y, x, g)"] },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Bad_input_exits_2_naming_where_and_changes_nothing(string content, string formula, string[] extra, string[] messages)
    {
        var path = _temp.File("bad.csv");
        File.WriteAllText(path, content);
        AssertRefused(path, formula, extra, messages);
    }

    public static TheoryData<string, string> Encodings() => new()
    {
        { "utf-16", "the file is UTF-16 (little-endian), not UTF-8" },
        { "utf-16BE", "the file is UTF-16 (big-endian), not UTF-8" },
        { "utf-32", "the file is UTF-32 (little-endian), not UTF-8" },
        { "utf-16-no-bom", "the file is UTF-16 (little-endian), not UTF-8" },
        { "utf-16BE-no-bom", "the file is UTF-16 (big-endian), not UTF-8" },
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public void A_utf16_or_utf32_file_is_named_as_such(string encoding, string message)
    {
        Encoding text = encoding.StartsWith("utf-32", StringComparison.Ordinal) ? new UTF32Encoding(false, true)
            : new UnicodeEncoding(bigEndian: encoding.Contains("BE", StringComparison.Ordinal), byteOrderMark: true);
        var bytes = encoding.EndsWith("no-bom", StringComparison.Ordinal)
            ? text.GetBytes(Csv(Rows()))
            : [.. text.GetPreamble(), .. text.GetBytes(Csv(Rows()))];
        var path = _temp.File("bad.csv");
        File.WriteAllBytes(path, bytes);

        AssertRefused(path, "y ~ x + (1 | g)", [], ["bad.csv: " + message, "save it as UTF-8"]);
    }

    private void AssertRefused(string path, string formula, string[] extra, string[] messages)
    {
        var before = File.ReadAllBytes(path);

        var (code, output, error) = CliRunner.Run(["lmm", "--data", path, "--formula", formula, .. extra]);

        code.ShouldBe(2, error);
        error.ShouldStartWith("error: bad.csv:", Case.Sensitive, "every message names the data file first");
        foreach (var message in messages)
        {
            error.ShouldContain(message, Case.Sensitive, error);
        }
        error.ShouldNotContain("   at ", Case.Sensitive, "no stack trace for bad input");
        error.Trim().Split('\n').Length.ShouldBe(1, error);
        output.ShouldBeEmpty("nothing is written for bad input");
        File.ReadAllBytes(path).ShouldBe(before, "the input is untouched");
        Directory.GetFileSystemEntries(_temp.Path).ShouldBe([path], "no other file is written");
    }

    [Fact]
    public void A_column_mostly_of_text_is_a_factor_even_with_a_number_among_its_levels()
    {
        // 55 of 60 values are words, 5 are numbers: fewer than half are numbers, so x is a factor as R's read.csv makes it.
        var path = _temp.File("data.csv");
        File.WriteAllText(path, Map((r, i) => [r[0], i < 5 ? r[1] : $"t{i % 3}", r[2]]));

        var (code, output, error) = CliRunner.Run("lmm", "--data", path, "--formula", "y ~ x + (1 | g)", "--format", "json");

        code.ShouldBe(0, error);
        var terms = JsonDocument.Parse(output).RootElement.GetProperty("fixed").EnumerateArray().Select(f => f.GetProperty("term").GetString()).ToArray();
        terms.Length.ShouldBe(1 + 5 + 3 - 1, "an intercept and one column per level but the first (5 numbers and t0, t1, t2)");
        terms.ShouldContain("xt1");
    }

    [Fact]
    public void A_declared_factor_of_numbers_has_its_levels_in_numeric_order()
    {
        // x takes the values 2, 10 and 3: as text the first level would be "10"; R's factor() of numbers puts 2 first.
        var path = _temp.File("data.csv");
        File.WriteAllText(path, Map((r, i) => [r[0], (i % 3) switch { 0 => "2", 1 => "10", _ => "3.0" }, r[2]]));

        var (code, output, error) = CliRunner.Run("lmm", "--data", path, "--formula", "y ~ x + (1 | g)", "--factor", "x", "--format", "json");

        code.ShouldBe(0, error);
        JsonDocument.Parse(output).RootElement.GetProperty("fixed").EnumerateArray().Select(f => f.GetProperty("term").GetString())
            .ShouldBe(["(Intercept)", "x3", "x10"]);
    }

    [Fact]
    public void A_declared_factor_accepts_a_text_cell_in_a_column_of_numbers()
    {
        var path = _temp.File("data.csv");
        File.WriteAllText(path, Map((r, i) => [r[0], r[1], i == 30 ? "s30" : (i / 6).ToString(CultureInfo.InvariantCulture)]));

        var (code, _, error) = CliRunner.Run("lmm", "--data", path, "--formula", "y ~ x + (1 | g)", "--factor", "g");

        code.ShouldBe(0, error);
    }

    [Fact]
    public void A_rank_deficient_design_drops_the_column_with_a_warning_naming_what_it_repeats()
    {
        // x2 = 2x + 1 is a combination of the intercept and x; lme4 drops it with "fixed-effect model matrix is rank deficient".
        var path = _temp.File("data.csv");
        File.WriteAllText(path, "y,x,g,x2\n" + string.Join("\n", Rows().Select(r => $"{r[0]},{r[1]},{r[2]},{(2 * double.Parse(r[1], CultureInfo.InvariantCulture)) + 1:R}")) + "\n");

        var (code, output, error) = CliRunner.Run("lmm", "--data", path, "--formula", "y ~ x + x2 + (1 | g)", "--format", "json");

        code.ShouldBe(0, error);
        error.Trim().ShouldBe("warning: fixed-effect model matrix is rank deficient, so 1 column is dropped, as lme4 and R's lm drop them: x2 (= a combination of (Intercept), x)");
        var json = JsonDocument.Parse(output).RootElement;
        json.GetProperty("dropped").EnumerateArray().Select(d => d.GetString()).ShouldBe(["x2"]);
        json.GetProperty("fixed").EnumerateArray().Select(f => f.GetProperty("term").GetString()).ShouldBe(["(Intercept)", "x"]);
    }

    [Fact]
    public void A_column_of_zeros_is_dropped_and_named_as_zero()
    {
        var path = _temp.File("data.csv");
        File.WriteAllText(path, "y,x,g,z\n" + string.Join("\n", Rows().Select(r => $"{r[0]},{r[1]},{r[2]},0")) + "\n");

        var (code, _, error) = CliRunner.Run("lmm", "--ols", "--data", path, "--formula", "y ~ x + z");

        code.ShouldBe(0, error);
        error.ShouldContain("z (zero in every row used)");
    }

    [Fact]
    public void A_large_mean_with_small_noise_is_not_taken_for_an_exact_fit()
    {
        // y = 10⁶ + 2x + noise of SD 10⁻³: the noise is 10⁻⁹ of y's size but far above rounding, so the fit goes ahead.
        var random = new Random(5);
        var path = _temp.File("data.csv");
        File.WriteAllText(path, Map((r, _) => [(1e6 + (2 * double.Parse(r[1], CultureInfo.InvariantCulture)) + (0.3 * int.Parse(r[2][1..], CultureInfo.InvariantCulture)) + ((random.NextDouble() - 0.5) * 0.003)).ToString("R", CultureInfo.InvariantCulture), r[1], r[2]]));

        var (code, _, error) = CliRunner.Run("lmm", "--data", path, "--formula", "y ~ x + (1 | g)");
        code.ShouldBe(0, error);
        (code, _, error) = CliRunner.Run("lmm", "--ols", "--data", path, "--formula", "y ~ x");
        code.ShouldBe(0, error);
    }

    [Fact]
    public void A_text_cell_in_a_column_the_formula_does_not_use_is_no_problem()
    {
        var path = _temp.File("data.csv");
        File.WriteAllText(path, "y,x,g,note\n" + string.Join("\n", Rows().Select((r, i) => $"{r[0]},{r[1]},{r[2]},{(i == 3 ? "NaN" : "1")}")) + "\n");

        CliRunner.Run("lmm", "--data", path, "--formula", "y ~ x + (1 | g)").ExitCode.ShouldBe(0);
    }
}
