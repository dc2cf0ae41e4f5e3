using System.Text.Json;
using CultureProbe.Backends;
using CultureProbe.Models;

namespace CultureProbe.Llama.Tests;

/// <summary>
/// What <c>cultureprobe score</c> does with a local model, through the registry's llama backend: its JSON reports and
/// every bad-input path (all InputException, exit code 2).
/// </summary>
public sealed class ScoreApiTests(TinyModels models)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static async Task<LlamaModel> Open(string path, LlamaModelOptions options) =>
        (LlamaModel)await LlamaBackend.Definition.OpenAsync(new ModelSource(path, BackendSettings.Empty.With(options)), Token);

    private static async Task<ScoreTextReport> ScoreText(string path, string context, string[] continuations, LlamaModelOptions options)
    {
        await using var model = await Open(path, options);
        return ScoreTextReport.From(model, await model.ScoreAsync(OptionRequest.Single(context, continuations), Token), context);
    }

    private static async Task<ScoreTokensReport> ScoreTokens(string path, int[] ids, LlamaModelOptions options)
    {
        await using var model = await Open(path, options);
        return ScoreTokensReport.From(await model.ScoreTokensAsync(ids, Token), model.Engine);
    }

    [Fact]
    public async Task Text_scores_serialise_with_tokens_logprobs_sum_and_greedy()
    {
        var report = await ScoreText(models.Gqa, "The answer is", [" yes", " no"], TinyModels.Exact);

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
        var report = await ScoreTokens(models.Gqa, [1, 300, 271, 45], TinyModels.Exact);

        using var json = JsonDocument.Parse(ScoreJson.Serialize(report));
        json.RootElement.GetProperty("tokens").EnumerateArray().Select(e => e.GetInt32()).ShouldBe([1, 300, 271, 45]);
        json.RootElement.GetProperty("logprobs").GetArrayLength().ShouldBe(3);
        json.RootElement.GetProperty("sum").GetDouble().ShouldBe(report.LogProbs.Sum(), 1e-12);
    }

    [Fact]
    public async Task Token_ids_outside_the_vocabulary_are_refused()
    {
        var ex = await Should.ThrowAsync<InputException>(() => ScoreTokens(models.Gqa, [1, 400], TinyModels.Exact));
        ex.Message.ShouldContain("outside the vocabulary");
    }

    [Fact]
    public async Task Text_longer_than_the_context_is_refused()
    {
        // llama.cpp rounds the context up to a multiple of 256 cells, so the text must exceed 256 tokens.
        var longText = string.Concat(Enumerable.Repeat("The answer is important. ", 100));
        var ex = await Should.ThrowAsync<ContextOverflowException>(() =>
            ScoreText(models.Gqa, longText, [" yes"], new LlamaModelOptions { ContextSize = 64 }));
        ex.ContextSize.ShouldBe(256);
        ex.TokenCount.ShouldBeGreaterThan(256);
        ex.ShouldBeAssignableTo<InputException>();
    }

    [Fact]
    public async Task A_token_sequence_longer_than_the_context_is_refused()
    {
        await Should.ThrowAsync<ContextOverflowException>(() =>
            ScoreTokens(models.Gqa, [.. Enumerable.Repeat(300, 300)], new LlamaModelOptions { ContextSize = 64 }));
    }

    [Fact]
    public async Task Chat_mode_without_an_embedded_template_is_refused_when_the_model_is_opened()
    {
        var ex = await Should.ThrowAsync<InputException>(() => Open(models.Gqa, TinyModels.Exact with { Chat = true }));
        ex.Message.ShouldContain("chat template");
    }

    [Fact]
    public async Task The_fingerprint_holds_the_file_hash_the_kv_cache_and_in_chat_mode_the_template()
    {
        await using var exact = await Open(models.Chat, TinyModels.Exact);
        await using var fast = await Open(models.Chat, TinyModels.Exact with { F32KvCache = false });
        await using var chat = await Open(models.Chat, TinyModels.Exact with { Chat = true });
        await using var threads = await Open(models.Chat, TinyModels.Exact with { Threads = 1, BatchSize = 64 });
        exact.Fingerprint.ToDictionary()["file_sha256"].ShouldBe(exact.Identity.Sha256);
        new[] { exact.Fingerprint.Sha256, fast.Fingerprint.Sha256, chat.Fingerprint.Sha256 }.Distinct().Count().ShouldBe(3);
        chat.Fingerprint.ToDictionary().Keys.ShouldContain("chat_template_sha256");
        threads.Fingerprint.Sha256.ShouldBe(exact.Fingerprint.Sha256, "threads and batch size do not change the numbers beyond rounding");
        chat.PromptStyle.ShouldBe(PromptStyle.Chat);
    }

    [Fact]
    public async Task Chat_mode_puts_the_context_in_the_user_turn_and_the_answer_in_the_assistant_turn()
    {
        await using var chat = await LlamaModel.OpenAsync(models.Chat, TinyModels.Exact with { Chat = true }, Token);
        await using var plain = await LlamaModel.OpenAsync(models.Chat, TinyModels.Exact, Token);

        var formatted = chat.ApplyChatTemplate("Is it important?");
        formatted.ShouldBe("<|im_start|>user\nIs it important?<|im_end|>\n<|im_start|>assistant\n");

        var viaChat = await chat.ScoreAsync(OptionRequest.Single("Is it important?", ["yes", "no"]), Token);
        var viaText = await plain.ScoreAsync(OptionRequest.Single(formatted, ["yes", "no"]), Token);
        for (var c = 0; c < 2; c++)
        {
            viaChat.Branches[0][c].Sum.ShouldBe(viaText.Branches[0][c].Sum, 1e-4);
        }
        viaChat.Engine.ShouldContain("chat-template");
    }
}
