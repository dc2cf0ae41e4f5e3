using System.Globalization;
using System.Text;

namespace CultureProbe.IO;

/// <summary>Writes RFC 4180 CSV: fields with a comma, quote or line break are quoted; numbers in round-trip invariant form.</summary>
public sealed class CsvWriter(TextWriter writer)
{
    private readonly StringBuilder _line = new();

    /// <summary>Writes one row.</summary>
    public void Row(params object?[] fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        _line.Clear();
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                _line.Append(',');
            }
            _line.Append(Format(fields[i]));
        }
        _line.Append('\n');
        writer.Write(_line);
    }

    /// <summary>The text of one field.</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Quote(value.ToString() ?? ""),
    };

    private static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}
