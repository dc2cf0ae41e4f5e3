using System.Xml.Linq;

namespace CultureProbe.Reports.Tests;

/// <summary>Helpers to read a rendered report as XML.</summary>
public static class ReportDocument
{
    public const string Doctype = "<!DOCTYPE html>";

    public static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>Parses the report as XML once the HTML5 doctype line is removed.</summary>
    public static XDocument Parse(string html)
    {
        html.ShouldStartWith(Doctype + "\n");
        return XDocument.Parse(html[(Doctype.Length + 1)..]);
    }

    /// <summary>Every element, whatever its namespace, with this id.</summary>
    public static XElement? ById(this XDocument document, string id) =>
        document.Descendants().FirstOrDefault(e => (string?)e.Attribute("id") == id);

    public static IEnumerable<XElement> SvgsUnder(this XElement element) => element.Descendants(Svg + "svg");
}
