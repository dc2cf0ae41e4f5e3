using System.Text.Json;

namespace CultureProbe.Llama.Gguf;

/// <summary>A token the Hugging Face tokenizer adds on top of its model's vocabulary (<c>added_tokens</c>).</summary>
/// <param name="Id">Token id.</param>
/// <param name="Content">The token's text.</param>
/// <param name="Special">Whether it is a special token (control token in llama.cpp's terms).</param>
public sealed record HfAddedToken(int Id, string Content, bool Special);

/// <summary>One BPE merge rule: <paramref name="Left"/> followed by <paramref name="Right"/> becomes their concatenation.</summary>
/// <param name="Left">The left piece.</param>
/// <param name="Right">The right piece.</param>
public readonly record struct HfMerge(string Left, string Right);

/// <summary>A Hugging Face <c>tokenizer.json</c> or <c>tokenizer_config.json</c> that is not what was expected.</summary>
public sealed class InvalidTokenizerException : InputException
{
    /// <summary>Creates the exception for <paramref name="field"/> (a JSON path such as <c>model.merges[12]</c>) of <paramref name="path"/>.</summary>
    public InvalidTokenizerException(string path, string field, string problem)
        : base($"{path}: {field}: {problem}")
    {
        FilePath = path;
        Field = field;
    }

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>Where in the file, as a JSON path.</summary>
    public string Field { get; }
}

/// <summary>
/// A byte-pair-encoding tokenizer as Hugging Face stores it: <c>tokenizer.json</c> (vocabulary, merges, added tokens,
/// normalizer, pre-tokenizer, post-processor) and <c>tokenizer_config.json</c> (special tokens, BOS/EOS settings, chat
/// template). Reading validates the parts a GGUF needs and names the file and field of anything unexpected; it does not
/// tokenize (llama.cpp does, from the GGUF that <see cref="GgufVocabulary.FromHf"/> makes of it).
/// </summary>
public sealed class HfTokenizer
{
    private readonly Dictionary<string, int> _ids;

    private HfTokenizer(string source, string?[] tokens, Dictionary<string, int> ids, IReadOnlyList<HfAddedToken> added, IReadOnlyList<HfMerge> merges)
    {
        Source = source;
        TokensById = tokens;
        _ids = ids;
        AddedTokens = added;
        Merges = merges;
    }

    /// <summary>Where the tokenizer was read from (the <c>tokenizer.json</c> path).</summary>
    public string Source { get; }

    /// <summary>Token texts by id, model vocabulary and added tokens together; null where no token has the id.</summary>
    public IReadOnlyList<string?> TokensById { get; }

    /// <summary>The added tokens (specials such as <c>&lt;s&gt;</c>, and user-defined ones), in file order.</summary>
    public IReadOnlyList<HfAddedToken> AddedTokens { get; }

    /// <summary>The merge rules, highest priority first.</summary>
    public IReadOnlyList<HfMerge> Merges { get; }

    /// <summary>Whether characters missing from the vocabulary fall back to <c>&lt;0xXX&gt;</c> byte tokens (SentencePiece-style models).</summary>
    public bool ByteFallback { get; private init; }

    /// <summary>Whether a pre-token that is itself in the vocabulary is kept whole without running the merges (Llama 3).</summary>
    public bool IgnoreMerges { get; private init; }

    /// <summary>The normalizer steps, by their <c>type</c> (e.g. <c>Prepend</c>, <c>Replace</c>, <c>NFC</c>); empty when there is none.</summary>
    public IReadOnlyList<string> NormalizerSteps { get; private init; } = [];

    /// <summary>Whether the normalizer prepends <c>▁</c> to the text (SentencePiece "legacy" behaviour: a space before the first word).</summary>
    public bool PrependsSpaceMarker { get; private init; }

    /// <summary>Whether the normalizer replaces spaces with <c>▁</c> (SentencePiece-style text).</summary>
    public bool ReplacesSpaces { get; private init; }

    /// <summary>Whether the pre-tokenizer maps bytes to printable characters (GPT-2 byte-level BPE).</summary>
    public bool ByteLevel { get; private init; }

    /// <summary>The regular expression of the pre-tokenizer's <c>Split</c> step, or null.</summary>
    public string? SplitPattern { get; private init; }

    /// <summary>The special token the post-processor puts before every text (e.g. <c>&lt;s&gt;</c>), or null when it adds none.</summary>
    public string? PostProcessorPrefix { get; private init; }

    /// <summary><c>tokenizer_class</c> of the configuration, or null.</summary>
    public string? TokenizerClass { get; private init; }

    /// <summary>The beginning-of-sequence token text (<c>bos_token</c>), or null.</summary>
    public string? BosToken { get; private init; }

    /// <summary>The end-of-sequence token text (<c>eos_token</c>), or null.</summary>
    public string? EosToken { get; private init; }

    /// <summary>The unknown token text (<c>unk_token</c>, or the model's), or null.</summary>
    public string? UnknownToken { get; private init; }

    /// <summary>The padding token text (<c>pad_token</c>), or null.</summary>
    public string? PadToken { get; private init; }

    /// <summary><c>add_bos_token</c> of the configuration, or null when it does not say.</summary>
    public bool? AddBosToken { get; private init; }

    /// <summary><c>add_eos_token</c> of the configuration, or null when it does not say.</summary>
    public bool? AddEosToken { get; private init; }

    /// <summary>The Jinja chat template (<c>chat_template</c>; of a list of named templates, the one named <c>default</c>), or null.</summary>
    public string? ChatTemplate { get; private init; }

    /// <summary>Whether encoding with special tokens puts BOS first: <c>add_bos_token</c> when the configuration says, else the post-processor.</summary>
    public bool AddsBos => AddBosToken ?? PostProcessorPrefix is not null && PostProcessorPrefix == BosToken;

    /// <summary>The id of a token text (vocabulary or added), or null.</summary>
    public int? IdOf(string? token) => token is not null && _ids.TryGetValue(token, out var id) ? id : null;

    /// <summary>Reads <c>tokenizer.json</c> and <c>tokenizer_config.json</c> from <paramref name="folder"/>.</summary>
    /// <exception cref="InputException">A file is missing or not what was expected; the message names file and field.</exception>
    public static HfTokenizer LoadFolder(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return Load(Path.Combine(folder, "tokenizer.json"), Path.Combine(folder, "tokenizer_config.json"));
    }

    /// <summary>Reads a tokenizer from its two files; the configuration is optional (special tokens then come from <c>tokenizer.json</c> alone).</summary>
    /// <exception cref="InputException">A file is missing or not what was expected; the message names file and field.</exception>
    public static HfTokenizer Load(string tokenizerJsonPath, string? tokenizerConfigPath)
    {
        ArgumentNullException.ThrowIfNull(tokenizerJsonPath);
        using var tokenizer = Parse(tokenizerJsonPath);
        using var config = tokenizerConfigPath is null ? null : Parse(tokenizerConfigPath);
        return Read(tokenizerJsonPath, tokenizer.RootElement, tokenizerConfigPath, config?.RootElement);
    }

    private static JsonDocument Parse(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: tokenizer file not found");
        }
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            throw new InputException($"{path}:{(ex.LineNumber ?? 0) + 1}: not valid JSON: {ex.Message}", ex);
        }
    }

    private static HfTokenizer Read(string path, JsonElement root, string? configPath, JsonElement? config)
    {
        var json = new Fields(path);
        json.Expect(root, JsonValueKind.Object, "(root)");
        var model = json.Property(root, "model", "", JsonValueKind.Object);
        var type = json.String(model, "type", "model");
        if (type != "BPE")
        {
            throw new InvalidTokenizerException(path, "model.type", $"'{type}' is not supported; only BPE tokenizers (SentencePiece-BPE and byte-level BPE) can be written to a GGUF here");
        }

        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var maxId = -1;
        var vocab = json.Property(model, "vocab", "model", JsonValueKind.Object);
        foreach (var entry in vocab.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id) || id < 0)
            {
                throw new InvalidTokenizerException(path, $"model.vocab[{Quote(entry.Name)}]", "expected a token id (a non-negative integer)");
            }
            if (!ids.TryAdd(entry.Name, id))
            {
                throw new InvalidTokenizerException(path, $"model.vocab[{Quote(entry.Name)}]", "appears twice");
            }
            maxId = Math.Max(maxId, id);
        }

        var added = new List<HfAddedToken>();
        if (root.TryGetProperty("added_tokens", out var addedArray) && addedArray.ValueKind != JsonValueKind.Null)
        {
            json.Expect(addedArray, JsonValueKind.Array, "added_tokens");
            var i = 0;
            foreach (var item in addedArray.EnumerateArray())
            {
                var where = $"added_tokens[{i++}]";
                json.Expect(item, JsonValueKind.Object, where);
                var id = json.Int(item, "id", where);
                var content = json.String(item, "content", where);
                var special = item.TryGetProperty("special", out var s) && s.ValueKind == JsonValueKind.True;
                if (ids.TryGetValue(content, out var existing) && existing != id)
                {
                    throw new InvalidTokenizerException(path, where, $"'{content}' has id {id} here but {existing} in the vocabulary");
                }
                ids[content] = id;
                maxId = Math.Max(maxId, id);
                added.Add(new HfAddedToken(id, content, special));
            }
        }
        if (maxId < 0)
        {
            throw new InvalidTokenizerException(path, "model.vocab", "is empty");
        }
        var tokens = new string?[maxId + 1];
        foreach (var (text, id) in ids)
        {
            if (tokens[id] is { } other && other != text)
            {
                throw new InvalidTokenizerException(path, "model.vocab", $"id {id} is given to both '{other}' and '{text}'");
            }
            tokens[id] = text;
        }

        var merges = new List<HfMerge>();
        var mergesArray = json.Property(model, "merges", "model", JsonValueKind.Array);
        var m = 0;
        foreach (var merge in mergesArray.EnumerateArray())
        {
            var where = $"model.merges[{m++}]";
            merges.Add(merge.ValueKind switch
            {
                // The older form "left right": the parts are split at the first space after the first character.
                JsonValueKind.String when merge.GetString()! is var text && text.IndexOf(' ', 1) is var at and > 0 && at < text.Length - 1
                    => new HfMerge(text[..at], text[(at + 1)..]),
                JsonValueKind.Array when merge.GetArrayLength() == 2 && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String
                    && merge[0].GetString()!.Length > 0 && merge[1].GetString()!.Length > 0
                    => new HfMerge(merge[0].GetString()!, merge[1].GetString()!),
                _ => throw new InvalidTokenizerException(path, where, "expected a merge as \"left right\" or [\"left\", \"right\"]"),
            });
        }

        var normalizerSteps = new List<string>();
        var prepends = false;
        var replaces = false;
        if (root.TryGetProperty("normalizer", out var normalizer) && normalizer.ValueKind != JsonValueKind.Null)
        {
            foreach (var (step, where) in Steps(json, normalizer, "normalizer", "normalizers"))
            {
                var kind = json.String(step, "type", where);
                normalizerSteps.Add(kind);
                switch (kind)
                {
                    case "Prepend" when step.TryGetProperty("prepend", out var p) && p.GetString() == "\u2581":
                        prepends = true;
                        break;
                    case "Replace" when step.TryGetProperty("pattern", out var pattern) && pattern.ValueKind == JsonValueKind.Object
                        && pattern.TryGetProperty("String", out var from) && from.GetString() == " "
                        && step.TryGetProperty("content", out var to) && to.GetString() == "\u2581":
                        replaces = true;
                        break;
                    case "Prepend" or "Replace":
                        throw new InvalidTokenizerException(path, where, $"a {kind} other than the SentencePiece space marker '▁' is not supported");
                    case "NFC" or "NFD" or "NFKC" or "NFKD" or "Lowercase" or "Strip" or "StripAccents":
                        break;
                    default:
                        throw new InvalidTokenizerException(path, where, $"normalizer '{kind}' is not supported");
                }
            }
        }

        var byteLevel = false;
        string? splitPattern = null;
        if (root.TryGetProperty("pre_tokenizer", out var pre) && pre.ValueKind != JsonValueKind.Null)
        {
            foreach (var (step, where) in Steps(json, pre, "pre_tokenizer", "pretokenizers"))
            {
                switch (json.String(step, "type", where))
                {
                    case "ByteLevel":
                        byteLevel = true;
                        break;
                    case "Split":
                        var pattern = json.Property(step, "pattern", where, JsonValueKind.Object);
                        if (pattern.TryGetProperty("Regex", out var regex) && regex.ValueKind == JsonValueKind.String)
                        {
                            splitPattern = regex.GetString();
                        }
                        break;
                    case "Metaspace":
                        throw new InvalidTokenizerException(path, where, "the Metaspace pre-tokenizer (SentencePiece without the \"legacy\" normalizer) is not supported");
                    default:
                        break;
                }
            }
        }

        string? postPrefix = null;
        if (root.TryGetProperty("post_processor", out var post) && post.ValueKind == JsonValueKind.Object)
        {
            foreach (var (step, where) in Steps(json, post, "post_processor", "processors"))
            {
                if (json.String(step, "type", where) == "TemplateProcessing"
                    && step.TryGetProperty("single", out var single) && single.ValueKind == JsonValueKind.Array
                    && single.GetArrayLength() > 0 && single[0].TryGetProperty("SpecialToken", out var first))
                {
                    postPrefix = json.String(first, "id", where + ".single[0].SpecialToken");
                }
            }
        }

        var modelUnknown = model.TryGetProperty("unk_token", out var unk) && unk.ValueKind == JsonValueKind.String ? unk.GetString() : null;
        string? tokenizerClass = null, bos = null, eos = null, pad = null, chatTemplate = null;
        bool? addBos = null, addEos = null;
        if (config is { } cfg)
        {
            var c = new Fields(configPath!);
            c.Expect(cfg, JsonValueKind.Object, "(root)");
            tokenizerClass = c.OptionalString(cfg, "tokenizer_class");
            bos = c.TokenText(cfg, "bos_token");
            eos = c.TokenText(cfg, "eos_token");
            modelUnknown = c.TokenText(cfg, "unk_token") ?? modelUnknown;
            pad = c.TokenText(cfg, "pad_token");
            addBos = c.OptionalBool(cfg, "add_bos_token");
            addEos = c.OptionalBool(cfg, "add_eos_token");
            chatTemplate = c.ChatTemplate(cfg);
            foreach (var (key, text) in new[] { ("bos_token", bos), ("eos_token", eos), ("unk_token", modelUnknown), ("pad_token", pad) })
            {
                if (text is not null && !ids.ContainsKey(text))
                {
                    throw new InvalidTokenizerException(configPath!, key, $"'{text}' is not a token of {path}");
                }
            }
        }
        return new HfTokenizer(path, tokens, ids, added, merges)
        {
            ByteFallback = model.TryGetProperty("byte_fallback", out var fallback) && fallback.ValueKind == JsonValueKind.True,
            IgnoreMerges = model.TryGetProperty("ignore_merges", out var ignore) && ignore.ValueKind == JsonValueKind.True,
            NormalizerSteps = normalizerSteps,
            PrependsSpaceMarker = prepends,
            ReplacesSpaces = replaces,
            ByteLevel = byteLevel,
            SplitPattern = splitPattern,
            PostProcessorPrefix = postPrefix,
            TokenizerClass = tokenizerClass,
            BosToken = bos,
            EosToken = eos,
            UnknownToken = modelUnknown,
            PadToken = pad,
            AddBosToken = addBos,
            AddEosToken = addEos,
            ChatTemplate = chatTemplate,
        };
    }

    private static IEnumerable<(JsonElement Step, string Where)> Steps(Fields json, JsonElement element, string where, string listName)
    {
        json.Expect(element, JsonValueKind.Object, where);
        if (element.TryGetProperty("type", out var type) && type.GetString() == "Sequence")
        {
            var list = json.Property(element, listName, where, JsonValueKind.Array);
            var i = 0;
            foreach (var step in list.EnumerateArray())
            {
                var at = $"{where}.{listName}[{i++}]";
                json.Expect(step, JsonValueKind.Object, at);
                yield return (step, at);
            }
        }
        else
        {
            yield return (element, where);
        }
    }

    private static string Quote(string text) => JsonSerializer.Serialize(text);

    /// <summary>Typed access to JSON fields that reports the file and the field's path when one is missing or of the wrong kind.</summary>
    private sealed class Fields(string path)
    {
        public void Expect(JsonElement element, JsonValueKind kind, string where)
        {
            if (element.ValueKind != kind)
            {
                throw new InvalidTokenizerException(path, where, $"expected {Describe(kind)}, found {Describe(element.ValueKind)}");
            }
        }

        public JsonElement Property(JsonElement parent, string name, string where, JsonValueKind kind)
        {
            var field = where.Length == 0 ? name : $"{where}.{name}";
            if (!parent.TryGetProperty(name, out var value))
            {
                throw new InvalidTokenizerException(path, field, $"missing (expected {Describe(kind)})");
            }
            Expect(value, kind, field);
            return value;
        }

        public string String(JsonElement parent, string name, string where) => Property(parent, name, where, JsonValueKind.String).GetString()!;

        public int Int(JsonElement parent, string name, string where)
        {
            var value = Property(parent, name, where, JsonValueKind.Number);
            return value.TryGetInt32(out var n) && n >= 0 ? n : throw new InvalidTokenizerException(path, $"{where}.{name}", "expected a non-negative integer");
        }

        public string? OptionalString(JsonElement parent, string name) =>
            parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
                ? (value.ValueKind == JsonValueKind.String ? value.GetString() : throw new InvalidTokenizerException(path, name, $"expected a string, found {Describe(value.ValueKind)}"))
                : null;

        public bool? OptionalBool(JsonElement parent, string name) =>
            parent.TryGetProperty(name, out var value) ? value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Null => null,
                _ => throw new InvalidTokenizerException(path, name, $"expected true or false, found {Describe(value.ValueKind)}"),
            } : null;

        /// <summary>A special token given as a string or as an AddedToken object with <c>content</c>.</summary>
        public string? TokenText(JsonElement parent, string name)
        {
            if (!parent.TryGetProperty(name, out var value))
            {
                return null;
            }
            return value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Object => String(value, "content", name),
                _ => throw new InvalidTokenizerException(path, name, $"expected a token as a string or an object with 'content', found {Describe(value.ValueKind)}"),
            };
        }

        public string? ChatTemplate(JsonElement parent)
        {
            if (!parent.TryGetProperty("chat_template", out var value))
            {
                return null;
            }
            switch (value.ValueKind)
            {
                case JsonValueKind.Null:
                    return null;
                case JsonValueKind.String:
                    return value.GetString();
                case JsonValueKind.Array:
                    var i = 0;
                    foreach (var named in value.EnumerateArray())
                    {
                        var where = $"chat_template[{i++}]";
                        Expect(named, JsonValueKind.Object, where);
                        if (String(named, "name", where) == "default")
                        {
                            return String(named, "template", where);
                        }
                    }
                    return null;
                default:
                    throw new InvalidTokenizerException(path, "chat_template", $"expected a string or a list of named templates, found {Describe(value.ValueKind)}");
            }
        }

        private static string Describe(JsonValueKind kind) => kind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Null => "null",
            _ => kind.ToString(),
        };
    }
}
