using System.Text;
using static CultureProbe.Reports.Svg.Markup;

namespace CultureProbe.Reports.Svg;

/// <summary>
/// Writes one inline SVG element. Every chart gets an accessible name (&lt;title&gt;) and
/// description (&lt;desc&gt;) first, as screen readers expect.
/// </summary>
internal sealed class SvgBuilder
{
    private readonly StringBuilder _text = new();

    public SvgBuilder(string id, double width, double height, string title, string description)
    {
        Width = width;
        Height = height;
        _text.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{Escape(id)}\" class=\"chart\" role=\"img\" aria-labelledby=\"{Escape(id)}-title {Escape(id)}-desc\" viewBox=\"0 0 {Num(width)} {Num(height)}\" width=\"{Num(width)}\" height=\"{Num(height)}\">");
        _text.Append($"<title id=\"{Escape(id)}-title\">{Escape(title)}</title><desc id=\"{Escape(id)}-desc\">{Escape(description)}</desc>");
    }

    public double Width { get; }

    public double Height { get; }

    public SvgBuilder Raw(string markup)
    {
        _text.Append(markup);
        return this;
    }

    public SvgBuilder Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string? dash = null, string? cssClass = null) =>
        Raw($"<line x1=\"{Num(x1)}\" y1=\"{Num(y1)}\" x2=\"{Num(x2)}\" y2=\"{Num(y2)}\" stroke=\"{stroke}\" stroke-width=\"{Num(width)}\"{(dash is null ? "" : $" stroke-dasharray=\"{dash}\"")}{Class(cssClass)} />");

    public SvgBuilder Rect(double x, double y, double width, double height, string fill, string? stroke = null, string? tooltip = null, string? cssClass = null, string? extra = null)
    {
        var attributes = $"x=\"{Num(x)}\" y=\"{Num(y)}\" width=\"{Num(Math.Max(0, width))}\" height=\"{Num(Math.Max(0, height))}\" fill=\"{fill}\"{(stroke is null ? "" : $" stroke=\"{stroke}\"")}{Class(cssClass)}{extra}";
        return tooltip is null ? Raw($"<rect {attributes} />") : Raw($"<rect {attributes}><title>{Escape(tooltip)}</title></rect>");
    }

    public SvgBuilder Circle(double cx, double cy, double r, string fill, string? stroke = null, string? tooltip = null, string? cssClass = null)
    {
        var attributes = $"cx=\"{Num(cx)}\" cy=\"{Num(cy)}\" r=\"{Num(r)}\" fill=\"{fill}\"{(stroke is null ? "" : $" stroke=\"{stroke}\"")}{Class(cssClass)}";
        return tooltip is null ? Raw($"<circle {attributes} />") : Raw($"<circle {attributes}><title>{Escape(tooltip)}</title></circle>");
    }

    /// <summary>A marker: 0 circle, 1 square, 2 triangle, 3 diamond, 4 cross.</summary>
    public SvgBuilder Marker(int shape, double x, double y, double size, string fill, string stroke = "none", string? tooltip = null, string? cssClass = null)
    {
        var h = size / 2;
        string element = shape switch
        {
            0 => $"<circle cx=\"{Num(x)}\" cy=\"{Num(y)}\" r=\"{Num(h)}\"",
            1 => $"<rect x=\"{Num(x - h * 0.9)}\" y=\"{Num(y - h * 0.9)}\" width=\"{Num(size * 0.9)}\" height=\"{Num(size * 0.9)}\"",
            2 => $"<path d=\"M{Num(x)},{Num(y - h * 1.1)}L{Num(x + h)},{Num(y + h * 0.8)}L{Num(x - h)},{Num(y + h * 0.8)}z\"",
            3 => $"<path d=\"M{Num(x)},{Num(y - h * 1.2)}L{Num(x + h)},{Num(y)}L{Num(x)},{Num(y + h * 1.2)}L{Num(x - h)},{Num(y)}z\"",
            _ => $"<path d=\"M{Num(x - h)},{Num(y - h)}L{Num(x + h)},{Num(y + h)}M{Num(x + h)},{Num(y - h)}L{Num(x - h)},{Num(y + h)}\" stroke-width=\"2\"",
        };
        var paint = shape == 4 ? $" fill=\"none\" stroke=\"{fill}\"" : $" fill=\"{fill}\" stroke=\"{stroke}\"";
        return tooltip is null
            ? Raw($"{element}{paint}{Class(cssClass)} />")
            : Raw($"{element}{paint}{Class(cssClass)}><title>{Escape(tooltip)}</title></{(shape switch { 0 => "circle", 1 => "rect", _ => "path" })}>");
    }

    public SvgBuilder Text(double x, double y, string text, string anchor = "start", string? cssClass = null, double? rotate = null, string baseline = "auto")
    {
        var transform = rotate is null ? "" : $" transform=\"rotate({Num(rotate.Value)} {Num(x)} {Num(y)})\"";
        var dominant = baseline == "auto" ? "" : $" dominant-baseline=\"{baseline}\"";
        return Raw($"<text x=\"{Num(x)}\" y=\"{Num(y)}\" text-anchor=\"{anchor}\"{dominant}{Class(cssClass)}{transform}>{Escape(text)}</text>");
    }

    public SvgBuilder Path(string data, string fill, string? stroke = null, string? tooltip = null, string? extra = null)
    {
        var attributes = $"d=\"{data}\" fill=\"{fill}\"{(stroke is null ? "" : $" stroke=\"{stroke}\"")}{extra}";
        return tooltip is null ? Raw($"<path {attributes} />") : Raw($"<path {attributes}><title>{Escape(tooltip)}</title></path>");
    }

    public SvgBuilder Open(string element, string attributes = "") => Raw($"<{element}{(attributes.Length == 0 ? "" : " " + attributes)}>");

    public SvgBuilder Close(string element) => Raw($"</{element}>");

    public override string ToString() => _text.ToString() + "</svg>";

    private static string Class(string? cssClass) => cssClass is null ? "" : $" class=\"{cssClass}\"";
}

/// <summary>A linear map from data values to pixels.</summary>
internal readonly record struct LinearScale(double DomainLow, double DomainHigh, double RangeLow, double RangeHigh)
{
    public double this[double value] => RangeLow + (value - DomainLow) / (DomainHigh - DomainLow) * (RangeHigh - RangeLow);

    /// <summary>Evenly spaced "nice" tick values over the domain.</summary>
    public IEnumerable<double> Ticks(double step)
    {
        var first = Math.Ceiling(DomainLow / step - 1e-9) * step;
        for (var v = first; v <= DomainHigh + 1e-9; v += step)
        {
            var rounded = Math.Round(v, 10);
            yield return rounded == 0 ? 0 : rounded; // never -0, which prints as "-0.0"
        }
    }

    /// <summary>A domain that covers the values, widened to multiples of <paramref name="step"/> and clamped.</summary>
    public static (double Low, double High) NiceDomain(IEnumerable<double> values, double step, double minLow, double maxHigh, double includeLow, double includeHigh)
    {
        var finite = values.Where(double.IsFinite).ToList();
        var low = Math.Min(includeLow, finite.Count == 0 ? includeLow : finite.Min());
        var high = Math.Max(includeHigh, finite.Count == 0 ? includeHigh : finite.Max());
        // The tolerance keeps a value sitting on a step (0, or 0.6 computed as 0.6000000001) from adding an empty step.
        low = Math.Max(minLow, Math.Floor(low / step + 1e-9) * step);
        high = Math.Min(maxHigh, Math.Ceiling(high / step - 1e-9) * step);
        return (low, high);
    }
}
