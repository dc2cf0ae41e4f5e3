using System.Globalization;
using System.Text;

namespace CultureProbe.Reports.Svg;

/// <summary>
/// Text and number formatting shared by the HTML and the SVG. The report must parse as XML too, so
/// every piece of text goes through <see cref="Escape"/>, and numbers are invariant and finite.
/// </summary>
internal static class Markup
{
    /// <summary>Escapes text for element content and double- or single-quoted attributes.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '&': builder.Append("&amp;"); break;
                case '<': builder.Append("&lt;"); break;
                case '>': builder.Append("&gt;"); break;
                case '"': builder.Append("&quot;"); break;
                case '\'': builder.Append("&#39;"); break;
                // Control characters are not allowed in XML 1.0 at all; a question text should never hold one.
                case < ' ' when c is not ('\t' or '\n' or '\r'): builder.Append('\uFFFD'); break;
                default: builder.Append(c); break;
            }
        }
        return builder.ToString();
    }

    /// <summary>
    /// A coordinate for SVG, at most two decimals. Non-finite values are a bug in the caller (charts
    /// filter them out before drawing), so they fail loudly instead of writing "NaN" into a path.
    /// </summary>
    public static string Num(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new InvalidOperationException($"a chart tried to draw a non-finite coordinate ({value})");
        }
        var rounded = Math.Round(value, 2);
        return (rounded == 0 ? 0 : rounded).ToString("0.##", CultureInfo.InvariantCulture);
    }

    /// <summary>A statistic for reading: fixed decimals, or an em dash when it is undefined.</summary>
    public static string Stat(double value, int decimals = 2) =>
        double.IsFinite(value) ? value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "\u2014";

    /// <summary>A share in [0, 1] as a percentage for reading.</summary>
    public static string Percent(double share) =>
        double.IsFinite(share) ? (share * 100).ToString("0", CultureInfo.InvariantCulture) + "%" : "\u2014";

    /// <summary>A string usable inside an id attribute: letters, digits, '-' and '_'.</summary>
    public static string Slug(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-');
        }
        return builder.ToString();
    }

    /// <summary>
    /// A model source or file name for reading, with any URL scheme taken off the front and named after
    /// it instead: the report must not contain anything a browser or a checker could take for a link.
    /// </summary>
    public static string DisplaySource(string source)
    {
        var result = source;
        var schemes = new List<string>();
        foreach (var scheme in new[] { "https", "http", "file", "ftp" })
        {
            var marker = scheme + "://";
            int at;
            while ((at = result.IndexOf(marker, StringComparison.OrdinalIgnoreCase)) >= 0)
            {
                result = result.Remove(at, marker.Length);
                if (!schemes.Contains(scheme))
                {
                    schemes.Add(scheme);
                }
            }
        }
        return schemes.Count == 0 ? result : $"{result} (over {string.Join("/", schemes).ToUpperInvariant()})";
    }

    /// <summary>The first characters of a hash, enough to tell files apart by eye.</summary>
    public static string HashPrefix(string? sha256) =>
        string.IsNullOrEmpty(sha256) ? "\u2014" : sha256.Length <= 12 ? sha256 : sha256[..12];
}
