using System.Text.Json;
using CultureProbe.Llama.Gguf;
using Shouldly;

namespace CultureProbe.Llama.Tests.Cli;

/// <summary>The country-cued design of <c>study</c> (CultureProbe's likelihood-scored extension) over tiny models.</summary>
public sealed class StudyCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Study_over_tiny_models_and_synthetic_data_produces_every_table_and_the_regressions()
    {
        // Given a WVS-7 pack (USA, NLD) and a joint EVS/WVS pack (DNK, PRT), both synthetic
        CliRunner.Run("synth", "--out", _temp.File("wvs.synthetic.csv"), "--countries", "USA,NLD", "--rows", "150").ExitCode.ShouldBe(0);
        CliRunner.Run("import", _temp.File("wvs.synthetic.csv"), "--out", _temp.File("wvs.json")).ExitCode.ShouldBe(0);
        CliRunner.Run("synth", "--layout", "evs-wvs", "--out", _temp.File("evs.synthetic.csv"), "--countries", "DNK,PRT", "--rows", "150").ExitCode.ShouldBe(0);
        CliRunner.Run("import", _temp.File("evs.synthetic.csv"), "--out", _temp.File("evs.json")).ExitCode.ShouldBe(0);
        // and three tiny random models of two "families", with a capability table
        var models = new List<string>();
        for (var seed = 1; seed <= 3; seed++)
        {
            var path = _temp.File($"m{seed}.synthetic.gguf");
            TinyLlamaGgufWriter.Write(path, new TinyLlamaSpec(EmbeddingLength: 32, LayerCount: 1, HeadCount: 4, KvHeadCount: 2, FeedForwardLength: 64, VocabularySize: 300, ContextLength: 512, Seed: seed));
            models.AddRange(["--model", path]);
        }
        File.WriteAllText(_temp.File("caps.csv"), "model,language,score\n" + string.Concat(
            from m in new[] { "m1.synthetic", "m2.synthetic", "m3.synthetic" }
            from l in new[] { "da", "nl", "pt", "en" }
            select $"{m},{l},{(m.Length + l[0]) % 7 / 7.0 + (m == "m2.synthetic" ? 0.2 : 0):R}\n"));

        // When the study runs over four languages, two templates each
        var (code, output, error) = CliRunner.Run([
            "study", "--design", "country-cued", "--pack", _temp.File("wvs.json"), "--pack", _temp.File("evs.json"), .. models,
            "--languages", "da,nl,pt,en", "--templates", "da-01,da-02,nl-01,nl-02,pt-01,pt-02,kb-fig5,en-02",
            "--questions", "Q1-Q6,Q46-Q50,Q177-Q182", "--capability", _temp.File("caps.csv"), "--out", _temp.File("study")]);

        // Then every table, the JSON with both regressions and the report exist
        code.ShouldBe(0, error + output);
        var alignment = File.ReadAllLines(_temp.File("study/study_alignment.csv"));
        alignment.Length.ShouldBe(1 + (3 * 4 * 2), "one row per model × language × template");
        File.ReadAllLines(_temp.File("study/study_consistency.csv")).Length.ShouldBe(1 + (3 * 4));
        using var json = JsonDocument.Parse(File.ReadAllText(_temp.File("study/study.json")));
        var regressions = json.RootElement.GetProperty("regressions");
        regressions.GetArrayLength().ShouldBe(2);
        foreach (var regression in regressions.EnumerateArray())
        {
            regression.GetProperty("fit").ValueKind.ShouldBe(JsonValueKind.Object, regression.GetProperty("problem").ToString());
            regression.GetProperty("fit").GetProperty("fixed").GetArrayLength().ShouldBeGreaterThan(1);
        }
        var report = File.ReadAllText(_temp.File("study/study_report.html"));
        foreach (var id in new[] { "fig-study-alignment", "fig-study-consistency", "fig-study-us-bias", "study-regressions" })
        {
            report.ShouldContain($"id=\"{id}\"");
        }
        report.ShouldContain("SYNTHETIC");
        System.Xml.Linq.XDocument.Parse(report.Replace("<!DOCTYPE html>", "", StringComparison.Ordinal)).ShouldNotBeNull();
    }
}

public sealed class StudyWithOneModelTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void One_model_gets_an_OLS_regression_and_languages_without_data_are_left_out()
    {
        CliRunner.Run("synth", "--out", _temp.File("s.synthetic.csv"), "--countries", "USA,NLD", "--rows", "100").ExitCode.ShouldBe(0);
        CliRunner.Run("import", _temp.File("s.synthetic.csv"), "--out", _temp.File("p.json")).ExitCode.ShouldBe(0);
        var model = _temp.File("m.synthetic.gguf");
        TinyLlamaGgufWriter.Write(model, new TinyLlamaSpec(EmbeddingLength: 32, LayerCount: 1, HeadCount: 4, KvHeadCount: 2, FeedForwardLength: 64, VocabularySize: 300, ContextLength: 512, Seed: 5));

        var (code, output, error) = CliRunner.Run("study", "--design", "country-cued", "--pack", _temp.File("p.json"), "--model", model, "--languages", "da,nl,en",
            "--templates", "nl-01,nl-02,kb-fig5,en-02", "--questions", "Q1-Q6,Q177-Q182", "--out", _temp.File("study"));

        code.ShouldBe(0, error + output);
        output.ShouldContain("language da (asks about DNK, which no survey pack holds");
        using var json = JsonDocument.Parse(File.ReadAllText(_temp.File("study/study.json")));
        var first = json.RootElement.GetProperty("regressions")[0];
        first.GetProperty("fit").ValueKind.ShouldBe(JsonValueKind.Null);
        first.GetProperty("ols").GetProperty("fixed").GetArrayLength().ShouldBeGreaterThan(1);
        first.GetProperty("problem").GetString()!.ShouldContain("one model only");
    }
}
