using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CultureProbe.Models;

/// <summary>
/// Everything that decides a model's numbers, as named parts: for a GGUF file its hash, KV cache type and chat
/// template; for a server the backend, the served name, the deployment and every request option that changes
/// numbers. Its hash goes into every item key, so results are reused exactly when they would come out the same.
/// Each backend builds its own; nothing outside a backend adds to it.
/// </summary>
public sealed class ModelFingerprint
{
    /// <summary>Creates a fingerprint from named parts, in the order given (the order is part of the hash).</summary>
    /// <exception cref="ArgumentException">A name is empty or repeated.</exception>
    public ModelFingerprint(IEnumerable<KeyValuePair<string, string>> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        Parts = parts.ToArray();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var canonical = new StringBuilder("cultureprobe-fingerprint-v1\n");
        foreach (var (name, value) in Parts)
        {
            if (string.IsNullOrEmpty(name) || !names.Add(name))
            {
                throw new ArgumentException($"fingerprint part names must be non-empty and distinct; '{name}' is not", nameof(parts));
            }
            // Length-prefixed, so that no two different lists encode the same way.
            canonical.Append(name.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(name)
                .Append('=').Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value).Append('\n');
        }
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
    }

    /// <summary>The named parts, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parts { get; }

    /// <summary>Lower-case hex SHA-256 of the canonical encoding of <see cref="Parts"/>.</summary>
    public string Sha256 { get; }

    /// <summary>A fingerprint from (name, value) pairs.</summary>
    public static ModelFingerprint Of(params (string Name, string Value)[] parts) =>
        new(parts.Select(p => KeyValuePair.Create(p.Name, p.Value)));

    /// <summary>The parts as a dictionary, for provenance in result files.</summary>
    public IReadOnlyDictionary<string, string> ToDictionary() => Parts.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary><c>name=value; …</c></summary>
    public override string ToString() => string.Join("; ", Parts.Select(p => $"{p.Key}={p.Value}"));
}
