using System.Globalization;
using System.Text;

using CultureProbe.IO;

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

    /// <summary><paramref name="text"/> on one line, escaped and cut as <see cref="PrintableText.Of"/> does.</summary>
    public static string Printable(string text, int maxLength = MessageLength) => PrintableText.Of(text, maxLength);

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
}
