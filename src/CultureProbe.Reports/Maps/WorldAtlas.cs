using System.Globalization;
using System.Text;
using System.Text.Json;
using CultureProbe.Reports.Svg;

namespace CultureProbe.Reports.Maps;

/// <summary>A country shape from the atlas, already projected to SVG path data.</summary>
/// <param name="IsoNumeric">ISO 3166-1 numeric code, or null for territories the atlas gives none (Kosovo, N. Cyprus, Somaliland).</param>
/// <param name="Name">The atlas's name for it.</param>
/// <param name="PathData">SVG path data in the map's pixel frame.</param>
internal sealed record AtlasShape(int? IsoNumeric, string Name, string PathData);

/// <summary>
/// Natural Earth 110m country shapes (public domain, packaged as TopoJSON by the npm package
/// world-atlas 2.0.2 and embedded at build time), decoded and projected with Equal Earth into a
/// fixed pixel frame. Decoding happens once per process.
/// </summary>
internal sealed class WorldAtlas
{
    /// <summary>Width of the map frame in pixels.</summary>
    public const double Width = 960;

    /// <summary>Outer margin around the projected world, in pixels.</summary>
    public const double Margin = 4;

    private const string ResourceName = "CultureProbe.Reports.countries-110m.json";

    // Points closer than this (pixels) to the previous kept point are dropped: invisible at this scale, and it keeps the HTML small.
    private const double MinStep = 0.6;

    private static readonly Lazy<WorldAtlas> Embedded = new(() => LoadEmbedded());

    private WorldAtlas(IReadOnlyList<AtlasShape> shapes, string spherePath)
    {
        Shapes = shapes;
        SpherePath = spherePath;
    }

    /// <summary>The embedded atlas.</summary>
    public static WorldAtlas Default => Embedded.Value;

    /// <summary>Height of the map frame in pixels.</summary>
    public static double Height => Scale * 2 * EqualEarthProjection.MaxY + 2 * Margin;

    private static double Scale => (Width - 2 * Margin) / (2 * EqualEarthProjection.MaxX);

    /// <summary>Every shape of the atlas, in the atlas's order.</summary>
    public IReadOnlyList<AtlasShape> Shapes { get; }

    /// <summary>The outline of the whole globe, drawn as the sea.</summary>
    public string SpherePath { get; }

    /// <summary>Projects a longitude/latitude to the map's pixel frame.</summary>
    public static (double X, double Y) ToPixels(double longitude, double latitude)
    {
        var (x, y) = EqualEarthProjection.Project(longitude, latitude);
        return (Width / 2 + x * Scale, Height / 2 - y * Scale);
    }

    /// <summary>Decodes a TopoJSON topology whose <c>countries</c> object holds the shapes.</summary>
    public static WorldAtlas Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var transform = root.GetProperty("transform");
        var scale = transform.GetProperty("scale");
        var translate = transform.GetProperty("translate");
        var (sx, sy) = (scale[0].GetDouble(), scale[1].GetDouble());
        var (tx, ty) = (translate[0].GetDouble(), translate[1].GetDouble());

        // Arcs are quantized and delta-encoded: each position adds to the previous one.
        var arcs = new List<(double Lon, double Lat)[]>();
        foreach (var arc in root.GetProperty("arcs").EnumerateArray())
        {
            var points = new (double, double)[arc.GetArrayLength()];
            long qx = 0, qy = 0;
            var i = 0;
            foreach (var position in arc.EnumerateArray())
            {
                qx += position[0].GetInt64();
                qy += position[1].GetInt64();
                points[i++] = (qx * sx + tx, qy * sy + ty);
            }
            arcs.Add(points);
        }

        var shapes = new List<AtlasShape>();
        foreach (var geometry in root.GetProperty("objects").GetProperty("countries").GetProperty("geometries").EnumerateArray())
        {
            int? id = geometry.TryGetProperty("id", out var idElement)
                && int.TryParse(idElement.ValueKind == JsonValueKind.Number ? idElement.GetRawText() : idElement.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var numeric)
                ? numeric
                : null;
            var name = geometry.TryGetProperty("properties", out var properties) && properties.TryGetProperty("name", out var nameElement)
                ? nameElement.GetString() ?? ""
                : "";
            var path = new StringBuilder();
            var type = geometry.GetProperty("type").GetString();
            if (type == "Polygon")
            {
                AppendPolygon(path, geometry.GetProperty("arcs"), arcs);
            }
            else if (type == "MultiPolygon")
            {
                foreach (var polygon in geometry.GetProperty("arcs").EnumerateArray())
                {
                    AppendPolygon(path, polygon, arcs);
                }
            }
            shapes.Add(new AtlasShape(id, name, path.ToString()));
        }
        return new WorldAtlas(shapes, SphereOutline());
    }

    private static WorldAtlas LoadEmbedded()
    {
        using var stream = typeof(WorldAtlas).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing from the build (see FetchWorldAtlas in CultureProbe.Reports.csproj)");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Parse(reader.ReadToEnd());
    }

    private static void AppendPolygon(StringBuilder path, JsonElement rings, List<(double Lon, double Lat)[]> arcs)
    {
        foreach (var ring in rings.EnumerateArray())
        {
            var points = new List<(double Lon, double Lat)>();
            foreach (var reference in ring.EnumerateArray())
            {
                var index = reference.GetInt32();
                // A negative index ~i means arc i walked backwards.
                var arc = arcs[index >= 0 ? index : ~index];
                var start = points.Count == 0 ? 0 : 1; // consecutive arcs share their joining point
                for (var k = start; k < arc.Length; k++)
                {
                    points.Add(index >= 0 ? arc[k] : arc[arc.Length - 1 - k]);
                }
            }
            foreach (var piece in Antimeridian.Split(points))
            {
                AppendRing(path, piece);
            }
        }
    }

    private static void AppendRing(StringBuilder path, List<(double Lon, double Lat)> ring)
    {
        var projected = ring.Select(p => ToPixels(p.Lon, p.Lat)).ToList();
        var kept = new List<(double X, double Y)>(projected.Count);
        foreach (var point in projected)
        {
            if (kept.Count == 0 || Math.Abs(point.X - kept[^1].X) + Math.Abs(point.Y - kept[^1].Y) >= MinStep)
            {
                kept.Add(point);
            }
        }
        if (kept.Count < 3)
        {
            // Islands smaller than a pixel or two: keep them visible as a tiny triangle.
            if (projected.Count == 0)
            {
                return;
            }
            kept = [projected[0], (projected[0].X + MinStep, projected[0].Y), (projected[0].X, projected[0].Y + MinStep)];
        }
        // Relative commands after an absolute move keep the text short; a minus sign doubles as separator.
        var (lastX, lastY) = (Math.Round(kept[0].X, 1), Math.Round(kept[0].Y, 1));
        path.Append('M').Append(Markup.Num(lastX)).Append(',').Append(Markup.Num(lastY)).Append('l');
        for (var i = 1; i < kept.Count; i++)
        {
            var (x, y) = (Math.Round(kept[i].X, 1), Math.Round(kept[i].Y, 1));
            var dx = Markup.Num(x - lastX);
            var dy = Markup.Num(y - lastY);
            if (i > 1 && dx[0] != '-')
            {
                path.Append(' ');
            }
            path.Append(dx);
            if (dy[0] != '-')
            {
                path.Append(',');
            }
            path.Append(dy);
            (lastX, lastY) = (x, y);
        }
        path.Append('z');
    }

    private static string SphereOutline()
    {
        var path = new StringBuilder();
        var first = true;
        for (var lat = -90; lat <= 90; lat += 5)
        {
            var (x, y) = ToPixels(-180, lat);
            path.Append(first ? 'M' : 'L').Append(Markup.Num(x)).Append(',').Append(Markup.Num(y));
            first = false;
        }
        for (var lat = 90; lat >= -90; lat -= 5)
        {
            var (x, y) = ToPixels(180, lat);
            path.Append('L').Append(Markup.Num(x)).Append(',').Append(Markup.Num(y));
        }
        return path.Append('z').ToString();
    }
}
