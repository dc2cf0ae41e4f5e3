using System.Collections.Concurrent;
using CultureProbe.Llama.Gguf;

[assembly: AssemblyFixture(typeof(CultureProbe.Llama.Tests.Tokenizers.RealVocabularies))]

namespace CultureProbe.Llama.Tests.Tokenizers;

/// <summary>
/// The four real tokenizers (fetched by the build into <c>.cache/tokenizers</c>), each written once per test run into a
/// minimal random model (<see cref="ModelShape.Minimal"/>, F16) in a temporary folder, and opened once. Missing tokenizer
/// files fail the tests that need them with what to run; they never skip.
/// </summary>
public sealed class RealVocabularies : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<LlamaModel>>> _models = new();
    private readonly ConcurrentDictionary<string, Lazy<HfTokenizer>> _tokenizers = new();
    private readonly ConcurrentDictionary<string, Lazy<GgufVocabulary>> _vocabularies = new();

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "cultureprobe-vocab-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public static TokenizerPackage Package(string family) => TokenizerPackage.All.Single(p => p.Family == family);

    /// <summary>The <c>.cache/tokenizers</c> folder of this checkout.</summary>
    public static string CacheRoot =>
        TokenizerPackage.FindCache(AppContext.BaseDirectory) ?? throw new InvalidOperationException($"no CultureProbe.slnx above {AppContext.BaseDirectory}");

    public HfTokenizer Tokenizer(string family) =>
        _tokenizers.GetOrAdd(family, f => new Lazy<HfTokenizer>(() => Package(f).Load(CacheRoot))).Value;

    public GgufVocabulary Vocabulary(string family) =>
        _vocabularies.GetOrAdd(family, f => new Lazy<GgufVocabulary>(() => GgufVocabulary.FromHf(Tokenizer(f), Package(f).Options))).Value;

    /// <summary>Whether the GGUF puts BOS before every text where the reference tokenizer does not (Llama 3: see <see cref="TokenizerPackage.Llama3"/>).</summary>
    public bool AddsBosBeyondReference(string family) => Vocabulary(family).AddBos && !Tokenizer(family).AddsBos;

    /// <summary>The minimal model carrying <paramref name="family"/>'s vocabulary, opened for tokenizing (and scoring, in a small context).</summary>
    public Task<LlamaModel> Model(string family) =>
        _models.GetOrAdd(family, f => new Lazy<Task<LlamaModel>>(() => OpenAsync(f))).Value;

    /// <summary>The GGUF file of <paramref name="family"/>'s minimal model (written on first use).</summary>
    public string PathOf(string family) => Path.Combine(Folder, $"{family}-minimal-f16.gguf");

    private async Task<LlamaModel> OpenAsync(string family)
    {
        Directory.CreateDirectory(Folder);
        var path = PathOf(family);
        await Task.Run(() =>
        {
            RandomModelWriter.Write(path, ModelShape.Minimal, Vocabulary(family), GgmlTensorType.F16, seed: 7);
        }).ConfigureAwait(false);
        return await LlamaModel.OpenAsync(path, new LlamaModelOptions { ContextSize = 1024, MaxParallelSequences = 16, Threads = 1 }).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var lazy in _models.Values.Where(l => l.IsValueCreated))
        {
            try
            {
                await (await lazy.Value.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (InputException)
            {
            }
        }
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
