using System.Globalization;
using CultureProbe.Probing;
using CultureProbe.Reports.Svg;

namespace CultureProbe.Reports.Charts;

/// <summary>
/// Model vs population mean score per question for one country, one panel per model, coloured
/// (and shaped) by category, with the line of perfect agreement y = x.
/// </summary>
internal static class ScatterPlot
{
    public const string IdPrefix = "chart-scatter-";
    public const string LegendId = "chart-scatter-legend";

    private const double Size = 340;
    private const double Left = 50;
    private const double Top = 34;
    private const double Plot = Size - Left - 14;

    public static string Id(int modelIndex, string modelId) => $"{IdPrefix}{modelIndex}-{Markup.Slug(modelId)}";

    /// <summary>The country to draw: the option, else USA when it has items, else the one with the most items.</summary>
    public static string? ChooseCountry(ReportContext context)
    {
        if (context.Options.ScatterCountry is { } chosen)
        {
            return context.CountriesByItemCount.FirstOrDefault(c => c.Equals(chosen.Trim(), StringComparison.OrdinalIgnoreCase)) ?? chosen.Trim();
        }
        return context.CountriesByItemCount.FirstOrDefault(c => c == "USA") ?? context.CountriesByItemCount.FirstOrDefault();
    }

    /// <summary>All panels share one domain so they can be compared by eye.</summary>
    public static (double Low, double High) Domain(ReportContext context, string country)
    {
        var items = context.Results.Items.Where(i => i.Country == country);
        return LinearScale.NiceDomain(items.SelectMany(i => new[] { i.HumanMean, i.ModelMean }), 0.25, -1, 1, 0, 0);
    }

    public static string Render(ReportContext context, string country, int modelIndex, (double Low, double High) domain)
    {
        var model = context.Models[modelIndex];
        var items = context.Results.Items
            .Where(i => i.Model == model.Id && i.Country == country && double.IsFinite(i.HumanMean) && double.IsFinite(i.ModelMean))
            .OrderBy(i => context.CategoryIndex(i.Category)).ThenBy(i => i.Question, StringComparer.Ordinal)
            .ToList();
        var row = context.Row(model.Id, GroupKind.Country, country);
        var r = row?.Pearson ?? Pearson(items);
        var n = row?.NQuestions ?? items.Count;
        var title = double.IsFinite(r)
            ? string.Create(CultureInfo.InvariantCulture, $"{model.Id}: r = {r:0.00} (n = {n})")
            : $"{model.Id}: r undefined (n = {n})";
        var (low, high) = domain;
        var x = new LinearScale(low, high, Left, Left + Plot);
        var y = new LinearScale(low, high, Top + Plot, Top);
        var svg = new SvgBuilder(Id(modelIndex, model.Id), Size, Size + 10,
            $"{context.CountryName(country)}: {title}",
            $"Scatter plot of {items.Count} questions for {context.CountryName(country)}: x is the population's mean score, y is {model.Id}'s mean score, both from {Markup.Num(low)} to {Markup.Num(high)}. The dashed diagonal marks perfect agreement. Points are coloured and shaped by category.");
        svg.Text(Left + Plot / 2, 18, title, "middle", "panel-title");
        foreach (var tick in x.Ticks(high - low > 1.01 ? 0.5 : 0.25))
        {
            svg.Line(x[tick], Top, x[tick], Top + Plot, tick == 0 ? "#bbb" : "#eee");
            svg.Line(Left, y[tick], Left + Plot, y[tick], tick == 0 ? "#bbb" : "#eee");
            svg.Text(x[tick], Top + Plot + 14, tick.ToString("0.0#", CultureInfo.InvariantCulture), "middle", "tick");
            svg.Text(Left - 5, y[tick], tick.ToString("0.0#", CultureInfo.InvariantCulture), "end", "tick", baseline: "middle");
        }
        svg.Rect(Left, Top, Plot, Plot, "none", "#999");
        svg.Line(x[low], y[low], x[high], y[high], "#666", 1, "5 4", "identity");
        svg.Text(Left + Plot / 2, Size + 4, "Population mean score", "middle", "axis-label");
        svg.Text(12, Top + Plot / 2, "Model mean score", "middle", "axis-label", rotate: -90);
        foreach (var item in items)
        {
            var category = context.CategoryIndex(item.Category);
            var text = context.Bank.Find(item.Question)?.Text;
            svg.Marker(Palette.CategoryShape(category), x[Math.Clamp(item.HumanMean, low, high)], y[Math.Clamp(item.ModelMean, low, high)], 7,
                Palette.Category(category), "#fff",
                string.Create(CultureInfo.InvariantCulture, $"{item.Question} ({context.CategoryTitle(item.Category)}): population {item.HumanMean:0.000}, model {item.ModelMean:0.000}{(text is null ? "" : " — " + text)}"),
                "point");
        }
        return svg.ToString();
    }

    public static string Legend(ReportContext context)
    {
        const double columnWidth = 330, rowHeight = 20;
        var columns = 3;
        var rows = (context.Categories.Count + columns - 1) / columns;
        var svg = new SvgBuilder(LegendId, columns * columnWidth, rows * rowHeight + 8, "Category legend for the scatter plots",
            "Colour and marker shape of each question category in the scatter plots.");
        for (var i = 0; i < context.Categories.Count; i++)
        {
            var index = context.CategoryIndex(context.Categories[i]);
            var (cx, cy) = (i % columns * columnWidth + 10, i / columns * rowHeight + 12);
            svg.Marker(Palette.CategoryShape(index), cx, cy, 9, Palette.Category(index), "#fff");
            svg.Text(cx + 12, cy + 4, context.CategoryTitle(context.Categories[i]), cssClass: "legend");
        }
        return svg.ToString();
    }

    private static double Pearson(IReadOnlyList<ItemResult> items)
    {
        if (items.Count < 2)
        {
            return double.NaN;
        }
        var mx = items.Average(i => i.HumanMean);
        var my = items.Average(i => i.ModelMean);
        double sxy = 0, sxx = 0, syy = 0;
        foreach (var i in items)
        {
            sxy += (i.HumanMean - mx) * (i.ModelMean - my);
            sxx += (i.HumanMean - mx) * (i.HumanMean - mx);
            syy += (i.ModelMean - my) * (i.ModelMean - my);
        }
        return sxy / Math.Sqrt(sxx * syy);
    }
}
