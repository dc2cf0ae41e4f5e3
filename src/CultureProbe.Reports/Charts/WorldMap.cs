using System.Globalization;
using CultureProbe.Probing;
using CultureProbe.Reports.Maps;
using CultureProbe.Reports.Svg;

namespace CultureProbe.Reports.Charts;

/// <summary>
/// A world map per model, each country coloured by its Pearson r on a diverging scale (RdBu, −1 … +1);
/// countries without a finite correlation are grey.
/// </summary>
internal static class WorldMap
{
    public const string IdPrefix = "chart-world-map-";

    private const double LegendHeight = 52;

    /// <summary>The id of the map of the model with this index.</summary>
    public static string Id(int modelIndex, string modelId) => $"{IdPrefix}{modelIndex}-{Markup.Slug(modelId)}";

    public static string Render(ReportContext context, WorldAtlas atlas, int modelIndex)
    {
        var model = context.Models[modelIndex];
        var rows = context.Rows(model.Id, GroupKind.Country);
        var byNumeric = new Dictionary<int, (string Iso3, AlignmentRow Row)>();
        foreach (var row in rows)
        {
            if (context.Countries.FindByIso3(row.Group) is { } country)
            {
                byNumeric.TryAdd(country.IsoNumeric, (country.Iso3, row));
            }
        }
        var coloured = atlas.Shapes.Count(s => s.IsoNumeric is { } id && byNumeric.TryGetValue(id, out var hit) && double.IsFinite(hit.Row.Pearson));
        var height = WorldAtlas.Height + LegendHeight;
        var svg = new SvgBuilder(Id(modelIndex, model.Id), WorldAtlas.Width, height,
            $"World map of Pearson correlation per country: {model.Id}",
            $"Equal Earth map of Natural Earth 110m country shapes. {coloured} countries are coloured by the Pearson correlation between {model.Id}'s and the population's mean answer scores, from red (r = -1) through white (0) to blue (r = +1); countries without data are grey.");
        svg.Path(atlas.SpherePath, "#eef4f8", "#c9d6df", extra: " class=\"sphere\"");
        svg.Open("g", "class=\"countries\" stroke=\"#ffffff\" stroke-width=\"0.4\" stroke-linejoin=\"round\"");
        foreach (var shape in atlas.Shapes)
        {
            if (shape.PathData.Length == 0)
            {
                continue;
            }
            var numeric = shape.IsoNumeric is { } n ? n.ToString("000", CultureInfo.InvariantCulture) : "";
            if (shape.IsoNumeric is { } id && byNumeric.TryGetValue(id, out var hit))
            {
                var r = hit.Row;
                var finite = double.IsFinite(r.Pearson);
                var tooltip = finite
                    ? string.Create(CultureInfo.InvariantCulture, $"{context.CountryName(hit.Iso3)} ({hit.Iso3}): r = {r.Pearson:0.000} [{Markup.Stat(r.PearsonCiLow, 2)}, {Markup.Stat(r.PearsonCiHigh, 2)}], n = {r.NQuestions}")
                    : $"{context.CountryName(hit.Iso3)} ({hit.Iso3}): r undefined, n = {r.NQuestions}";
                var pearson = finite ? $" data-pearson=\"{r.Pearson.ToString("R", CultureInfo.InvariantCulture)}\"" : "";
                svg.Path(shape.PathData, Palette.Correlation(r.Pearson), tooltip: tooltip,
                    extra: $" class=\"country{(finite ? "" : " no-data")}\" data-iso-numeric=\"{numeric}\" data-iso3=\"{Markup.Escape(hit.Iso3)}\"{pearson}");
            }
            else
            {
                svg.Path(shape.PathData, Palette.NoData, tooltip: $"{shape.Name}: no data",
                    extra: $" class=\"country no-data\" data-iso-numeric=\"{numeric}\"");
            }
        }
        svg.Close("g");
        Legend(svg, WorldAtlas.Height + 8);
        return svg.ToString();
    }

    /// <summary>Countries with a row that the map cannot show: not in the country table or not among the atlas's shapes.</summary>
    public static IReadOnlyList<string> Unmapped(ReportContext context, WorldAtlas atlas)
    {
        var numerics = atlas.Shapes.Select(s => s.IsoNumeric).OfType<int>().ToHashSet();
        return context.Models.SelectMany(m => context.Rows(m.Id, GroupKind.Country)).Select(r => r.Group)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(g => context.Countries.FindByIso3(g) is not { } c || !numerics.Contains(c.IsoNumeric))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static void Legend(SvgBuilder svg, double top)
    {
        const double steps = 40, stepWidth = 8;
        var left = WorldAtlas.Width / 2 - steps * stepWidth / 2;
        svg.Text(left - 10, top + 11, "Pearson r", "end", "legend");
        for (var i = 0; i < steps; i++)
        {
            var r = -1 + (i + 0.5) * 2 / steps;
            svg.Rect(left + i * stepWidth, top, stepWidth + 0.3, 14, Palette.Correlation(r));
        }
        svg.Rect(left, top, steps * stepWidth, 14, "none", "#999");
        foreach (var tick in new[] { -1.0, -0.5, 0, 0.5, 1 })
        {
            var x = left + (tick + 1) / 2 * steps * stepWidth;
            svg.Line(x, top + 14, x, top + 19, "#333");
            svg.Text(x, top + 31, tick.ToString("0.0", CultureInfo.InvariantCulture), "middle", "tick");
        }
        var noData = left + steps * stepWidth + 30;
        svg.Rect(noData, top, 18, 14, Palette.NoData, "#999");
        svg.Text(noData + 24, top + 11, "no data", cssClass: "legend");
    }
}
