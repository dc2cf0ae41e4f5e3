using System.Text.RegularExpressions;
using CultureProbe.Models;
using CultureProbe.Study;

namespace CultureProbe.Llama.Tests;

/// <summary>A GBNF grammar holds even a random model's replies to a form: what lets a small local model judge the study.</summary>
public sealed partial class GrammarTests(TinyModels models)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    // The judge's form, written out independently of StudyJudge.Grammar.
    [GeneratedRegex(@"\ALANGUAGE: (da|en|nl|pt|other)\nLABELS: (PRO|CON|NEITHER)(, (PRO|CON|NEITHER)){0,29}\z")]
    private static partial Regex JudgeForm();

    [Fact]
    public async Task Sampled_replies_under_the_judges_grammar_all_have_its_form_and_parse()
    {
        await using var model = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact, Token);
        var settings = new GenerationSettings(Temperature: 1.5, TopP: 1, Seed: 3, MaxTokens: 200, Grammar: StudyJudge.Grammar);

        var result = await model.GenerateAsync(new GenerationRequest("The answer is", 8, settings), Token);

        result.Samples.Count.ShouldBe(8);
        foreach (var sample in result.Samples)
        {
            sample.Text.ShouldMatch(JudgeForm().ToString());
            sample.FinishReason.ShouldBe("stop", "the grammar ends the reply, not the token limit");
            StudyJudge.Parse(sample.Text).ShouldNotBeNull();
        }
        result.Samples.Select(s => s.Text).Distinct().Count().ShouldBeGreaterThan(1, "different seeds draw different replies within the form");
    }

    [Fact]
    public async Task Without_the_grammar_the_same_model_writes_something_else()
    {
        await using var model = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact, Token);

        var result = await model.GenerateAsync(new GenerationRequest("The answer is", 4, new GenerationSettings(Temperature: 1.5, TopP: 1, Seed: 3, MaxTokens: 40)), Token);

        result.Samples.ShouldAllBe(s => !JudgeForm().IsMatch(s.Text));
    }

    [Fact]
    public async Task A_grammar_llama_cpp_cannot_parse_is_refused_by_name()
    {
        await using var model = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact, Token);

        var error = await Should.ThrowAsync<SettingException>(() => model.GenerateAsync(new GenerationRequest("x", 1, new GenerationSettings(MaxTokens: 8, Grammar: "root ::= (unclosed")), Token));

        error.Setting.ShouldBe("grammar");
        // llama.cpp's parser prints where it failed straight to stderr; its log has the summary.
        error.Problem.ShouldBe("llama.cpp could not parse the GBNF grammar: failed to parse grammar");
    }

}
