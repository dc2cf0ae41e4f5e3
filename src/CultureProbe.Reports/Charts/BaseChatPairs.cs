using System.Globalization;
using CultureProbe.Analysis;
using CultureProbe.Probing;
using CultureProbe.Reports.Svg;

namespace CultureProbe.Reports.Charts;

/// <summary>
/// The paper's Figure 4: each chat model beside the base model it was tuned from, by mean Pearson r
/// over all countries and over Western and non-Western countries.
/// </summary>
internal static class BaseChatPairs
{
    public const string Id = "chart-base-chat";

    private const double LeftMargin = 60;
    private const double TopMargin = 44;
    private const double PlotHeight = 240;
    private const double BottomMargin = 64;
    private const double BarWidth = 26;
    private const double GroupGap = 40;

    private static readonly (string Label, GroupKind Kind, string Group)[] Subsets =
        [("All", GroupKind.All, AlignmentTable.All), ("Western", GroupKind.Western, AlignmentTable.Western), ("non-Western", GroupKind.Western, AlignmentTable.NonWestern)];

    /// <summary>Chat models whose base model is in the same results.</summary>
    public static IReadOnlyList<(ModelInfo Base, ModelInfo Chat)> Pairs(ReportContext context) =>
        context.Models
            .Where(m => m.BaseModelId is not null)
            .Select(m => (Base: context.Models.FirstOrDefault(b => b.Id == m.BaseModelId && b.Id != m.Id), Chat: m))
            .Where(p => p.Base is not null)
            .Select(p => (p.Base!, p.Chat))
            .ToList();

    public static string? Render(ReportContext context)
    {
        var pairs = Pairs(context);
        if (pairs.Count == 0)
        {
            return null;
        }
        // One group per pair and subset that has numbers for both models.
        var groups = new List<(string Pair, string Subset, double Base, double Chat, int BaseIndex, int ChatIndex)>();
        foreach (var (baseModel, chat) in pairs)
        {
            foreach (var (label, kind, group) in Subsets)
            {
                var b = kind == GroupKind.All ? context.MeanPearson(baseModel.Id) : context.Row(baseModel.Id, kind, group)?.Pearson ?? double.NaN;
                var c = kind == GroupKind.All ? context.MeanPearson(chat.Id) : context.Row(chat.Id, kind, group)?.Pearson ?? double.NaN;
                if (double.IsFinite(b) || double.IsFinite(c))
                {
                    groups.Add(($"{baseModel.Id} → {chat.Id}", label, b, c, context.ModelIndex(baseModel.Id), context.ModelIndex(chat.Id)));
                }
            }
        }
        if (groups.Count == 0)
        {
            return null;
        }
        var groupWidth = 2 * BarWidth + GroupGap;
        var width = LeftMargin + Math.Max(300, groups.Count * groupWidth) + 20;
        var height = TopMargin + PlotHeight + BottomMargin;
        var (low, high) = LinearScale.NiceDomain(groups.SelectMany(g => new[] { g.Base, g.Chat }), 0.2, -1, 1, 0, 0.2);
        var y = new LinearScale(low, high, TopMargin + PlotHeight, TopMargin);

        var svg = new SvgBuilder(Id, width, height,
            "Base vs chat models: mean Pearson correlation",
            $"Paired bars for {pairs.Count} base/chat pair(s): the hatched bar is the base model, the solid bar the chat model tuned from it, over all countries and over Western and non-Western countries. Numbers above the bars give the mean Pearson r.");
        svg.Raw("<defs>");
        foreach (var index in groups.Select(g => g.BaseIndex).Distinct())
        {
            svg.Raw($"<pattern id=\"{Id}-hatch-{index}\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#fff\" /><rect width=\"3\" height=\"6\" fill=\"{Palette.Series(index)}\" /></pattern>");
        }
        svg.Raw("</defs>");

        foreach (var tick in y.Ticks(0.2))
        {
            svg.Line(LeftMargin, y[tick], width - 20, y[tick], tick == 0 ? "#333" : "#e3e3e3", tick == 0 ? 1 : 0.7);
            svg.Text(LeftMargin - 6, y[tick], tick.ToString("0.0", CultureInfo.InvariantCulture), "end", "tick", baseline: "middle");
        }
        svg.Text(16, TopMargin + PlotHeight / 2, "Mean Pearson r", "middle", "axis-label", rotate: -90);
        svg.Rect(LeftMargin, 12, 14, 10, "#777", "#555", extra: " fill-opacity=\"0.35\"", cssClass: "legend-swatch");
        svg.Text(LeftMargin + 18, 21, "base (hatched)", cssClass: "legend");
        svg.Rect(LeftMargin + 130, 12, 14, 10, "#555", cssClass: "legend-swatch");
        svg.Text(LeftMargin + 148, 21, "chat (solid)", cssClass: "legend");

        var zero = y[Math.Clamp(0, low, high)];
        for (var g = 0; g < groups.Count; g++)
        {
            var group = groups[g];
            var left = LeftMargin + g * groupWidth + GroupGap / 2;
            Bar(svg, y, zero, left, group.Base, $"url(#{Id}-hatch-{group.BaseIndex})", Palette.Series(group.BaseIndex), $"{group.Pair}, {group.Subset}: base");
            Bar(svg, y, zero, left + BarWidth, group.Chat, Palette.Series(group.ChatIndex), Palette.Series(group.ChatIndex), $"{group.Pair}, {group.Subset}: chat");
            svg.Text(left + BarWidth, TopMargin + PlotHeight + 18, group.Subset, "middle", "tick");
            if (g == 0 || groups[g - 1].Pair != group.Pair)
            {
                svg.Text(left, TopMargin + PlotHeight + 38, group.Pair, "start", "axis-label");
                if (g > 0)
                {
                    svg.Line(left - GroupGap / 2, TopMargin, left - GroupGap / 2, TopMargin + PlotHeight + 44, "#bbb", 1, "3 3");
                }
            }
        }
        return svg.ToString();
    }

    private static void Bar(SvgBuilder svg, LinearScale y, double zero, double x, double value, string fill, string stroke, string name)
    {
        if (!double.IsFinite(value))
        {
            svg.Text(x + BarWidth / 2, zero - 4, "n/a", "middle", "note");
            return;
        }
        var top = Math.Min(y[value], zero);
        svg.Rect(x + 1, top, BarWidth - 2, Math.Abs(y[value] - zero), fill, stroke,
            tooltip: string.Create(CultureInfo.InvariantCulture, $"{name}: mean r = {value:0.000}"), cssClass: "bar");
        svg.Text(x + BarWidth / 2, value >= 0 ? y[value] - 4 : y[value] + 12, value.ToString("0.00", CultureInfo.InvariantCulture), "middle", "value");
    }
}
