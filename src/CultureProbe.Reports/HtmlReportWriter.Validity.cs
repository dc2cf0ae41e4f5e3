using System.Globalization;
using System.Text;
using CultureProbe.Analysis;
using CultureProbe.Probing;
using CultureProbe.Reports.Svg;
using static CultureProbe.Reports.Svg.Markup;

namespace CultureProbe.Reports;

/// <summary>The report's validity sections: the human noise ceiling per country, and whether differences are larger than noise.</summary>
public sealed partial class HtmlReportWriter
{
    /// <summary>Bootstrap resamples of the report's significance tests: intervals stable to about ±0.005 at a fraction of the default's time.</summary>
    private const int ReportResamples = 1999;

    /// <summary>Each country's r beside the ceiling the population's sampling noise allows, and the agreement of two 10-respondent samples.</summary>
    private static void AppendCeilingFigure(StringBuilder html, ReportContext context, string id)
    {
        OpenFigure(html, id, "Correlation per country against the human noise ceiling");
        var countries = context.Models.SelectMany(m => context.Rows(m.Id, GroupKind.Country)).Select(r => r.Group).Distinct(StringComparer.Ordinal)
            .OrderByDescending(c => context.Models.Select(m => context.Row(m.Id, GroupKind.Country, c)?.NoiseCeiling ?? double.NaN).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max())
            .ThenBy(c => c, StringComparer.Ordinal).ToArray();
        if (countries.Length == 0)
        {
            Note(html, "No per-country rows.");
            CloseFigure(html, context, "");
            return;
        }
        const double width = 760, left = 170, rowHeight = 16, top = 10;
        var height = top + (countries.Length * rowHeight) + 62;
        var x = new LinearScale(-1, 1, left, width - 20);
        var svg = new SvgBuilder("ceiling", width, height, "Correlation per country against the human noise ceiling",
            "For each country: each model's Pearson r (dots), the noise ceiling (bar end) and the mean r of two independent 10-respondent samples (open diamond).");
        foreach (var tick in x.Ticks(0.5))
        {
            svg.Line(x[tick], top, x[tick], height - 50, tick == 0 ? "#555" : "#e5e5e5").Text(x[tick], height - 36, Stat(tick, 1), "middle");
        }
        svg.Text((left + width) / 2, height - 20, "Pearson r of model and population mean scores across questions", "middle");
        for (var i = 0; i < countries.Length; i++)
        {
            var country = countries[i];
            var y = top + (i * rowHeight) + (rowHeight / 2);
            svg.Text(left - 6, y + 4, context.CountryName(country), "end");
            var reference = context.Models.Select(m => context.Row(m.Id, GroupKind.Country, country)).FirstOrDefault(r => r is not null);
            if (reference is { } r0 && double.IsFinite(r0.NoiseCeiling))
            {
                svg.Rect(x[0], y - 4, Math.Max(0, x[r0.NoiseCeiling] - x[0]), 8, "#e8e8e8", tooltip: $"{context.CountryName(country)}: noise ceiling {Stat(r0.NoiseCeiling, 3)}");
                svg.Line(x[r0.NoiseCeiling], y - 6, x[r0.NoiseCeiling], y + 6, Palette.Human, 2);
            }
            if (reference is { } r1 && double.IsFinite(r1.SmallSampleAgreement))
            {
                svg.Marker(3, x[r1.SmallSampleAgreement], y, 8, "none", Palette.Human, tooltip: $"{context.CountryName(country)}: two samples of 10 respondents agree with r = {Stat(r1.SmallSampleAgreement, 3)} on average");
            }
            for (var m = 0; m < context.Models.Count; m++)
            {
                var row = context.Row(context.Models[m].Id, GroupKind.Country, country);
                if (row is not null && double.IsFinite(row.Pearson))
                {
                    svg.Circle(x[row.Pearson], y, 3.5, Palette.Series(m), tooltip: $"{context.Models[m].Id}, {context.CountryName(country)}: r = {Stat(row.Pearson, 3)}");
                }
            }
        }
        for (var m = 0; m < context.Models.Count; m++)
        {
            svg.Circle(left + (m * 160) + 5, height - 6, 4, Palette.Series(m)).Text(left + (m * 160) + 14, height - 2, context.Models[m].Id);
        }
        html.Append("<div class=\"chart-wrap\">").Append(svg.ToString()).Append("</div>\n");
        CloseFigure(html, context, "Grey bar: the human noise ceiling, the r a model could expect if its scores were the population's true means, given each question's sampling error (from the Kish effective sample size; Spearman's attenuation). Open diamond: the mean r between two independent samples of 10 of the country's respondents (after Rystrøm, Kirk & Hale 2025). Dots: each model's r. A ceiling is missing where the survey gives no effective sample size or the questions' means do not vary beyond their noise.");
    }

    /// <summary>Differences between the run's models, and each model's Western gap, with intervals, permutation p-values (Holm-corrected) and effect sizes.</summary>
    private static void AppendDifferences(StringBuilder html, ReportContext context, string id)
    {
        html.Append("<section id=\"").Append(id).Append("\" aria-labelledby=\"").Append(id).Append("-title\">\n<h2 id=\"").Append(id).Append("-title\">Are the differences larger than noise?</h2>\n");
        var options = new ComparisonOptions(BootstrapResamples: ReportResamples, Seed: context.Results.Provenance.Seed);
        var differences = ModelDifferences.Compute(ModelScores.Of(context.Results), context.Countries, options);
        html.Append("<p class=\"note\">").Append(Escape(
            $"Differences in mean per-country Pearson r. Intervals: {options.Level:P0} percentile bootstrap ({options.BootstrapResamples} resamples) over countries, and over questions (every country's r recomputed on the same resampled questions). " +
            "p: two-sided permutation test (sign flips of the paired per-country differences; group labels exchanged for the Western gap), exact when the arrangements are few, else 9999 random ones; " +
            "Holm-corrected within each table. Effect sizes: Cohen's d_z for pairs, Hedges' g for the Western gap.")).Append("</p>\n");
        if (differences.Pairs.Count > 0)
        {
            html.Append("<div class=\"table-wrap\"><table class=\"data numbers\"><caption>Model pairs (first − second).</caption><thead><tr>")
                .Append("<th scope=\"col\">First</th><th scope=\"col\">Second</th><th scope=\"col\">Countries</th><th scope=\"col\">Difference</th><th scope=\"col\">CI over countries</th><th scope=\"col\">CI over questions</th>")
                .Append("<th scope=\"col\">p</th><th scope=\"col\">p (Holm)</th><th scope=\"col\">d_z</th></tr></thead><tbody>");
            foreach (var p in differences.Pairs)
            {
                var c = p.OverCountries;
                html.Append("<tr><th scope=\"row\">").Append(Escape(p.First + (p.IsBaseChatPair ? " (base/chat)" : ""))).Append("</th><td>").Append(Escape(p.Second)).Append("</td><td>").Append(c.N.ToString(CultureInfo.InvariantCulture))
                    .Append("</td><td>").Append(Stat(c.MeanDifference, 3)).Append("</td><td>").Append(Interval(c.Interval)).Append("</td><td>").Append(p.OverQuestions is { } q ? Interval(q.Interval) : "—")
                    .Append("</td><td>").Append(PValue(c.Test.PValue)).Append("</td><td>").Append(PValue(p.HolmP)).Append("</td><td>").Append(Stat(c.CohensDz)).Append("</td></tr>");
            }
            html.Append("</tbody></table></div>\n");
        }
        else
        {
            Note(html, "One model: no pair to compare. The compare command tests the models of several runs against each other.");
        }
        if (differences.WesternGaps.Count > 0)
        {
            html.Append("<div class=\"table-wrap\"><table class=\"data numbers\"><caption>Western minus non-Western mean r, per model.</caption><thead><tr>")
                .Append("<th scope=\"col\">Model</th><th scope=\"col\">Western (n)</th><th scope=\"col\">Non-Western (n)</th><th scope=\"col\">Gap</th><th scope=\"col\">CI</th><th scope=\"col\">p</th><th scope=\"col\">p (Holm)</th><th scope=\"col\">Hedges' g</th></tr></thead><tbody>");
            foreach (var g in differences.WesternGaps)
            {
                var c = g.Comparison;
                html.Append("<tr><th scope=\"row\">").Append(Escape(g.Model)).Append("</th><td>").Append(Stat(c.MeanFirst, 3)).Append(" (").Append(c.FirstCountries.Count.ToString(CultureInfo.InvariantCulture)).Append(")</td><td>")
                    .Append(Stat(c.MeanSecond, 3)).Append(" (").Append(c.SecondCountries.Count.ToString(CultureInfo.InvariantCulture)).Append(")</td><td>").Append(Stat(c.Difference, 3)).Append("</td><td>").Append(Interval(c.Interval))
                    .Append("</td><td>").Append(PValue(c.Test.PValue)).Append("</td><td>").Append(PValue(g.HolmP)).Append("</td><td>").Append(Stat(c.HedgesG)).Append("</td></tr>");
            }
            html.Append("</tbody></table></div>\n");
        }
        foreach (var note in differences.Notes)
        {
            Note(html, note);
        }
        html.Append("</section>\n");
    }

    private static string Interval(BootstrapInterval interval) =>
        double.IsFinite(interval.Lower) ? $"[{Stat(interval.Lower, 3)}, {Stat(interval.Upper, 3)}]" : "—";

    private static string PValue(double p) => !double.IsFinite(p) ? "—" : p < 0.001 ? "&lt; 0.001" : p.ToString("0.000", CultureInfo.InvariantCulture);
}
