using System.Globalization;
using System.Text;
using Shouldly;

namespace CultureProbe.Tests.Probing;

public sealed class AnalyzeCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Per_group_pearson_equals_an_independent_computation_with_averaging_and_normalising()
    {
        // Given 4 groups x 6 questions with 3 codes, human shares with explicit scores, and model rows
        // repeated twice per (model, group, question, code) with different values (two "templates").
        var random = new Random(5);
        var human = new StringBuilder("group,question,code,share,score\n");
        var model = new StringBuilder("model,group,question,code,share\n");
        var expectedHuman = new Dictionary<(string, string), double>();
        var expectedModel = new Dictionary<(string, string), double>();
        double[] scores = [-1, 0.5, 1];
        foreach (var group in new[] { "g1", "g2", "g3", "g4" })
        {
            for (var q = 1; q <= 6; q++)
            {
                var question = $"X{q}";
                var h = new[] { random.Next(1, 50), random.Next(1, 50), random.Next(1, 50) };
                var a = new[] { random.NextDouble(), random.NextDouble(), random.NextDouble() };
                var b = new[] { random.NextDouble(), random.NextDouble(), random.NextDouble() };
                for (var c = 0; c < 3; c++)
                {
                    // Human shares given as percentages: normalising must turn them into shares.
                    human.Append(CultureInfo.InvariantCulture, $"{group},{question},{c + 1},{h[c]},{scores[c]}\n");
                    model.Append(CultureInfo.InvariantCulture, $"m,{group},{question},{c + 1},{a[c]:R}\nm,{group},{question},{c + 1},{b[c]:R}\n");
                }
                expectedHuman[(group, question)] = Enumerable.Range(0, 3).Sum(c => h[c] * scores[c]) / h.Sum();
                var averaged = Enumerable.Range(0, 3).Select(c => (a[c] + b[c]) / 2).ToArray();
                expectedModel[(group, question)] = Enumerable.Range(0, 3).Sum(c => averaged[c] * scores[c]) / averaged.Sum();
            }
        }
        File.WriteAllText(_temp.File("h.csv"), human.ToString());
        File.WriteAllText(_temp.File("m.csv"), model.ToString());

        var (code, _, error) = CliRunner.Run("analyze", "--human", _temp.File("h.csv"), "--model", _temp.File("m.csv"), "--out", _temp.File("out"), "--bootstrap", "0");
        code.ShouldBe(0, error);

        var rows = File.ReadAllLines(_temp.File("out/alignment.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        rows.Length.ShouldBe(4);
        foreach (var row in rows)
        {
            var x = Enumerable.Range(1, 6).Select(q => expectedModel[(row[1], $"X{q}")]).ToArray();
            var y = Enumerable.Range(1, 6).Select(q => expectedHuman[(row[1], $"X{q}")]).ToArray();
            double mx = x.Average(), my = y.Average();
            var r = x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my)) / Math.Sqrt(x.Sum(v => (v - mx) * (v - mx)) * y.Sum(v => (v - my) * (v - my)));
            double.Parse(row[3], CultureInfo.InvariantCulture).ShouldBe(r, 1e-12);
            row[0].ShouldBe("m");
            row[2].ShouldBe("6");
        }
    }

    [Fact]
    public void Equal_distributions_given_in_different_row_orders_and_scales_give_equal_mean_scores()
    {
        // g1 and g2 hold the same model distribution, in different row orders and repeated differently.
        File.WriteAllText(_temp.File("h.csv"), "group,question,code,share\ng1,Q1,1,0.1\ng1,Q1,2,0.2\ng1,Q1,3,0.3\ng1,Q1,4,0.4\ng2,Q1,1,0.1\ng2,Q1,2,0.2\ng2,Q1,3,0.3\ng2,Q1,4,0.4\n");
        File.WriteAllText(_temp.File("m.csv"), "model,group,question,code,share\n"
            + "m,g1,Q1,1,0.1\nm,g1,Q1,2,0.7\nm,g1,Q1,3,0.3\nm,g1,Q1,4,0.3\n"
            + "m,g2,Q1,4,0.3\nm,g2,Q1,3,0.2\nm,g2,Q1,3,0.4\nm,g2,Q1,2,0.7\nm,g2,Q1,1,0.1\nm,g2,Q1,4,0.3\n");
        CliRunner.Run("analyze", "--human", _temp.File("h.csv"), "--model", _temp.File("m.csv"), "--out", _temp.File("o"), "--bootstrap", "0").ExitCode.ShouldBe(0);
        var items = File.ReadAllLines(_temp.File("o/items.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        var g1 = items.Where(r => r[1] == "g1").Select(r => r[4]).ToArray();
        var g2 = items.Where(r => r[1] == "g2").Select(r => r[4]).ToArray();
        g2.ShouldBe(g1, "the same distribution must come out bit-for-bit the same");
        items.Where(r => r[1] == "g1").Select(r => r[9]).Distinct().ShouldBe(items.Where(r => r[1] == "g2").Select(r => r[9]).Distinct());
    }

    [Fact]
    public void Bad_rows_exit_2_naming_the_line()
    {
        File.WriteAllText(_temp.File("h.csv"), "group,question,code,share\ng1,Q1,1,x\n");
        File.WriteAllText(_temp.File("m.csv"), "model,group,question,code,share\nm,g1,Q1,1,1\n");
        var (code, _, error) = CliRunner.Run("analyze", "--human", _temp.File("h.csv"), "--model", _temp.File("m.csv"), "--out", _temp.File("o"));
        code.ShouldBe(2);
        error.ShouldContain("h.csv:2:4 (column share): expected a number, found 'x'");
    }

    [Fact]
    public void Missing_model_column_is_named()
    {
        File.WriteAllText(_temp.File("h.csv"), "group,question,code,share\ng1,Q1,1,1\n");
        File.WriteAllText(_temp.File("m.csv"), "group,question,code,share\ng1,Q1,1,1\n");
        var (code, _, error) = CliRunner.Run("analyze", "--human", _temp.File("h.csv"), "--model", _temp.File("m.csv"), "--out", _temp.File("o"));
        code.ShouldBe(2);
        error.ShouldContain("missing required column 'model'");
    }
}

public sealed class ReportAndCompareCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Analyze(string name, string model)
    {
        File.WriteAllText(_temp.File("h.csv"), "group,question,code,share\nUSA,Q1,1,0.6\nUSA,Q1,2,0.4\nUSA,Q2,1,0.2\nUSA,Q2,2,0.8\nUSA,Q3,1,0.5\nUSA,Q3,2,0.5\nUSA,Q4,1,0.9\nUSA,Q4,2,0.1\n"
            + "JPN,Q1,1,0.3\nJPN,Q1,2,0.7\nJPN,Q2,1,0.6\nJPN,Q2,2,0.4\nJPN,Q3,1,0.1\nJPN,Q3,2,0.9\nJPN,Q4,1,0.5\nJPN,Q4,2,0.5\n");
        File.WriteAllText(_temp.File($"{name}.csv"), "model,group,question,code,share\n" + string.Concat(
            new[] { "USA", "JPN" }.SelectMany(g => new[] { "Q1", "Q2", "Q3", "Q4" }.Select((q, i) => $"{model},{g},{q},1,{0.2 + (0.15 * i) + (g == "JPN" ? 0.05 : 0)}\n{model},{g},{q},2,0.5\n"))));
        var folder = _temp.File(name);
        var (code, _, error) = CliRunner.Run("analyze", "--human", _temp.File("h.csv"), "--model", _temp.File($"{name}.csv"), "--out", folder, "--bootstrap", "0");
        code.ShouldBe(0, error);
        return folder;
    }

    [Fact]
    public void Report_rebuilds_a_self_contained_html_file()
    {
        var folder = Analyze("a", "m1");
        File.Delete(Path.Combine(folder, "report.html"));
        var (code, output, error) = CliRunner.Run("report", folder);
        code.ShouldBe(0, error);
        output.ShouldContain("report.html");
        var html = File.ReadAllText(Path.Combine(folder, "report.html"));
        html.ShouldContain("<svg");
        html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal).ShouldNotContain("http");
    }

    [Fact]
    public void Compare_ranks_models_of_two_runs_and_refuses_mixed_methods_unless_told()
    {
        var a = Analyze("a", "m1");
        var b = Analyze("b", "m2");
        var (code, output, error) = CliRunner.Run("compare", a, b, "--format", "json");
        code.ShouldBe(0, error);
        output.ShouldContain("\"model\": \"m1\"");
        output.ShouldContain("\"model\": \"m2\"");
        using (var document = System.Text.Json.JsonDocument.Parse(output))
        {
            // The two runs share their populations, so the pair is tested over countries and over questions.
            var pair = document.RootElement.GetProperty("differences").GetProperty("pairs").EnumerateArray().Single();
            pair.GetProperty("first").GetString().ShouldBe("m1");
            pair.GetProperty("over_questions").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Object);
        }

        // Rewrite one run's scoring method: now the two are not comparable.
        var json = Path.Combine(b, "results.json");
        File.WriteAllText(json, File.ReadAllText(json).Replace("\"scoring_method\": \"external\"", "\"scoring_method\": \"chat-sampling\"", StringComparison.Ordinal));
        var (refused, _, message) = CliRunner.Run("compare", a, b);
        refused.ShouldBe(2);
        message.ShouldContain("different methods");
        CliRunner.Run("compare", a, b, "--allow-mixed-methods").ExitCode.ShouldBe(0);
    }
}
