using System.Globalization;
using System.Text;

namespace CultureProbe.IO;

/// <summary>
/// Makes text from a file or a server safe to print on a terminal, in logs and in stored failure reasons: control and
/// format characters (NUL, ESC and the rest of C0 and C1, line breaks, bidirectional overrides, zero-width characters)
/// are written as escapes (<c>\x1B</c>, <c>\u202E</c>), so input cannot move the cursor, recolour or clear a
/// terminal, or hide text. The one place every message that quotes input goes through.
/// </summary>
public static class PrintableText
{
    /// <summary>
    /// <paramref name="text"/> with every control or format character escaped, cut to at most
    /// <paramref name="maxLength"/> printed characters with "..." when longer.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="maxLength">Longest result before "...".</param>
    /// <param name="keepLineBreaks">Keep <c>\n</c> as a line break: for our own multi-line messages, whose quoted parts were escaped already.</param>
    public static string Of(string text, int maxLength = int.MaxValue, bool keepLineBreaks = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(Math.Min(text.Length, maxLength) + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var escape = keepLineBreaks && c == '\n' ? null : Escape(text, i);
            var piece = escape ?? (char.IsHighSurrogate(c) && i + 1 < text.Length ? text.Substring(i, 2) : c.ToString());
            if (builder.Length + piece.Length > maxLength)
            {
                return builder.Append("...").ToString();
            }
            builder.Append(piece);
            if (escape is null && piece.Length == 2)
            {
                i++;
            }
        }
        return builder.ToString();
    }

    private static string? Escape(string text, int i)
    {
        var c = text[i];
        switch (c)
        {
            case '\n':
                return "\\n";
            case '\r':
                return "\\r";
            case '\t':
                return "\\t";
        }
        if (char.IsSurrogate(c))
        {
            // A pair is one character, printed as it is (the loop takes both halves); a lone half is not text.
            var paired = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            return paired ? null : Hex(c);
        }
        return CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            ? Hex(c)
            : null;
    }

    private static string Hex(char c) => c <= 0xFF
        ? string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}")
        : string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
}
