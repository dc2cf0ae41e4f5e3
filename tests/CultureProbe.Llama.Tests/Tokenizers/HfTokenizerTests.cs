using System.Text.Json.Nodes;
using CultureProbe.Llama.Gguf;

namespace CultureProbe.Llama.Tests.Tokenizers;

/// <summary>Reading Hugging Face tokenizer files and turning them into GGUF vocabularies, on small synthetic tokenizers.</summary>
public sealed class HfTokenizerTests(RealVocabularies vocabularies) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cultureprobe-hftok-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// A SentencePiece-style BPE as Mistral's and Llama 2's tokenizer.json have it: byte fallback, "▁" for spaces, a "▁"
    /// prepended. Vocabulary: &lt;unk&gt; &lt;s&gt; &lt;/s&gt;, the 256 byte pieces, then ▁ a b ▁a ab ▁ab.
    /// </summary>
    private static JsonObject SentencePiece()
    {
        var vocab = new JsonObject { ["<unk>"] = 0, ["<s>"] = 1, ["</s>"] = 2 };
        for (var b = 0; b < 256; b++)
        {
            vocab[$"<0x{b:X2}>"] = 3 + b;
        }
        var id = 259;
        foreach (var piece in new[] { "▁", "a", "b", "▁a", "ab", "▁ab" })
        {
            vocab[piece] = id++;
        }
        return new JsonObject
        {
            ["added_tokens"] = new JsonArray(
                new JsonObject { ["id"] = 0, ["content"] = "<unk>", ["special"] = true },
                new JsonObject { ["id"] = 1, ["content"] = "<s>", ["special"] = true },
                new JsonObject { ["id"] = 2, ["content"] = "</s>", ["special"] = true }),
            ["normalizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["normalizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Prepend", ["prepend"] = "▁" },
                    new JsonObject { ["type"] = "Replace", ["pattern"] = new JsonObject { ["String"] = " " }, ["content"] = "▁" }),
            },
            ["pre_tokenizer"] = null,
            ["post_processor"] = new JsonObject
            {
                ["type"] = "TemplateProcessing",
                ["single"] = new JsonArray(new JsonObject { ["SpecialToken"] = new JsonObject { ["id"] = "<s>", ["type_id"] = 0 } },
                    new JsonObject { ["Sequence"] = new JsonObject { ["id"] = "A", ["type_id"] = 0 } }),
            },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["byte_fallback"] = true,
                ["unk_token"] = "<unk>",
                ["vocab"] = vocab,
                ["merges"] = new JsonArray("▁ a", "a b", "▁a b"),
            },
        };
    }

    private static JsonObject Config() => new() { ["bos_token"] = "<s>", ["eos_token"] = "</s>", ["unk_token"] = "<unk>", ["add_bos_token"] = true };

    private string Save(JsonNode tokenizer, JsonNode? config = null)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_folder, Guid.NewGuid().ToString("N"))).FullName;
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), tokenizer.ToJsonString());
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), (config ?? Config()).ToJsonString());
        return folder;
    }

    [Fact]
    public void A_SentencePiece_BPE_becomes_the_llama_tokenizer_with_scores_from_merge_ranks()
    {
        var vocabulary = GgufVocabulary.FromHf(HfTokenizer.LoadFolder(Save(SentencePiece())));
        vocabulary.Recipe.ShouldBe(VocabularyRecipe.SentencePieceFromMerges);
        vocabulary.Model.ShouldBe("llama");
        vocabulary.Tokens.Count.ShouldBe(265);
        vocabulary.Scores![262].ShouldBe(0f);   // ▁a: merge 0
        vocabulary.Scores[263].ShouldBe(-1f);   // ab: merge 1
        vocabulary.Scores[264].ShouldBe(-2f);   // ▁ab: merge 2
        vocabulary.Scores[3].ShouldBe(0f);      // <0x00>
        vocabulary.Types[1].ShouldBe(GgufTokenType.Control);
        vocabulary.Types[3].ShouldBe(GgufTokenType.Byte);
        vocabulary.Types[260].ShouldBe(GgufTokenType.Normal);
        (vocabulary.BosTokenId, vocabulary.EosTokenId, vocabulary.UnknownTokenId).ShouldBe((1, 2, 0));
        vocabulary.AddBos.ShouldBeTrue();
        vocabulary.AddSpacePrefix.ShouldBe(true);
        vocabulary.Merges.ShouldBeNull();
    }

    [Fact]
    public async Task llama_cpp_tokenizes_the_synthetic_SentencePiece_vocabulary_as_its_merges_say()
    {
        var vocabulary = GgufVocabulary.FromHf(HfTokenizer.LoadFolder(Save(SentencePiece())));
        var path = Path.Combine(_folder, "spm.gguf");
        RandomModelWriter.Write(path, ModelShape.Minimal, vocabulary, GgmlTensorType.F16, seed: 1);
        await using var model = await LlamaModel.OpenAsync(path, new LlamaModelOptions { ContextSize = 64, Threads = 1 }, TestContext.Current.CancellationToken);
        // "▁ab▁a": ▁+a (rank 0) twice, then ▁a+b (rank 2); Hugging Face BPE gives the same.
        model.Tokenize("ab a").ShouldBe([1, 264, 262]);
        // é is not in the vocabulary: its two UTF-8 bytes fall back to byte pieces.
        model.Tokenize("é").ShouldBe([1, 259, 3 + 0xC3, 3 + 0xA9]);
    }

    [Fact]
    public void An_added_token_that_is_not_special_is_user_defined_with_spaces_for_the_space_marker()
    {
        var tokenizer = SentencePiece();
        tokenizer["model"]!["vocab"]!["▁hi▁there"] = 265;
        ((JsonArray)tokenizer["added_tokens"]!).Add(new JsonObject { ["id"] = 265, ["content"] = "▁hi▁there", ["special"] = false });
        ((JsonArray)tokenizer["added_tokens"]!).Add(new JsonObject { ["id"] = 266, ["content"] = "<|tool|>", ["special"] = false });
        var vocabulary = GgufVocabulary.FromHf(HfTokenizer.LoadFolder(Save(tokenizer)));
        vocabulary.Types[265].ShouldBe(GgufTokenType.UserDefined);
        vocabulary.Tokens[265].ShouldBe(" hi there");
        vocabulary.Types[266].ShouldBe(GgufTokenType.Control);
    }

    [Fact]
    public void Padding_adds_unused_tokens_and_an_explicit_BOS_id_fills_a_missing_one()
    {
        var config = Config();
        config.Remove("bos_token");
        config["add_bos_token"] = false;
        var vocabulary = GgufVocabulary.FromHf(HfTokenizer.LoadFolder(Save(SentencePiece(), config)), new GgufVocabularyOptions { PadToSize = 300, BosTokenId = 2 });
        vocabulary.Tokens.Count.ShouldBe(300);
        vocabulary.Tokens[299].ShouldBe("[PAD299]");
        vocabulary.Types[299].ShouldBe(GgufTokenType.Unused);
        vocabulary.BosTokenId.ShouldBe(2);
        vocabulary.AddBos.ShouldBeFalse();
    }

    [Fact]
    public void A_tokenizer_that_is_not_BPE_is_refused_naming_the_field()
    {
        var tokenizer = SentencePiece();
        tokenizer["model"]!["type"] = "Unigram";
        var ex = Should.Throw<InvalidTokenizerException>(() => HfTokenizer.LoadFolder(Save(tokenizer)));
        ex.Field.ShouldBe("model.type");
        ex.Message.ShouldContain("Unigram");
        ex.ShouldBeAssignableTo<InputException>();
    }

    [Fact]
    public void A_malformed_merge_is_refused_naming_its_index()
    {
        var tokenizer = SentencePiece();
        ((JsonArray)tokenizer["model"]!["merges"]!).Add(5);
        Should.Throw<InvalidTokenizerException>(() => HfTokenizer.LoadFolder(Save(tokenizer))).Field.ShouldBe("model.merges[3]");
    }

    [Fact]
    public void A_special_token_of_the_configuration_missing_from_the_vocabulary_is_refused()
    {
        var config = Config();
        config["eos_token"] = new JsonObject { ["content"] = "<end>" };
        var ex = Should.Throw<InvalidTokenizerException>(() => HfTokenizer.LoadFolder(Save(SentencePiece(), config)));
        ex.Field.ShouldBe("eos_token");
        ex.FilePath.ShouldEndWith("tokenizer_config.json");
    }

    [Fact]
    public void An_added_token_whose_id_contradicts_the_vocabulary_is_refused()
    {
        var tokenizer = SentencePiece();
        ((JsonArray)tokenizer["added_tokens"]!).Add(new JsonObject { ["id"] = 300, ["content"] = "ab", ["special"] = false });
        Should.Throw<InvalidTokenizerException>(() => HfTokenizer.LoadFolder(Save(tokenizer))).Message.ShouldContain("263");
    }

    [Fact]
    public void Invalid_JSON_and_a_missing_file_are_reported_with_the_path()
    {
        var folder = Save(SentencePiece());
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), "{ \"model\": ");
        Should.Throw<InputException>(() => HfTokenizer.LoadFolder(folder)).Message.ShouldContain("not valid JSON");
        var other = Save(SentencePiece());
        File.Delete(Path.Combine(other, "tokenizer_config.json"));
        Should.Throw<InputException>(() => HfTokenizer.LoadFolder(other)).Message.ShouldContain("tokenizer_config.json: tokenizer file not found");
    }

    [Fact]
    public void A_SentencePiece_vocabulary_without_every_byte_piece_is_refused_as_llama_cpp_would_abort_on_it()
    {
        var tokenizer = SentencePiece();
        var vocab = (JsonObject)tokenizer["model"]!["vocab"]!;
        vocab.Remove("<0x41>");
        vocab["<0x41>x"] = 3 + 0x41;
        var ex = Should.Throw<InputException>(() => GgufVocabulary.FromHf(HfTokenizer.LoadFolder(Save(tokenizer))));
        ex.Message.ShouldContain("<0x41>");
    }

    [Fact]
    public void A_byte_level_BPE_with_a_pre_tokenizer_llama_cpp_does_not_know_is_refused()
    {
        var tokenizer = new JsonObject
        {
            ["pre_tokenizer"] = new JsonObject
            {
                ["type"] = "Sequence",
                ["pretokenizers"] = new JsonArray(
                    new JsonObject { ["type"] = "Split", ["pattern"] = new JsonObject { ["Regex"] = "\\w+" }, ["behavior"] = "Isolated" },
                    new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false }),
            },
            ["model"] = new JsonObject { ["type"] = "BPE", ["vocab"] = new JsonObject { ["a"] = 0, ["b"] = 1, ["ab"] = 2 }, ["merges"] = new JsonArray("a b") },
        };
        Should.Throw<InputException>(() => GgufVocabulary.FromHf(HfTokenizer.LoadFolder(Save(tokenizer, new JsonObject()))))
            .Message.ShouldContain("not one llama.cpp has a pre-tokenizer for");
    }

    [Theory]
    [InlineData("llama2", "llama", "default", 32_000)]
    [InlineData("llama3", "gpt2", "llama-bpe", 128_256)]
    [InlineData("qwen3", "gpt2", "qwen2", 151_936)]
    [InlineData("gemma3", "llama", "default", 262_145)]
    public void The_four_real_tokenizers_take_the_recipes_that_reach_parity(string family, string model, string pre, int size)
    {
        var vocabulary = vocabularies.Vocabulary(family);
        (vocabulary.Model, vocabulary.PreTokenizer, vocabulary.Tokens.Count).ShouldBe((model, pre, size));
        vocabulary.AddSpacePrefix.ShouldBe(family switch { "llama2" => true, "gemma3" => false, _ => (bool?)null });
        vocabulary.Caveats.Any(c => c.Contains("NFC", StringComparison.Ordinal)).ShouldBe(family == "qwen3");
    }
}
