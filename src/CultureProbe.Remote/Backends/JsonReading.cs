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

    /// <summary>An integer that fits an <see cref="int"/> (an id, an index, an offset).</summary>
    public static int Int(JsonElement value, string where) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw new RemoteResponseException($"{where}: expected an integer, found {Raw(value)}");

    /// <summary>An integer that fits a <see cref="long"/> (a count).</summary>
    public static long Long(JsonElement value, string where) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : throw new RemoteResponseException($"{where}: expected an integer, found {Raw(value)}");

    /// <summary>A string, or "" for null (a token without text).</summary>
    public static string TextOrEmpty(JsonElement value, string where) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null => "",
        _ => throw new RemoteResponseException($"{where}: expected a string, found {Raw(value)}"),
    };

    /// <summary>A finite number, when <paramref name="value"/> is one.</summary>
    public static bool TryNumber(JsonElement value, out double number)
    {
        number = 0;
        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out number) && double.IsFinite(number);
    }

    public static long Count(JsonElement? usage, string name) =>
        usage is { } u && u.Optional(name) is { ValueKind: JsonValueKind.Number } n && n.TryGetInt64(out var count) ? count : 0;

    /// <summary>A value's JSON text for a message, cut short.</summary>
    private static string Raw(JsonElement value)
    {
        var raw = value.GetRawText();
        return raw.Length <= 40 ? raw : raw[..40] + "...";
    }

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
