using System.Globalization;
using CultureProbe.Reports.Svg;

namespace CultureProbe.Reports.Charts;

/// <summary>
/// The paper's Figure 1: for each category, the spread over countries of the mean of item mean
/// scores, for the population and for each model side by side (horizontal Tukey box plots).
/// </summary>
internal static class CategoryBoxPlot
{
    public const string Id = "chart-category-boxplots";

    private const double LabelWidth = 320;
    private const double PlotWidth = 560;
    private const double RightMargin = 24;
    private const double TopMargin = 40;
    private const double BottomMargin = 44;
    private const double BoxHeight = 11;
    private const double RowHeight = 17;
    private const double BandPadding = 10;

    public static string? Render(ReportContext context)
    {
        if (context.Categories.Count == 0)
        {
            return null;
        }
        var series = new List<(string Name, string Colour)> { ("Population", Palette.Human) };
        series.AddRange(context.Models.Select((m, i) => (m.Id, Palette.Series(i))));

        // stats[category][series]
        var stats = context.Categories.Select(category => Series(context, category).Select(BoxStatistics.Of).ToList()).ToList();
        var extremes = stats.SelectMany(s => s).OfType<BoxStatistics>().SelectMany(b => b.Outliers.Append(b.WhiskerLow).Append(b.WhiskerHigh));
        var (low, high) = LinearScale.NiceDomain(extremes, 0.25, -1, 1, 0, 0);
        if (high - low < 0.5)
        {
            (low, high) = (Math.Max(-1, low - 0.25), Math.Min(1, high + 0.25));
        }
        var x = new LinearScale(low, high, LabelWidth, LabelWidth + PlotWidth);
        var bandHeight = series.Count * RowHeight + BandPadding;
        var height = TopMargin + context.Categories.Count * bandHeight + BottomMargin;
        var width = LabelWidth + PlotWidth + RightMargin;

        var svg = new SvgBuilder(Id, width, height,
            "Mean answer scores by category: population and models",
            $"Horizontal box plots, one group per category ({context.Categories.Count}). Each box summarises, over countries, the mean of the item mean scores (scale -1 to 1) for the population and for each of {context.Models.Count} model(s). Boxes show the quartiles and the median, whiskers reach the furthest country within 1.5 times the interquartile range, circles mark countries beyond.");

        // Legend along the top.
        var legendX = LabelWidth;
        foreach (var (name, colour) in series)
        {
            svg.Rect(legendX, 12, 14, 10, colour, cssClass: "legend-swatch");
            svg.Text(legendX + 18, 21, name, cssClass: "legend");
            legendX += 30 + name.Length * 6.6;
        }

        for (var c = 0; c < context.Categories.Count; c++)
        {
            var top = TopMargin + c * bandHeight;
            if (c % 2 == 0)
            {
                svg.Rect(0, top, width, bandHeight, "#f4f6f8");
            }
            var category = context.Categories[c];
            var countries = stats[c].OfType<BoxStatistics>().Select(b => b.Count).DefaultIfEmpty(0).Max();
            svg.Text(LabelWidth - 10, top + bandHeight / 2, context.CategoryTitle(category), "end", "axis-label", baseline: "middle");
            svg.Text(LabelWidth - 10, top + bandHeight / 2 + 13, $"{countries} countries", "end", "note", baseline: "middle");
            for (var s = 0; s < series.Count; s++)
            {
                var box = stats[c][s];
                var y = top + BandPadding / 2 + s * RowHeight + RowHeight / 2;
                if (box is null)
                {
                    svg.Text(x[low] + 4, y, "no data", cssClass: "note", baseline: "middle");
                    continue;
                }
                DrawBox(svg, x, y, box, series[s].Colour, $"{series[s].Name}, {context.CategoryTitle(category)}");
            }
        }

        // Axis with a zero line.
        var axisY = TopMargin + context.Categories.Count * bandHeight;
        svg.Line(x[low], axisY, x[high], axisY, "#333");
        foreach (var tick in x.Ticks(0.25))
        {
            svg.Line(x[tick], TopMargin, x[tick], axisY, tick == 0 ? "#888" : "#e0e0e0", tick == 0 ? 1 : 0.6, tick == 0 ? "4 3" : null);
            svg.Line(x[tick], axisY, x[tick], axisY + 5, "#333");
            svg.Text(x[tick], axisY + 18, tick.ToString("0.##", CultureInfo.InvariantCulture), "middle", "tick");
        }
        svg.Text(x[(low + high) / 2], axisY + 36, "Mean of item mean scores per country (−1 … 1)", "middle", "axis-label");
        return svg.ToString();
    }

    /// <summary>Per series (population, then each model), the per-country mean of item mean scores in one category.</summary>
    private static List<List<double>> Series(ReportContext context, string category)
    {
        var items = context.Results.Items.Where(i => i.Category == category).ToList();
        var result = new List<List<double>>
        {
            // The population's answers do not depend on the model: one value per country and question.
            items.GroupBy(i => i.Country, StringComparer.Ordinal)
                .Select(g => MeanOrNaN(g.GroupBy(i => i.Question, StringComparer.Ordinal).Select(q => q.First().HumanMean)))
                .Where(double.IsFinite)
                .ToList(),
        };
        foreach (var model in context.Models)
        {
            result.Add(items.Where(i => i.Model == model.Id)
                .GroupBy(i => i.Country, StringComparer.Ordinal)
                .Select(g => MeanOrNaN(g.Select(i => i.ModelMean)))
                .Where(double.IsFinite)
                .ToList());
        }
        return result;
    }

    private static double MeanOrNaN(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        return finite.Count == 0 ? double.NaN : finite.Average();
    }

    private static void DrawBox(SvgBuilder svg, LinearScale x, double y, BoxStatistics box, string colour, string name)
    {
        var tooltip = string.Create(CultureInfo.InvariantCulture,
            $"{name}: median {box.Median:0.000}, quartiles {box.Q1:0.000} to {box.Q3:0.000}, whiskers {box.WhiskerLow:0.000} to {box.WhiskerHigh:0.000}, {box.Count} countries, {box.Outliers.Count} outlier(s)");
        svg.Open("g", "class=\"box\"");
        svg.Raw($"<title>{Markup.Escape(tooltip)}</title>");
        svg.Line(x[box.WhiskerLow], y, x[box.Q1], y, colour, 1.2);
        svg.Line(x[box.Q3], y, x[box.WhiskerHigh], y, colour, 1.2);
        svg.Line(x[box.WhiskerLow], y - BoxHeight / 3, x[box.WhiskerLow], y + BoxHeight / 3, colour, 1.2);
        svg.Line(x[box.WhiskerHigh], y - BoxHeight / 3, x[box.WhiskerHigh], y + BoxHeight / 3, colour, 1.2);
        svg.Rect(x[box.Q1], y - BoxHeight / 2, Math.Max(1, x[box.Q3] - x[box.Q1]), BoxHeight, colour, colour, extra: " fill-opacity=\"0.35\"");
        svg.Line(x[box.Median], y - BoxHeight / 2, x[box.Median], y + BoxHeight / 2, colour, 2.5);
        foreach (var outlier in box.Outliers)
        {
            svg.Circle(x[outlier], y, 2.6, "none", colour);
        }
        svg.Close("g");
    }
}
