using System.Text.Json;
using CultureProbe.Llama.Scoring;
using CultureProbe.Models;

namespace CultureProbe.Llama.Tests.Scoring;

/// <summary>The API behind <c>cultureprobe score</c>: its JSON shapes and every bad-input path (all InputException, exit code 2).</summary>
public sealed class LlamaScoringTests(TinyModels models)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Text_scores_serialise_with_tokens_logprobs_sum_and_greedy()
    {
        var report = await LlamaScoring.ScoreTextAsync(models.Gqa, "The answer is", [" yes", " no"], TinyModels.Exact, Token);

        using var json = JsonDocument.Parse(ScoreJson.Serialize(report));
        var root = json.RootElement;
        root.GetProperty("method").GetString().ShouldBe("loglik-local");
        root.GetProperty("model").GetProperty("sha256").GetString()!.Length.ShouldBe(64);
        var first = root.GetProperty("continuations")[0];
        first.GetProperty("text").GetString().ShouldBe(" yes");
        first.GetProperty("tokens")[0].GetProperty("piece").GetString().ShouldBe(" yes");
        first.GetProperty("tokens")[0].GetProperty("id").GetInt32().ShouldBeGreaterThan(258);
        first.GetProperty("logprobs").GetArrayLength().ShouldBe(1);
        first.GetProperty("sum").GetDouble().ShouldBe(first.GetProperty("logprobs")[0].GetDouble());
        first.GetProperty("greedy").ValueKind.ShouldBeOneOf(JsonValueKind.True, JsonValueKind.False);
    }

    [Fact]
    public async Task Token_id_scores_serialise_with_tokens_logprobs_and_sum()
    {
        var report = await LlamaScoring.ScoreTokenIdsAsync(models.Gqa, LlamaScoring.ParseTokenIds("1 300, 271 45"), TinyModels.Exact, Token);

        using var json = JsonDocument.Parse(ScoreJson.Serialize(report));
        json.RootElement.GetProperty("tokens").EnumerateArray().Select(e => e.GetInt32()).ShouldBe([1, 300, 271, 45]);
        json.RootElement.GetProperty("logprobs").GetArrayLength().ShouldBe(3);
        json.RootElement.GetProperty("sum").GetDouble().ShouldBe(report.LogProbs.Sum(), 1e-12);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("")]
    [InlineData("1 two 3")]
    [InlineData("1 -5")]
    public void Bad_token_id_text_is_refused(string text)
    {
        Should.Throw<InputException>(() => LlamaScoring.ParseTokenIds(text));
    }

    [Fact]
    public async Task Token_ids_outside_the_vocabulary_are_refused()
    {
        var ex = await Should.ThrowAsync<InputException>(() => LlamaScoring.ScoreTokenIdsAsync(models.Gqa, [1, 400], TinyModels.Exact, Token));
        ex.Message.ShouldContain("outside the vocabulary");
    }

    [Fact]
    public async Task Text_longer_than_the_context_is_refused()
    {
        // llama.cpp rounds the context up to a multiple of 256 cells, so the text must exceed 256 tokens.
        var longText = string.Concat(Enumerable.Repeat("The answer is important. ", 100));
        var ex = await Should.ThrowAsync<ContextOverflowException>(() =>
            LlamaScoring.ScoreTextAsync(models.Gqa, longText, [" yes"], new LlamaModelOptions { ContextSize = 64 }, Token));
        ex.ContextSize.ShouldBe(256);
        ex.TokenCount.ShouldBeGreaterThan(256);
        ex.ShouldBeAssignableTo<InputException>();
    }

    [Fact]
    public async Task A_token_sequence_longer_than_the_context_is_refused()
    {
        await Should.ThrowAsync<ContextOverflowException>(() =>
            LlamaScoring.ScoreTokenIdsAsync(models.Gqa, [.. Enumerable.Repeat(300, 300)], new LlamaModelOptions { ContextSize = 64 }, Token));
    }

    [Fact]
    public async Task Chat_mode_without_an_embedded_template_is_refused()
    {
        var ex = await Should.ThrowAsync<InputException>(() =>
            LlamaScoring.ScoreTextAsync(models.Gqa, "Hi", [" yes"], TinyModels.Exact with { Chat = true }, Token));
        ex.Message.ShouldContain("chat template");
    }

    [Fact]
    public async Task Chat_mode_puts_the_context_in_the_user_turn_and_the_answer_in_the_assistant_turn()
    {
        await using var chat = await LlamaModel.OpenAsync(models.Chat, TinyModels.Exact with { Chat = true }, Token);
        await using var plain = await LlamaModel.OpenAsync(models.Chat, TinyModels.Exact, Token);

        var formatted = chat.ApplyChatTemplate("Is it important?");
        formatted.ShouldBe("<|im_start|>user\nIs it important?<|im_end|>\n<|im_start|>assistant\n");

        var viaChat = await chat.ScoreAsync(ScoringRequest.Single("Is it important?", ["yes", "no"]), Token);
        var viaText = await plain.ScoreAsync(ScoringRequest.Single(formatted, ["yes", "no"]), Token);
        for (var c = 0; c < 2; c++)
        {
            viaChat.Branches[0].Continuations[c].Sum.ShouldBe(viaText.Branches[0].Continuations[c].Sum, 1e-4);
        }
        viaChat.Engine.ShouldContain("chat-template");
    }
}
