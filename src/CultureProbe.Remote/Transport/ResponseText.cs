using System.Globalization;
using System.Text;

namespace CultureProbe.Remote.Transport;

/// <summary>
/// Makes text a server controls safe to print: response bodies, reason phrases, headers and parser messages
/// that quote them end up on a terminal, in logs and in the result store's failure reasons. Control and format
/// characters (NUL, ESC and the rest of C0 and C1, line breaks, bidirectional overrides, zero-width characters)
/// are written as escapes, so a server cannot move the cursor, recolour or clear a terminal, or hide text.
/// </summary>
internal static class ResponseText
{
    /// <summary>Longest excerpt of a response body put into a message, in printed characters.</summary>
    public const int ExcerptLength = 200;

    /// <summary>Longest message of a remote exception, in printed characters.</summary>
    public const int MessageLength = 2000;

    // Bytes of a body decoded for an excerpt: enough for the excerpt and an API key that starts inside it,
    // so that the key is removed before the excerpt is cut (a cut key would escape the redaction).
    private const int DecodedBytes = 8192;

    /// <summary>
    /// <paramref name="text"/> on one line with every control or format character escaped (<c>\n</c>, <c>\x1B</c>,
    /// <c>\u202E</c>), cut to at most <paramref name="maxLength"/> printed characters with "..." when longer.
    /// </summary>
    public static string Printable(string text, int maxLength = MessageLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(Math.Min(text.Length, maxLength) + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var escape = Escape(text, i);
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

    /// <summary>
    /// A short printable excerpt of a response body: decoded as UTF-8 (invalid bytes become U+FFFD), passed
    /// through <paramref name="redact"/> while still whole, then escaped and cut to <see cref="ExcerptLength"/>.
    /// Quoted, so that where the server's text begins and ends is plain; "an empty body" when there is none.
    /// </summary>
    public static string Excerpt(ReadOnlySpan<byte> body, Func<string, string> redact)
    {
        ArgumentNullException.ThrowIfNull(redact);
        if (body.IsEmpty)
        {
            return "an empty body";
        }
        var text = redact(Encoding.UTF8.GetString(body[..Math.Min(body.Length, DecodedBytes)]));
        var printable = Printable(text, ExcerptLength);
        var cut = body.Length > DecodedBytes && !printable.EndsWith("...", StringComparison.Ordinal) ? "..." : "";
        return string.Create(CultureInfo.InvariantCulture, $"\"{printable}{cut}\" ({body.Length} bytes)");
    }

    /// <summary>Whether a body looks like an HTML or XML page rather than JSON (a web interface, a proxy's or a login page).</summary>
    public static bool LooksLikeMarkup(ReadOnlySpan<byte> body)
    {
        var start = body.TrimStart("\uFEFF"u8).TrimStart(" \t\r\n"u8);
        return start.Length > 0 && start[0] == (byte)'<';
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
