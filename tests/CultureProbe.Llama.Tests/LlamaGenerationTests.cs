using System.Text;
using CultureProbe.Llama.Gguf;
using CultureProbe.Llama.Tests.Reference;
using CultureProbe.Models;

namespace CultureProbe.Llama.Tests;

/// <summary>
/// Text generation with llama.cpp's sampler chain. Greedy text is checked against the float64 reference's argmax chain
/// (with the F32 KV cache, llama.cpp's logits stay within about 1e-5 of the reference here, so an argmax can only
/// differ where the two best logits are closer than that: the test checks each step's margin is far larger). Sampled
/// text is checked for what seeds promise: the same seed gives the same text however the samples are grouped.
/// </summary>
public sealed class LlamaGenerationTests(TinyModels models)
{
    private const string Prompt = "The answer is important. In Japan people";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static GenerationSettings Greedy(int maxTokens = 8, params string[] stop) =>
        new(Temperature: 0, TopP: 1, Seed: 1, MaxTokens: maxTokens, Stop: stop.Length == 0 ? null : stop);

    private static GenerationSettings Sampled(long seed, int maxTokens = 12) =>
        new(Temperature: 1.5, TopP: 0.98, Seed: seed, MaxTokens: maxTokens);

    /// <summary>The reference's greedy continuation of <paramref name="tokens"/>: up to <paramref name="steps"/> tokens, ending early at <paramref name="eos"/>.</summary>
    private static List<int> ArgmaxChain(ReferenceLlama reference, IReadOnlyList<int> tokens, int steps, int eos = 2)
    {
        var context = tokens.ToList();
        var chain = new List<int>();
        for (var step = 0; step < steps; step++)
        {
            var logits = reference.NextLogits(context);
            var order = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ToArray();
            (logits[order[0]] - logits[order[1]]).ShouldBeGreaterThan(1e-3, $"the two best next tokens at step {step} are too close to call");
            chain.Add(order[0]);
            if (order[0] == eos)
            {
                break;
            }
            context.Add(order[0]);
        }
        return chain;
    }

    private static string TextOf(LlamaModel model, IEnumerable<int> tokens) =>
        new UTF8Encoding(false, false).GetString([.. tokens.SelectMany(model.TokenBytes)]);

    [Theory]
    [InlineData("gqa")]
    [InlineData("tied")]
    public async Task Greedy_generation_is_the_reference_argmax_chain(string name)
    {
        var path = name == "gqa" ? models.Gqa : models.Tied;
        await using var model = await LlamaModel.OpenAsync(path, TinyModels.Exact, Token);
        var chain = ArgmaxChain(new ReferenceLlama(path), model.Tokenize(Prompt), 8);

        var result = await model.GenerateAsync(new GenerationRequest(Prompt, 1, Greedy()), Token);

        var reply = result.Samples.ShouldHaveSingleItem();
        reply.Tokens.ShouldBe(chain.Count);
        reply.Text.ShouldBe(TextOf(model, chain.Where(t => t != 2)));
        reply.FinishReason.ShouldBe(chain[^1] == 2 ? "stop" : "length");
        result.Engine.ShouldContain("greedy");
    }

    [Fact]
    public async Task Generation_ends_at_an_end_of_generation_token_which_is_not_in_the_text()
    {
        // The gqa model's weights with its end-of-sequence id pointed at the fourth token of its greedy chain.
        await using (var plain = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact, Token))
        {
            var chain = ArgmaxChain(new ReferenceLlama(models.Gqa), plain.Tokenize(Prompt), 8);
            var eos = chain[3];
            var path = Path.Combine(models.Folder, "gqa-eos.gguf");
            TinyLlamaGgufWriter.Write(path, new TinyLlamaSpec(Words: TinyModels.Words, Seed: 11, EosTokenId: eos));
            await using var model = await LlamaModel.OpenAsync(path, TinyModels.Exact, Token);
            var end = chain.IndexOf(eos);

            var reply = (await model.GenerateAsync(new GenerationRequest(Prompt, 1, Greedy()), Token)).Samples[0];

            reply.FinishReason.ShouldBe("stop");
            reply.Tokens.ShouldBe(end + 1);
            reply.Text.ShouldBe(TextOf(model, chain.Take(end)));
        }
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_text_and_sample_j_draws_with_seed_plus_j()
    {
        await using var model = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact, Token);

        var first = await model.GenerateAsync(new GenerationRequest(Prompt, 4, Sampled(7)), Token);
        var again = await model.GenerateAsync(new GenerationRequest(Prompt, 4, Sampled(7)), Token);
        var shifted = await model.GenerateAsync(new GenerationRequest(Prompt, 2, Sampled(8)), Token);

        var texts = first.Samples.Select(s => s.Text).ToArray();
        again.Samples.Select(s => s.Text).ShouldBe(texts);
        // Seeds 7, 8, 9, 10 on a random model at temperature 1.5: different draws give different texts.
        texts.Distinct().Count().ShouldBe(4);
        shifted.Samples.Select(s => s.Text).ShouldBe(texts[1..3]);
        first.Samples.ShouldAllBe(s => s.Tokens == 12 || s.FinishReason == "stop");
    }

    [Fact]
    public async Task Samples_share_the_prompt_which_is_decoded_once()
    {
        await using var model = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact, Token);
        var prompt = string.Concat(Enumerable.Repeat(Prompt + ".", 4));
        var promptTokens = model.Tokenize(prompt).Length;
        model.ResetStatistics();

        var result = await model.GenerateAsync(new GenerationRequest(prompt, 6, Sampled(3, maxTokens: 10)), Token);

        result.Samples.Count.ShouldBe(6);
        var statistics = model.Statistics;
        // The prompt once, then every sampled token but each sample's last one.
        statistics.TokensDecoded.ShouldBe(promptTokens + result.Samples.Sum(s => s.Tokens - 1));
        // One call for the prompt's head, one for its last token shared by the group, one per step while any sample runs.
        statistics.DecodeCalls.ShouldBe(2 + result.Samples.Max(s => s.Tokens) - 1);
        result.Engine.ShouldContain("1 group(s) of at most 6 sample(s)");
    }

    [Fact]
    public async Task Samples_that_do_not_fit_together_run_in_groups_with_the_same_texts()
    {
        // llama.cpp rounds the context up to 256 cells: room for the prompt and two samples of (256 - prompt) / 2 cells.
        await using var tight = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact with { ContextSize = 256 }, Token);
        tight.ContextSize.ShouldBe(256);
        var promptTokens = tight.Tokenize(Prompt).Length;
        var settings = Sampled(21, maxTokens: ((256 - promptTokens) / 2) + 1);
        var grouped = await tight.GenerateAsync(new GenerationRequest(Prompt, 5, settings), Token);

        await using var roomy = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact with { ContextSize = 2048 }, Token);
        var together = await roomy.GenerateAsync(new GenerationRequest(Prompt, 5, settings), Token);
        await using var single = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact with { MaxParallelSequences = 1, ContextSize = 1024 }, Token);
        var oneByOne = await single.GenerateAsync(new GenerationRequest(Prompt, 5, settings), Token);

        grouped.Engine.ShouldContain("3 group(s) of at most 2 sample(s)");
        together.Engine.ShouldContain("1 group(s) of at most 5 sample(s)");
        oneByOne.Engine.ShouldContain("5 group(s) of at most 1 sample(s)");
        var texts = together.Samples.Select(s => s.Text).ToArray();
        grouped.Samples.Select(s => s.Text).ShouldBe(texts);
        oneByOne.Samples.Select(s => s.Text).ShouldBe(texts);
    }

    [Fact]
    public async Task Stop_strings_cut_the_text_and_max_tokens_caps_it()
    {
        await using var model = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact, Token);
        var full = (await model.GenerateAsync(new GenerationRequest(Prompt, 1, Greedy(maxTokens: 16)), Token)).Samples[0];
        full.Text.Length.ShouldBeGreaterThan(8);
        var stop = full.Text.Substring(5, 3);

        var stopped = (await model.GenerateAsync(new GenerationRequest(Prompt, 1, Greedy(16, "\u0001never", stop)), Token)).Samples[0];
        var capped = (await model.GenerateAsync(new GenerationRequest(Prompt, 1, Greedy(maxTokens: 3)), Token)).Samples[0];

        stopped.Text.ShouldBe(full.Text[..full.Text.IndexOf(stop, StringComparison.Ordinal)]);
        stopped.FinishReason.ShouldBe("stop");
        stopped.Tokens.ShouldBeLessThan(full.Tokens);
        capped.Tokens.ShouldBe(3);
        capped.FinishReason.ShouldBe("length");
        full.Text.ShouldStartWith(capped.Text);
    }

    [Fact]
    public async Task Chat_mode_generates_the_assistant_turn_of_the_template()
    {
        await using var chat = await LlamaModel.OpenAsync(models.Chat, TinyModels.Exact with { Chat = true }, Token);
        await using var plain = await LlamaModel.OpenAsync(models.Chat, TinyModels.Exact, Token);
        var templated = chat.ApplyChatTemplate("Answer: yes");
        templated.ShouldBe("<|im_start|>user\nAnswer: yes<|im_end|>\n<|im_start|>assistant\n");
        var chain = ArgmaxChain(new ReferenceLlama(models.Chat), chat.Tokenize(templated, parseSpecial: true), 6);

        var reply = (await chat.GenerateAsync(new GenerationRequest("Answer: yes", 1, Greedy(maxTokens: 6)), Token)).Samples[0];
        var withoutTemplate = (await plain.GenerateAsync(new GenerationRequest("Answer: yes", 1, Greedy(maxTokens: 6)), Token)).Samples[0];

        reply.Text.ShouldBe(TextOf(chat, chain.Where(t => t != 2)));
        withoutTemplate.Text.ShouldNotBe(reply.Text);
    }

    [Fact]
    public async Task A_prompt_longer_than_the_context_is_refused_before_anything_is_decoded()
    {
        await using var model = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact with { ContextSize = 256 }, Token);
        var longPrompt = string.Concat(Enumerable.Repeat(Prompt, 40));
        model.Tokenize(longPrompt).Length.ShouldBeGreaterThan(model.ContextSize);
        model.ResetStatistics();

        var error = await Should.ThrowAsync<ContextOverflowException>(() => model.GenerateAsync(new GenerationRequest(longPrompt, 2, Greedy()), Token));
        var tooLong = await Should.ThrowAsync<SettingException>(() => model.GenerateAsync(new GenerationRequest(Prompt, 2, Greedy(maxTokens: 300)), Token));

        error.ShouldBeAssignableTo<InputException>();
        error.Message.ShouldContain("the prompt is");
        tooLong.Setting.ShouldBe("max_tokens");
        model.Statistics.DecodeCalls.ShouldBe(0);
    }

    [Fact]
    public async Task Bad_settings_are_refused_by_name_and_cancellation_is_honoured()
    {
        await using var model = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact, Token);
        (await Should.ThrowAsync<SettingException>(() => model.GenerateAsync(new GenerationRequest(Prompt, 0, Greedy()), Token))).Setting.ShouldBe("samples");
        (await Should.ThrowAsync<SettingException>(() => model.GenerateAsync(new GenerationRequest(Prompt, 1, Greedy() with { TopP = 0 }), Token))).Setting.ShouldBe("top_p");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => model.GenerateAsync(new GenerationRequest(Prompt, 2, Greedy()), cancelled.Token));
        // The model is still usable afterwards.
        (await model.GenerateAsync(new GenerationRequest(Prompt, 1, Greedy(maxTokens: 2)), Token)).Samples[0].Tokens.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Cancelling_a_long_generation_stops_it_and_leaves_the_model_clean()
    {
        await using var model = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact with { ContextSize = 2048 }, Token);
        var before = (await model.GenerateAsync(new GenerationRequest(Prompt, 1, Greedy()), Token)).Samples[0];
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(10));

        // 32 samples of up to 400 tokens run in 7 groups of about 400 decode calls each; cancellation is checked before each call.
        await Should.ThrowAsync<OperationCanceledException>(() => model.GenerateAsync(new GenerationRequest(Prompt, 32, Sampled(5, maxTokens: 400)), cancel.Token));

        (await model.GenerateAsync(new GenerationRequest(Prompt, 1, Greedy()), Token)).Samples[0].ShouldBe(before);
    }

    [Theory]
    [InlineData(1L, 0, 1u)]
    [InlineData(7L, 3, 10u)]
    [InlineData(4294967294L, 0, 4294967294u)]
    [InlineData(4294967294L, 1, 0u)]
    [InlineData(-1L, 0, 0u)]
    public void Sampler_seeds_never_hit_llamas_random_seed_marker(long seed, int index, uint expected) =>
        LlamaModel.SamplerSeed(seed, index).ShouldBe(expected);
}
