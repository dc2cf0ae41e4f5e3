using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Shouldly;

namespace CultureProbe.Tests.Study;

/// <summary><c>cultureprobe study</c> in the paper's design, analysing judged responses without a model.</summary>
public sealed class StudyCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string F(string name) => MulticulturalFixture.Path(name);

    private (int Code, string Output, string Error, string Folder) Analyse(params string[] extra)
    {
        var folder = _temp.File($"out-{Guid.NewGuid():N}");
        var (code, output, error) = CliRunner.Run(
        [
            "study", "--responses", F("responses.csv"), "--survey-by-language", F("ground_truth_per_language.csv"),
            "--survey-by-country", F("ground_truth_every_country.csv"), "--out", folder, .. extra,
        ]);
        return (code, output, error, folder);
    }

    private static List<Dictionary<string, string>> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        return lines.Skip(1).Where(l => l.Length > 0).Select(l => header.Zip(l.Split(','), (h, v) => (h, v)).ToDictionary(x => x.h, x => x.v)).ToList();
    }

    private static double D(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [Fact]
    public void The_released_responses_reproduce_the_oracles_point_alignment()
    {
        var (code, _, error, folder) = Analyse("--bootstrap", "20", "--seed", "3", "--capability", "none");

        code.ShouldBe(0, error);
        File.ReadLines(Path.Combine(folder, "study_alignment.csv")).First().ShouldBe("model,population,population_kind,response_language,spearman,n,ci_low,ci_high");
        var ours = ReadCsv(Path.Combine(folder, "study_alignment.csv")).ToDictionary(r => (r["model"], r["population"], r["population_kind"], r["response_language"]));
        // Oracle: the Python oracle's point alignment on the same extract (pandas average ranks, scipy's Spearman). The issue
        // asks for 1e-9; both are a few hundred sums of exactly representable ranks, so any real difference is far larger.
        var expected = ReadCsv(F("expected/alignment_point.csv")).Where(r => r["population_kind"] != "global").ToArray();
        expected.Length.ShouldBeGreaterThan(40);
        ours.Count.ShouldBe(expected.Length);
        foreach (var row in expected)
        {
            var mine = ours[(row["model"], row["population"], row["population_kind"], row["response_language"])];
            D(mine["spearman"]).ShouldBe(D(row["spearman"]), 1e-9);
            mine["n"].ShouldBe(row["n"]);
            D(mine["ci_low"]).ShouldBeLessThanOrEqualTo(D(mine["ci_high"]));
        }
    }

    [Fact]
    public void Without_rounds_the_us_bias_is_the_point_regression_of_statsmodels()
    {
        var (code, _, error, folder) = Analyse("--bootstrap", "0", "--capability", "none");

        code.ShouldBe(0, error);
        File.ReadLines(Path.Combine(folder, "us_bias.csv")).First().ShouldBe("model,language,estimate,ci_low,ci_high");
        var ours = ReadCsv(Path.Combine(folder, "us_bias.csv"));
        // Oracle: statsmodels OLS metric_value ~ us*model_name:language on the point frame (expected/us_bias_point_ols.csv);
        // tolerance 1e-10: the coefficient is a difference of four cell means.
        var terms = ReadCsv(F("expected/us_bias_point_ols.csv")).ToDictionary(r => r["term"]);
        ours.Count.ShouldBe(4);
        foreach (var row in ours)
        {
            var term = terms[$"us[T.True]:model_name[T.{row["model"]}]:language[{row["language"]}]"];
            D(row["estimate"]).ShouldBe(D(term["coef"]), 1e-10);
            D(row["ci_low"]).ShouldBe(D(term["ci_low"]), 1e-10);
            D(row["ci_high"]).ShouldBe(D(term["ci_high"]), 1e-10);
        }
    }

    [Fact]
    public void The_json_carries_provenance_and_the_report_is_well_formed()
    {
        var (code, output, error, folder) = Analyse("--bootstrap", "10");

        code.ShouldBe(0, error);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "study.json")));
        var root = json.RootElement;
        root.GetProperty("design").GetString().ShouldBe("paper");
        var inputs = root.GetProperty("provenance").GetProperty("inputs").EnumerateArray().Select(i => (i.GetProperty("role").GetString(), i.GetProperty("file").GetProperty("sha256").GetString()!.Length)).ToArray();
        inputs.ShouldContain(("responses", 64));
        inputs.ShouldContain(("survey_by_language", 64));
        inputs.ShouldContain(("survey_by_country", 64));
        root.GetProperty("provenance").GetProperty("judge_error").GetDouble().ShouldBe(0.045);
        root.GetProperty("provenance").GetProperty("judge_error_source").GetString().ShouldBe("paper");
        root.GetProperty("regressions").GetArrayLength().ShouldBe(3, "the shipped capability table names gpt-4o and Gemma-2 2B");
        var report = File.ReadAllText(Path.Combine(folder, "study_report.html"));
        XDocument.Parse(report.Replace("<!DOCTYPE html>", "", StringComparison.Ordinal));
        foreach (var id in new[] { "fig-alignment", "fig-consistency", "fig-us-bias", "regressions", "fig-capability", "provenance" })
        {
            report.ShouldContain($"id=\"{id}\"");
        }
        output.ShouldContain("gpt-4o");
    }

    [Fact]
    public void A_judge_error_rate_divides_self_consistency()
    {
        var (code, _, error, folder) = Analyse("--bootstrap", "0", "--judge-error", "0.1", "--capability", "none");

        code.ShouldBe(0, error);
        // Oracle: the observed (uncorrected) consistency of expected/consistency_point.csv, divided by 1 − 0.1 by hand.
        var expected = ReadCsv(F("expected/consistency_point.csv")).ToDictionary(r => (r["model"], r["language"]), r => D(r["observed"]) / 0.9);
        foreach (var row in ReadCsv(Path.Combine(folder, "study_consistency.csv")))
        {
            D(row["consistency"]).ShouldBe(expected[(row["model"], row["language"])], 1e-12);
        }
    }

    [Theory]
    [InlineData(new[] { "--model", "m.gguf" }, "--responses and --model")]
    [InlineData(new[] { "--pack", "p.json" }, "--pack: belongs to --design country-cued")]
    [InlineData(new[] { "--pool", "pt=BR,PT" }, "--pool: pooling countries into a language needs the microdata")]
    [InlineData(new[] { "--languages", "danish" }, "--languages: expected two-letter language codes")]
    [InlineData(new[] { "--bootstrap", "-1" }, "--bootstrap: ")]
    [InlineData(new[] { "--judge-error", "1" }, "--judge-error: ")]
    [InlineData(new[] { "--design", "mine" }, "--design: expected paper or country-cued")]
    [InlineData(new[] { "--capability", "nope.csv" }, "nope.csv: file not found")]
    public void Bad_usage_exits_2_and_names_the_flag(string[] extra, string message)
    {
        var (code, _, error, folder) = Analyse(extra);

        code.ShouldBe(2, error);
        error.ShouldContain(message);
        Directory.Exists(folder).ShouldBeFalse("nothing is written for bad input");
    }

    [Fact]
    public void Neither_responses_nor_a_model_is_refused()
    {
        var (code, _, error) = CliRunner.Run("study", "--survey-by-language", F("ground_truth_per_language.csv"), "--out", _temp.File("o"));

        code.ShouldBe(2);
        error.ShouldContain("give --model (with --judge)");
    }

    [Fact]
    public void Without_a_survey_the_command_says_which_files_it_needs()
    {
        var (code, _, error) = CliRunner.Run("study", "--responses", F("responses.csv"), "--out", _temp.File("o"));

        code.ShouldBe(2);
        error.ShouldContain("--survey (the joint EVS/WVS microdata), or the shares --survey-by-language and --survey-by-country");
    }

    [Fact]
    public void A_malformed_responses_file_names_line_and_column()
    {
        var path = _temp.File("r.csv");
        File.WriteAllText(path, "model,family,template,prompt_language,response_language,topic,pro_score\nm,f,t,da,da,f120,1.5\n");

        var (code, _, error) = CliRunner.Run("study", "--responses", path, "--survey-by-language", F("ground_truth_per_language.csv"), "--out", _temp.File("o"));

        code.ShouldBe(2);
        error.ShouldContain("r.csv:2:7");
    }
}
