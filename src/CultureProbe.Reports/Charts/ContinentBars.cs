using System.Globalization;
using CultureProbe.Analysis;
using CultureProbe.Probing;
using CultureProbe.Reports.Svg;

namespace CultureProbe.Reports.Charts;

/// <summary>
/// The paper's Figures 2–3: mean per-country Pearson r by continent, Western vs non-Western and over
/// all countries, one bar per model, with the pooled-population and shuffled-country baselines as markers.
/// </summary>
internal static class ContinentBars
{
    public const string Id = "chart-continent-bars";

    private const double LeftMargin = 60;
    private const double RightMargin = 20;
    private const double TopMargin = 44;
    private const double PlotHeight = 300;
    private const double BottomMargin = 56;
    private const double GroupGap = 28;

    public static string? Render(ReportContext context)
    {
        var groups = Groups(context);
        if (groups.Count == 0 || context.Models.Count == 0)
        {
            return null;
        }
        var models = context.Models;
        var barWidth = Math.Clamp(820.0 / (groups.Count * models.Count), 10, 32);
        // Wide enough for the longest label ("North America", about 7 px a character) even with one model.
        var groupWidth = Math.Max(barWidth * models.Count + GroupGap, groups.Max(g => g.Label.Length) * 7.0 + 8);
        var plotWidth = Math.Max(520, groups.Count * groupWidth);
        var width = LeftMargin + plotWidth + RightMargin;
        var height = TopMargin + PlotHeight + BottomMargin;

        var values = groups.SelectMany(g => g.Rows).OfType<AlignmentRow>()
            .SelectMany(r => new[] { r.Pearson, r.PearsonPooled, r.PearsonShuffled });
        var (low, high) = LinearScale.NiceDomain(values, 0.2, -1, 1, 0, 0.2);
        var y = new LinearScale(low, high, TopMargin + PlotHeight, TopMargin);

        var svg = new SvgBuilder(Id, width, height,
            "Mean Pearson correlation by continent and Western / non-Western, per model",
            $"Grouped bars: for each of {groups.Count} groups, one bar per model showing the mean over the group's countries of the Pearson correlation between model and population mean scores. A dark diamond marks the pooled-population baseline and a cross the shuffled-country baseline for the same group.");

        // Grid and axis.
        foreach (var tick in y.Ticks(0.2))
        {
            svg.Line(LeftMargin, y[tick], LeftMargin + plotWidth, y[tick], tick == 0 ? "#333" : "#e3e3e3", tick == 0 ? 1 : 0.7);
            svg.Text(LeftMargin - 6, y[tick], tick.ToString("0.0", CultureInfo.InvariantCulture), "end", "tick", baseline: "middle");
        }
        svg.Text(16, TopMargin + PlotHeight / 2, "Mean Pearson r", "middle", "axis-label", rotate: -90);

        // Legend.
        var legendX = LeftMargin;
        for (var m = 0; m < models.Count; m++)
        {
            svg.Rect(legendX, 12, 14, 10, Palette.Series(m), cssClass: "legend-swatch");
            svg.Text(legendX + 18, 21, models[m].Id, cssClass: "legend");
            legendX += 30 + models[m].Id.Length * 6.6;
        }
        svg.Marker(3, legendX + 6, 17, 9, "#222", "#fff");
        svg.Text(legendX + 14, 21, "pooled baseline", cssClass: "legend");
        legendX += 120;
        svg.Marker(4, legendX + 6, 17, 8, "#222");
        svg.Text(legendX + 14, 21, "shuffled baseline", cssClass: "legend");

        var zero = y[Math.Clamp(0, low, high)];
        for (var g = 0; g < groups.Count; g++)
        {
            var (label, kind, rows) = groups[g];
            var left = LeftMargin + g * groupWidth + (groupWidth - barWidth * models.Count) / 2;
            if (g > 0 && kind != groups[g - 1].Kind)
            {
                // Separate the continents from the Western split and the overall mean.
                var edge = LeftMargin + g * groupWidth;
                svg.Line(edge, TopMargin, edge, TopMargin + PlotHeight, "#bbb", 1, "3 3");
            }
            var countries = rows.OfType<AlignmentRow>().Select(r => r.NCountries).DefaultIfEmpty(0).Max();
            svg.Text(left + barWidth * models.Count / 2, TopMargin + PlotHeight + 18, label, "middle", "tick");
            svg.Text(left + barWidth * models.Count / 2, TopMargin + PlotHeight + 33, $"n = {countries}", "middle", "note");
            for (var m = 0; m < models.Count; m++)
            {
                var row = rows[m];
                var bx = left + m * barWidth;
                if (row is null || !double.IsFinite(row.Pearson))
                {
                    svg.Text(bx + barWidth / 2, zero - 4, "n/a", "middle", "note");
                    continue;
                }
                var top = Math.Min(y[row.Pearson], zero);
                svg.Rect(bx + 1, top, barWidth - 2, Math.Abs(y[row.Pearson] - zero), Palette.Series(m),
                    tooltip: string.Create(CultureInfo.InvariantCulture, $"{models[m].Id}, {label}: mean r = {row.Pearson:0.000} over {row.NCountries} countries; pooled baseline {Markup.Stat(row.PearsonPooled, 3)}, shuffled baseline {Markup.Stat(row.PearsonShuffled, 3)}"),
                    cssClass: "bar");
                if (double.IsFinite(row.PearsonPooled))
                {
                    svg.Marker(3, bx + barWidth / 2, y[Math.Clamp(row.PearsonPooled, low, high)], Math.Min(10, barWidth - 2), "#222", "#fff", cssClass: "baseline-pooled");
                }
                if (double.IsFinite(row.PearsonShuffled))
                {
                    svg.Marker(4, bx + barWidth / 2, y[Math.Clamp(row.PearsonShuffled, low, high)], Math.Min(8, barWidth - 4), "#222", cssClass: "baseline-shuffled");
                }
            }
        }
        return svg.ToString();
    }

    /// <summary>Continents present (fixed order), then Western, non-Western and all; one row slot per model.</summary>
    private static List<(string Label, GroupKind Kind, AlignmentRow?[] Rows)> Groups(ReportContext context)
    {
        var result = new List<(string, GroupKind, AlignmentRow?[])>();
        var continents = context.Models.SelectMany(m => context.Rows(m.Id, GroupKind.Continent)).Select(r => r.Group).Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderBy(c => ReportContext.ContinentOrder.IndexOf(c) is var i and >= 0 ? i : int.MaxValue).ThenBy(c => c, StringComparer.Ordinal).ToList();
        foreach (var continent in continents)
        {
            result.Add((continent, GroupKind.Continent, context.Models.Select(m => context.Row(m.Id, GroupKind.Continent, continent)).ToArray()));
        }
        foreach (var western in new[] { AlignmentTable.Western, AlignmentTable.NonWestern })
        {
            var rows = context.Models.Select(m => context.Row(m.Id, GroupKind.Western, western)).ToArray();
            if (rows.Any(r => r is not null))
            {
                result.Add((western, GroupKind.Western, rows));
            }
        }
        var all = context.Models.Select(m => context.Row(m.Id, GroupKind.All, AlignmentTable.All)).ToArray();
        if (all.Any(r => r is not null))
        {
            result.Add(("All countries", GroupKind.All, all));
        }
        return result;
    }
}
