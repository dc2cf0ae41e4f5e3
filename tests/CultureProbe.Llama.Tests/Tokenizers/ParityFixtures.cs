using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CultureProbe.Llama.Tests.Tokenizers;

/// <summary>
/// One prompt group's reference: its text count and hash, the count and hash of the reference ids, and how many of its
/// continuations merge a token across the boundary (their joint ids do not start with the context's ids), and how many
/// of its texts Unicode NFC would change (as node's ICU decides: .NET's invariant globalization cannot normalize).
/// </summary>
public sealed record ExpectedGroup(string Key, int Texts, string TextsHash, int Tokens, string IdsHash, int BoundaryMerges, int NotNfc);

/// <summary>A reference string with its full ids, and its NFC form where that differs.</summary>
public sealed record ExpectedIds(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("ids")] int[] Ids,
    [property: JsonPropertyName("nfc")] string? Nfc = null);

/// <summary>A continuation of a chat case, rendered prompt + continuation, with its reference ids.</summary>
public sealed record ExpectedChatContinuation([property: JsonPropertyName("text")] string Text, [property: JsonPropertyName("ids")] int[] Ids);

/// <summary>A chat case as @huggingface/jinja renders it, and the reference ids of the rendering.</summary>
public sealed record ExpectedChat(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("rendered")] string Rendered,
    [property: JsonPropertyName("ids")] int[] Ids,
    [property: JsonPropertyName("continuations")] IReadOnlyList<ExpectedChatContinuation> Continuations);

/// <summary>A sample group with full texts and ids.</summary>
public sealed record ExpectedSampleGroup(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("texts")] IReadOnlyList<string> Texts,
    [property: JsonPropertyName("ids")] IReadOnlyList<int[]> Ids);

/// <summary>The full-id sample of one family.</summary>
public sealed record ExpectedSample(
    [property: JsonPropertyName("family")] string Family,
    [property: JsonPropertyName("groups")] IReadOnlyList<ExpectedSampleGroup> Groups,
    [property: JsonPropertyName("probes")] IReadOnlyList<ExpectedIds> Probes,
    [property: JsonPropertyName("special")] IReadOnlyList<ExpectedIds> Special,
    [property: JsonPropertyName("chat")] IReadOnlyList<ExpectedChat> Chat);

/// <summary>
/// The checked-in reference ids (<c>Fixtures/tokenizers/</c>, made by <c>regenerate.sh</c> from the reference tokenizer):
/// <c>&lt;family&gt;.tsv</c> with a line per prompt group, and <c>&lt;family&gt;.sample.json</c> with full ids.
/// </summary>
public static class ParityFixtures
{
    public const string Regenerate = "tests/CultureProbe.Llama.Tests/Fixtures/tokenizers/regenerate.sh";

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers");

    public static IReadOnlyDictionary<string, ExpectedGroup> Groups(string family)
    {
        var result = new Dictionary<string, ExpectedGroup>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(Folder, family + ".tsv")))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var f = line.Split('\t');
            result.Add(f[0], new ExpectedGroup(f[0], int.Parse(f[1], CultureInfo.InvariantCulture), f[2], int.Parse(f[3], CultureInfo.InvariantCulture), f[4],
                int.Parse(f[5], CultureInfo.InvariantCulture), int.Parse(f[6], CultureInfo.InvariantCulture)));
        }
        return result;
    }

    public static ExpectedSample Sample(string family) =>
        JsonSerializer.Deserialize<ExpectedSample>(File.ReadAllText(Path.Combine(Folder, family + ".sample.json")))
        ?? throw new InvalidDataException($"{family}.sample.json is empty");
}
