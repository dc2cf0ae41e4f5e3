using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;

namespace CultureProbe;

/// <summary>
/// The names under which enum values appear in files and on the command line. A value's wire name is
/// its <see cref="JsonStringEnumMemberNameAttribute"/>, so JSON (through <see cref="JsonStringEnumConverter"/>),
/// CSV and the command line all spell it the same way.
/// </summary>
public static class WireNames
{
    private static readonly ConcurrentDictionary<Type, (Enum Value, string Name)[]> Tables = new();

    /// <summary>The wire name of <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a declared member.</exception>
    public static string WireName<T>(this T value)
        where T : struct, Enum
    {
        foreach (var (member, name) in Table<T>())
        {
            if (member.Equals(value))
            {
                return name;
            }
        }
        throw new ArgumentOutOfRangeException(nameof(value), value, $"not a declared {typeof(T).Name}");
    }

    /// <summary>The value whose wire name is <paramref name="text"/> (case-insensitive, surrounding spaces ignored).</summary>
    public static bool TryParse<T>(string? text, out T value)
        where T : struct, Enum
    {
        var trimmed = text?.Trim();
        foreach (var (member, name) in Table<T>())
        {
            if (string.Equals(name, trimmed, StringComparison.OrdinalIgnoreCase))
            {
                value = (T)member;
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>Every wire name of <typeparamref name="T"/>, in declaration order.</summary>
    public static IReadOnlyList<string> All<T>()
        where T : struct, Enum => Table<T>().Select(x => x.Name).ToArray();

    private static (Enum Value, string Name)[] Table<T>()
        where T : struct, Enum =>
        Tables.GetOrAdd(typeof(T), type => type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => ((Enum)f.GetValue(null)!, f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name.ToLowerInvariant()))
            .ToArray());
}
