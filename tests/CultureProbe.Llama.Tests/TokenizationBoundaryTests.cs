using CultureProbe.Models;

namespace CultureProbe.Llama.Tests;

/// <summary>How continuation tokens are cut from the joint tokenization of context + continuation.</summary>
public sealed class TokenizationBoundaryTests(TinyModels models)
{
    private async Task<(LlamaModel Model, ContinuationScore Score)> ScoreOne(string context, string continuation)
    {
        var model = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact, TestContext.Current.CancellationToken);
        var result = await model.ScoreAsync(OptionRequest.Single(context, [continuation]), TestContext.Current.CancellationToken);
        return (model, result.Branches[0][0]);
    }

    [Fact]
    public async Task A_clean_boundary_scores_exactly_the_continuation_tokens()
    {
        var (model, score) = await ScoreOne("The answer is", " yes");
        await using var _ = model;
        score.Tokens.Select(t => t.Piece).ShouldBe([" yes"]);
        score.Tokens[0].Id.ShouldBe(model.Tokenize("The answer is yes")[^1]);
    }

    [Fact]
    public async Task A_token_merged_across_the_boundary_moves_into_the_continuation()
    {
        // "▁is" ends the context alone, but "is" + "n't" tokenizes as "▁isn" "'t": the context's last token is not a
        // prefix of the joint tokens, so scoring starts at the merged token.
        var (model, score) = await ScoreOne("The answer is", "n't");
        await using var _ = model;
        var context = model.Tokenize("The answer is");
        var joint = model.Tokenize("The answer isn't");
        context[^1].ShouldNotBe(joint[context.Length - 1]);
        score.Tokens.Select(t => t.Id).ShouldBe(joint[(context.Length - 1)..]);
        score.Tokens[0].Piece.ShouldBe(" isn");

        var direct = await model.ScoreTokensAsync(joint, TestContext.Current.CancellationToken);
        score.Sum.ShouldBe(direct.LogProbs.Skip(context.Length - 2).Sum(), 1e-4);
    }

    [Fact]
    public async Task A_continuation_without_a_leading_space_is_glued_to_the_last_word()
    {
        var (model, score) = await ScoreOne("In Japan people", "x");
        await using var _ = model;
        score.Tokens.Count.ShouldBeGreaterThan(0);
        string.Concat(score.Tokens.Select(t => t.Piece)).ShouldEndWith("x");
    }

    [Fact]
    public async Task An_empty_continuation_has_no_tokens_and_log_probability_zero()
    {
        var (model, score) = await ScoreOne("The answer is", "");
        await using var _ = model;
        score.Tokens.ShouldBeEmpty();
        score.Sum.ShouldBe(0);
        score.IsGreedy.ShouldBeTrue();
    }

    [Fact]
    public async Task An_empty_context_scores_the_first_token_after_BOS()
    {
        var (model, score) = await ScoreOne("", "The answer");
        await using var _ = model;
        var joint = model.Tokenize("The answer");
        joint[0].ShouldBe(model.BosToken!.Value);
        score.Tokens.Select(t => t.Id).ShouldBe(joint[1..]);
    }

    [Fact]
    public async Task Multibyte_text_falls_back_to_byte_tokens_and_round_trips()
    {
        var (model, score) = await ScoreOne("The answer is", " Zürich 日本");
        await using var _ = model;
        score.Tokens.Count.ShouldBeGreaterThan(5);
        score.Tokens.ShouldAllBe(t => double.IsFinite(t.LogProb) && t.LogProb < 0);
    }
}
