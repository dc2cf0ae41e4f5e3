using System.Buffers;
using System.Text.Json;
using CultureProbe.Remote.Transport;

namespace CultureProbe.Remote.Backends;

/// <summary>Strict readers for response JSON: a missing or mistyped field is a <see cref="RemoteResponseException"/> naming it.</summary>
internal static class JsonReading
{
    public static JsonElement Required(this JsonElement element, string name, string where)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw new RemoteResponseException($"{where}: expected a field '{name}'");
        }
        return value;
    }

    public static JsonElement RequiredArray(this JsonElement element, string name, string where)
    {
        var value = element.Required(name, where);
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new RemoteResponseException($"{where}.{name}: expected an array, found {value.ValueKind}");
        }
        return value;
    }

    public static JsonElement? Optional(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static string RequiredString(this JsonElement element, string name, string where)
    {
        var value = element.Required(name, where);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new RemoteResponseException($"{where}.{name}: expected a string, found {value.ValueKind}");
    }

    /// <summary>A log-probability: a finite number ≤ 0 (tiny positive rounding allowed), or null.</summary>
    public static double? LogProb(JsonElement value, string where)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || double.IsNaN(number) || number > 1e-6)
        {
            throw new RemoteResponseException($"{where}: expected a log-probability (a number ≤ 0), found {value.GetRawText()}");
        }
        return Math.Min(number, 0.0);
    }

    public static long Count(JsonElement? usage, string name) =>
        usage is { } u && u.Optional(name) is { ValueKind: JsonValueKind.Number } n && n.TryGetInt64(out var count) ? count : 0;

    /// <summary>Writes a JSON request body with <paramref name="write"/>.</summary>
    public static byte[] Body(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }
        return buffer.WrittenSpan.ToArray();
    }
}
