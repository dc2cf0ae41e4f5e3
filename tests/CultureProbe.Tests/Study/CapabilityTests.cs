using CultureProbe.Study;
using Shouldly;

namespace CultureProbe.Tests.Study;

public sealed class CapabilityTests
{
    private static readonly string[] PaperModels =
    [
        "gpt-3.5-turbo-0125", "gpt-4-turbo-2024-04-09", "gpt-4o", "gemma-2-2b-it", "gemma-2-9b-it", "gemma-2-27b-it",
        "OLMo-2-1124-7B-Instruct", "OLMo-2-1124-13B-Instruct", "OLMo-2-0325-32B-Instruct", "Baseline_uniform_random", "Baseline_fifty_percent",
    ];

    [Fact]
    public void Mean_score_per_model_and_language_over_100_equals_the_oracle()
    {
        var warnings = new List<string>();
        var scores = StudyInputReader.ReadBenchmarks(MulticulturalFixture.Path("multilingual_benchmarks.csv"), warnings);
        var capability = CapabilityTable.Aggregate(scores, ["gpt-4o", "gemma-2-2b-it", "Baseline_uniform_random"], null, warnings);
        warnings.ShouldBeEmpty();
        var expected = MulticulturalFixture.Rows("expected", "capability.csv");
        capability.Count.ShouldBe(expected.Count);
        foreach (var e in expected)
        {
            var row = capability.Single(c => c.Model == e["model_name"] && c.Language == StudyLanguages.CodeOf(e["language"]));
            // A mean of at most four scores, then / 100: the same operations in the same order as
            // pandas, so the doubles agree to the last bit; 1e-12 only allows for a reordered sum.
            row.Score.ShouldBeClose(e.Number("multilingual"), 1e-12, $"{row.Model} {row.Language}");
        }
        // "GPT-4o" and "gpt-4o" both name gpt-4o: English has 4 benchmarks, two spelt each way.
        capability.Single(c => c.Model == "gpt-4o" && c.Language == "en").Benchmarks.ShouldBe(4);
    }

    [Theory]
    [InlineData("GPT-3.5 Turbo", "gpt-3.5-turbo-0125")]
    [InlineData("GPT-4 Turbo", "gpt-4-turbo-2024-04-09")]
    [InlineData("gpt-4-turbo", "gpt-4-turbo-2024-04-09")]
    [InlineData("GPT-4o", "gpt-4o")]
    [InlineData("gpt-4o", "gpt-4o")]
    [InlineData("Gemma-2 2B", "gemma-2-2b-it")]
    [InlineData("Gemma-2 9B", "gemma-2-9b-it")]
    [InlineData("Gemma-2 27B", "gemma-2-27b-it")]
    [InlineData("OLMo-2 7B", "OLMo-2-1124-7B-Instruct")]
    [InlineData("OLMo-2 13B", "OLMo-2-1124-13B-Instruct")]
    [InlineData("OLMo-2 32B", "OLMo-2-0325-32B-Instruct")]
    [InlineData("Llama-3 8B", null)]
    public void Every_name_of_the_released_benchmark_table_finds_its_model(string name, string? id)
    {
        new ModelNameMatcher(PaperModels).Match(name).ShouldBe(id);
    }

    [Fact]
    public void An_exact_id_wins_over_token_matches_and_two_token_matches_are_an_error_naming_both()
    {
        new ModelNameMatcher(["gpt-4o", "gpt-4o-mini"]).Match("GPT-4o").ShouldBe("gpt-4o");
        var error = Should.Throw<InputException>(() => new ModelNameMatcher(["gemma-2-2b", "gemma-2-2b-it"]).Match("Gemma-2 2B"));
        error.Message.ShouldContain("gemma-2-2b and gemma-2-2b-it");
    }

    [Fact]
    public void An_explicit_mapping_is_consulted_first_and_must_name_a_model_of_the_responses()
    {
        var names = new Dictionary<string, string> { ["Gemma-2 2B"] = "gemma-2-2b" };
        new ModelNameMatcher(["gemma-2-2b", "gemma-2-2b-it"], names).Match("gemma-2 2b").ShouldBe("gemma-2-2b");
        Should.Throw<InputException>(() => new ModelNameMatcher(["gemma-2-2b-it"], names)).Message.ShouldContain("'gemma-2-2b', which is not a model of the responses");
    }

    [Fact]
    public void ENEM_rows_are_left_out_and_unmatched_models_are_reported()
    {
        var warnings = new List<string>();
        var capability = CapabilityTable.Aggregate(
            [
                new BenchmarkScore("GPT-4o", "OAB", "pt", 80, "openai"),
                new BenchmarkScore("GPT-4o", "ENEM (3-shot)", "pt", 10, "openai"),
                new BenchmarkScore("Llama-3 8B", "OAB", "pt", 50, null),
            ],
            ["gpt-4o"], null, warnings);
        capability.ShouldHaveSingleItem().Score.ShouldBe(0.8);
        warnings.ShouldHaveSingleItem().ShouldContain("'Llama-3 8B'");
    }
}
