using System.Globalization;

namespace CultureProbe.Llama.Gguf;

/// <summary>Token types of a GGUF vocabulary (<c>tokenizer.ggml.token_type</c>, llama.cpp's <c>llama_token_type</c>).</summary>
public enum GgufTokenType
{
    /// <summary>An ordinary piece.</summary>
    Normal = 1,

    /// <summary>The unknown token.</summary>
    Unknown = 2,

    /// <summary>A special token: matched in text only when special tokens are parsed, rendered only on request.</summary>
    Control = 3,

    /// <summary>An added token that is always matched in text before the tokenizer runs.</summary>
    UserDefined = 4,

    /// <summary>A padding slot that no text produces.</summary>
    Unused = 5,

    /// <summary>A byte-fallback piece <c>&lt;0xXX&gt;</c>.</summary>
    Byte = 6,
}

/// <summary>How a Hugging Face tokenizer becomes a GGUF vocabulary that the pinned llama.cpp tokenizes the same way.</summary>
public enum VocabularyRecipe
{
    /// <summary>
    /// A SentencePiece-style BPE (spaces as <c>▁</c>, byte fallback) written as llama.cpp's <c>llama</c> tokenizer, with each
    /// piece's score the negated rank of the first merge that makes it (Mistral's and Gemma 3's tokenizers).
    /// </summary>
    SentencePieceFromMerges,

    /// <summary>A GPT-2-style byte-level BPE written as llama.cpp's <c>gpt2</c> tokenizer with its merges and pre-tokenizer name (Llama 3, Qwen).</summary>
    ByteLevelBpe,
}

/// <summary>Choices a Hugging Face tokenizer's files do not settle.</summary>
public sealed record GgufVocabularyOptions
{
    /// <summary>Pad the vocabulary with unused <c>[PADn]</c> tokens to this size (a model's <c>vocab_size</c> may exceed its tokenizer's, as Qwen's 151,936).</summary>
    public int? PadToSize { get; init; }

    /// <summary>The BOS id when the tokenizer configuration names no BOS token (Qwen keeps it in <c>config.json</c>); without one llama.cpp reports id 11 for a byte-level BPE.</summary>
    public int? BosTokenId { get; init; }

    /// <summary>Overrides whether llama.cpp puts BOS before every text; by default the Hugging Face tokenizer's own behaviour.</summary>
    public bool? AddBos { get; init; }
}

/// <summary>
/// The tokenizer part of a GGUF (<c>tokenizer.*</c> keys) as the pinned llama.cpp reads it. Made from a Hugging Face
/// tokenizer with <see cref="FromHf"/> (see <c>docs/llama-backend.md</c>, "Real vocabularies", for the recipes and the
/// parity they reach) and written by <see cref="RandomModelWriter"/> or <see cref="WriteTo"/>.
/// </summary>
public sealed class GgufVocabulary
{
    // The pre-tokenizer regexes llama.cpp knows by name (tokenizer.json spellings; llama.cpp has hand-written splitters for them).
    private const string Llama3Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    private const string Qwen2Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Score of a piece no merge makes: merged last, if at all.</summary>
    private const float UnreachableScore = -1e9f;

    private GgufVocabulary(VocabularyRecipe recipe, string model, string pre, string[] tokens, GgufTokenType[] types)
    {
        Recipe = recipe;
        Model = model;
        PreTokenizer = pre;
        Tokens = tokens;
        Types = types;
    }

    /// <summary>The recipe used.</summary>
    public VocabularyRecipe Recipe { get; }

    /// <summary><c>tokenizer.ggml.model</c>: <c>llama</c> (SentencePiece) or <c>gpt2</c> (byte-level BPE).</summary>
    public string Model { get; }

    /// <summary><c>tokenizer.ggml.pre</c>: <c>default</c>, <c>llama-bpe</c> or <c>qwen2</c>.</summary>
    public string PreTokenizer { get; }

    /// <summary>Token texts by id (<c>tokenizer.ggml.tokens</c>); their count is the model's vocabulary size.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>Token types by id.</summary>
    public IReadOnlyList<GgufTokenType> Types { get; }

    /// <summary>SentencePiece merge priorities by id (higher merges first), or null for byte-level BPE.</summary>
    public IReadOnlyList<float>? Scores { get; private init; }

    /// <summary>Merge rules as <c>"left right"</c>, highest priority first, or null for SentencePiece.</summary>
    public IReadOnlyList<string>? Merges { get; private init; }

    /// <summary>BOS id, or null.</summary>
    public int? BosTokenId { get; private init; }

    /// <summary>EOS id, or null.</summary>
    public int? EosTokenId { get; private init; }

    /// <summary>Unknown-token id, or null.</summary>
    public int? UnknownTokenId { get; private init; }

    /// <summary>Padding id, or null.</summary>
    public int? PaddingTokenId { get; private init; }

    /// <summary>Whether llama.cpp puts BOS before every text (when asked to add special tokens).</summary>
    public bool AddBos { get; private init; }

    /// <summary>Whether llama.cpp puts EOS after every text.</summary>
    public bool AddEos { get; private init; }

    /// <summary>SentencePiece only: whether a space marker goes before the first word (and after each special token).</summary>
    public bool? AddSpacePrefix { get; private init; }

    /// <summary>The Jinja chat template, or null.</summary>
    public string? ChatTemplate { get; private init; }

    /// <summary>What llama.cpp will do differently from the Hugging Face tokenizer, in words (e.g. a normalizer it does not apply).</summary>
    public IReadOnlyList<string> Caveats { get; private init; } = [];

    /// <summary>
    /// Translates <paramref name="tokenizer"/> into llama.cpp's terms. SentencePiece-style BPE (byte fallback, spaces as
    /// <c>▁</c>) becomes the <c>llama</c> tokenizer with scores from merge ranks; byte-level BPE becomes <c>gpt2</c> with the
    /// pre-tokenizer llama.cpp knows for its regex (<c>llama-bpe</c> or <c>qwen2</c>).
    /// </summary>
    /// <exception cref="InputException">The tokenizer is of a kind llama.cpp could not reproduce, or would abort on; the message says why.</exception>
    public static GgufVocabulary FromHf(HfTokenizer tokenizer, GgufVocabularyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        options ??= new GgufVocabularyOptions();
        var spm = tokenizer.ByteFallback && tokenizer.ReplacesSpaces && !tokenizer.ByteLevel;
        if (!spm && !(tokenizer.ByteLevel && !tokenizer.ByteFallback))
        {
            throw new InputException($"{tokenizer.Source}: neither a SentencePiece-style BPE (byte_fallback and a normalizer writing spaces as '▁') nor a byte-level BPE (a ByteLevel pre-tokenizer); llama.cpp has no tokenizer for it");
        }
        var caveats = new List<string>();
        string pre;
        if (spm)
        {
            pre = "default";
        }
        else
        {
            pre = tokenizer.SplitPattern switch
            {
                Llama3Pattern => "llama-bpe",
                Qwen2Pattern => "qwen2",
                null => throw new InputException($"{tokenizer.Source}: pre_tokenizer: a byte-level BPE without a Split regex is not supported"),
                var other => throw new InputException($"{tokenizer.Source}: pre_tokenizer: the Split regex {other} is not one llama.cpp has a pre-tokenizer for here (known: Llama 3's and Qwen 2's)"),
            };
            if (pre == "llama-bpe" != tokenizer.IgnoreMerges)
            {
                throw new InputException($"{tokenizer.Source}: model.ignore_merges is {tokenizer.IgnoreMerges.ToString().ToLowerInvariant()}, but llama.cpp's '{pre}' pre-tokenizer {(pre == "llama-bpe" ? "ignores" : "applies")} merges for whole-word pieces");
            }
        }
        foreach (var step in tokenizer.NormalizerSteps.Where(s => s is not ("Prepend" or "Replace")))
        {
            caveats.Add($"llama.cpp does not apply the {step} normalizer: give it {step}-normalized text to get the same tokens");
        }

        var size = Math.Max(tokenizer.TokensById.Count, options.PadToSize ?? 0);
        var tokens = new string[size];
        var types = new GgufTokenType[size];
        var added = tokenizer.AddedTokens.ToDictionary(a => a.Id);
        for (var id = 0; id < size; id++)
        {
            var text = id < tokenizer.TokensById.Count ? tokenizer.TokensById[id] : null;
            if (text is null)
            {
                tokens[id] = "[PAD" + id.ToString(CultureInfo.InvariantCulture) + "]";
                types[id] = GgufTokenType.Unused;
                continue;
            }
            tokens[id] = text;
            if (added.TryGetValue(id, out var token))
            {
                if (token.Special || LooksSpecial(text))
                {
                    types[id] = GgufTokenType.Control;
                }
                else
                {
                    types[id] = GgufTokenType.UserDefined;
                    // llama.cpp matches user-defined tokens in the raw text, before spaces become '▁'.
                    tokens[id] = spm ? text.Replace('\u2581', ' ') : text;
                }
            }
            else
            {
                types[id] = spm && IsBytePiece(text) ? GgufTokenType.Byte : GgufTokenType.Normal;
            }
        }

        var bos = tokenizer.IdOf(tokenizer.BosToken) ?? options.BosTokenId;
        var vocabulary = new GgufVocabulary(spm ? VocabularyRecipe.SentencePieceFromMerges : VocabularyRecipe.ByteLevelBpe, spm ? "llama" : "gpt2", pre, tokens, types)
        {
            Scores = spm ? RankScores(tokenizer, tokens, types) : null,
            Merges = spm ? null : [.. tokenizer.Merges.Select(m => EscapeSpaces(m.Left) + " " + EscapeSpaces(m.Right))],
            BosTokenId = bos,
            EosTokenId = tokenizer.IdOf(tokenizer.EosToken),
            UnknownTokenId = tokenizer.IdOf(tokenizer.UnknownToken),
            PaddingTokenId = tokenizer.IdOf(tokenizer.PadToken),
            AddBos = options.AddBos ?? tokenizer.AddsBos,
            AddEos = tokenizer.AddEosToken ?? false,
            AddSpacePrefix = spm ? tokenizer.PrependsSpaceMarker : null,
            ChatTemplate = tokenizer.ChatTemplate,
            Caveats = caveats,
        };
        if (bos is null && !vocabulary.AddBos && !spm)
        {
            caveats.Add("no BOS token is named, so llama.cpp reports its default (id 11) as BOS; it is never added");
        }
        vocabulary.Validate(tokenizer.Source);
        return vocabulary;
    }

    /// <summary>Writes the <c>tokenizer.*</c> keys.</summary>
    public void WriteTo(GgufWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Add("tokenizer.ggml.model", Model)
            .Add("tokenizer.ggml.pre", PreTokenizer)
            .Add("tokenizer.ggml.tokens", Tokens);
        if (Scores is not null)
        {
            writer.Add("tokenizer.ggml.scores", Scores);
        }
        writer.Add("tokenizer.ggml.token_type", Types.Select(t => (int)t).ToArray());
        if (Merges is not null)
        {
            writer.Add("tokenizer.ggml.merges", Merges);
        }
        foreach (var (key, id) in new[] { ("bos", BosTokenId), ("eos", EosTokenId), ("unknown", UnknownTokenId), ("padding", PaddingTokenId) })
        {
            if (id is { } value)
            {
                writer.Add($"tokenizer.ggml.{key}_token_id", (uint)value);
            }
        }
        // Always written: llama.cpp's defaults differ by pre-tokenizer (llama-bpe adds BOS unless told not to).
        writer.Add("tokenizer.ggml.add_bos_token", AddBos).Add("tokenizer.ggml.add_eos_token", AddEos);
        if (AddSpacePrefix is { } prefix)
        {
            writer.Add("tokenizer.ggml.add_space_prefix", prefix);
        }
        if (ChatTemplate is not null)
        {
            writer.Add("tokenizer.chat_template", ChatTemplate);
        }
    }

    /// <summary>Refuses what llama.cpp would abort the process on (duplicate pieces, missing byte pieces, BOS to add but none named).</summary>
    private void Validate(string source)
    {
        var seen = new Dictionary<string, int>(Tokens.Count, StringComparer.Ordinal);
        for (var id = 0; id < Tokens.Count; id++)
        {
            if (Tokens[id].Length == 0)
            {
                throw new InputException($"{source}: token {id} is empty; llama.cpp would rename it and may then abort on a duplicate");
            }
            if (!seen.TryAdd(Tokens[id], id))
            {
                throw new InputException($"{source}: tokens {seen[Tokens[id]]} and {id} are both '{Tokens[id]}' in the GGUF vocabulary; llama.cpp would abort on it");
            }
        }
        if (Model == "llama")
        {
            for (var b = 0; b < 256; b++)
            {
                var piece = $"<0x{b:X2}>";
                if (!seen.TryGetValue(piece, out var id) || Types[id] != GgufTokenType.Byte)
                {
                    throw new InputException($"{source}: the byte piece {piece} is missing; llama.cpp's SentencePiece tokenizer aborts on text it cannot spell");
                }
            }
        }
        else if (Merges is not { Count: > 0 })
        {
            throw new InputException($"{source}: a byte-level BPE needs merges");
        }
        foreach (var (name, id) in new[] { ("BOS", BosTokenId), ("EOS", EosTokenId), ("unknown", UnknownTokenId), ("padding", PaddingTokenId) })
        {
            if (id is { } value && (value < 0 || value >= Tokens.Count))
            {
                throw new InputException($"{source}: the {name} id {value} is outside the vocabulary of {Tokens.Count}");
            }
        }
        if (AddBos && BosTokenId is null)
        {
            throw new InputException($"{source}: BOS is to be added to every text but no BOS token is named; llama.cpp would use a wrong default");
        }
        if (AddEos && EosTokenId is null)
        {
            throw new InputException($"{source}: EOS is to be added to every text but no EOS token is named");
        }
    }

    /// <summary>
    /// llama.cpp's SentencePiece tokenizer repeatedly joins the adjacent pair whose union is the vocabulary piece with the
    /// highest score (leftmost on ties); Hugging Face BPE joins the pair with the lowest merge rank (leftmost on ties). With a
    /// piece's score = −(rank of the first merge producing it) the two choose the same pair at every step.
    /// </summary>
    private static float[] RankScores(HfTokenizer tokenizer, string[] tokens, GgufTokenType[] types)
    {
        var scores = new float[tokens.Length];
        var reached = new bool[tokens.Length];
        for (var rank = 0; rank < tokenizer.Merges.Count; rank++)
        {
            var (left, right) = tokenizer.Merges[rank];
            if (tokenizer.IdOf(left + right) is { } id && id < tokens.Length && !reached[id])
            {
                reached[id] = true;
                scores[id] = -rank;
            }
        }
        for (var id = 0; id < tokens.Length; id++)
        {
            if (!reached[id])
            {
                scores[id] = types[id] is GgufTokenType.Byte or GgufTokenType.Unknown ? 0f : UnreachableScore;
            }
        }
        return scores;
    }

    private static bool IsBytePiece(string text) =>
        text.Length == 6 && text.StartsWith("<0x", StringComparison.Ordinal) && text[5] == '>' && Uri.IsHexDigit(text[3]) && Uri.IsHexDigit(text[4]);

    /// <summary>Spaces inside a merge part (never in byte-level pieces) spelled as byte-level 'Ġ', so the part boundary stays the one space.</summary>
    private static string EscapeSpaces(string part) => part.Replace(' ', '\u0120');

    /// <summary>Added tokens that llama.cpp's converter treats as control tokens even when not marked special.</summary>
    private static bool LooksSpecial(string text) =>
        text is "<pad>" or "<mask>" or "<2mass>" or "[@BOS@]"
        || (text.StartsWith("<|", StringComparison.Ordinal) && text.EndsWith("|>", StringComparison.Ordinal))
        || (text.StartsWith("<\uFF5C", StringComparison.Ordinal) && text.EndsWith("\uFF5C>", StringComparison.Ordinal))
        || (text.StartsWith("<unused", StringComparison.Ordinal) && text.EndsWith('>'));
}
