using CultureProbe.Llama.Gguf;

[assembly: AssemblyFixture(typeof(CultureProbe.Llama.Tests.TinyModels))]

namespace CultureProbe.Llama.Tests;

/// <summary>Random tiny GGUF models written once per test run into a temporary folder.</summary>
public sealed class TinyModels : IDisposable
{
    public static readonly string[] Words =
    [
        "▁The", "▁answer", "▁is", "▁isn", "'t", "▁yes", "▁no", "▁Strongly", "▁agree", "▁disagree",
        "▁In", "▁Japan", "▁France", "▁Answer", "▁country", "▁people", "▁important",
    ];

    public const string ChatMlTemplate =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    public TinyModels()
    {
        Directory.CreateDirectory(Folder);
        TinyLlamaGgufWriter.Write(Gqa, new TinyLlamaSpec(Words: Words, Seed: 11));
        TinyLlamaGgufWriter.Write(Tied, new TinyLlamaSpec(EmbeddingLength: 48, LayerCount: 3, HeadCount: 3, KvHeadCount: 3,
            FeedForwardLength: 80, VocabularySize: 500, Words: Words, Seed: 23, TiedEmbeddings: true, RopeFreqBase: 500f));
        TinyLlamaGgufWriter.Write(Chat, new TinyLlamaSpec(Words: Words, Seed: 5, ChatTemplate: ChatMlTemplate));
    }

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "cultureprobe-llama-tests-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Grouped-query attention (4 heads, 2 KV heads), separate output matrix.</summary>
    public string Gqa => Path.Combine(Folder, "gqa.gguf");

    /// <summary>Multi-head attention, tied embeddings, odd sizes, low RoPE base.</summary>
    public string Tied => Path.Combine(Folder, "tied.gguf");

    /// <summary>With an embedded ChatML template.</summary>
    public string Chat => Path.Combine(Folder, "chat.gguf");

    /// <summary>stories260K from ../shared/models (relative to the repository root), or null when absent.</summary>
    public static string? Stories260K
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "CultureProbe.slnx")))
                {
                    var path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "models", "stories260K.gguf"));
                    return File.Exists(path) ? path : null;
                }
            }
            return null;
        }
    }

    public static LlamaModelOptions Exact => new() { F32KvCache = true, ContextSize = 512 };

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
