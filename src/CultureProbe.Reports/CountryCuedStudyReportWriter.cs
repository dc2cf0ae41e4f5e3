using System.Globalization;
using System.Text;
using CultureProbe.IO;
using CultureProbe.Probing;
using CultureProbe.Reports.Svg;
using static CultureProbe.Reports.Svg.Markup;

namespace CultureProbe.Reports;

/// <summary>
/// Renders the multilingual study (Rystrøm, Kirk &amp; Hale 2025) as one self-contained HTML file:
/// alignment by language and family, consistency against alignment, US-centric bias, and the
/// mixed-effects regression tables. Same rules as the main report: inline SVG, no scripts, no
/// external references, well-formed XML.
/// </summary>
public static class CountryCuedStudyReportWriter
{
    private const double Width = 760;

    /// <summary>Writes the report to <paramref name="path"/> atomically.</summary>
    public static void Write(CountryCuedResults study, bool synthetic, string path) => AtomicFile.WriteAllText(path, Render(study, synthetic));

    /// <summary>Renders the report.</summary>
    public static string Render(CountryCuedResults study, bool synthetic)
    {
        ArgumentNullException.ThrowIfNull(study);
        var html = new StringBuilder(1 << 16);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n<title>")
            .Append(synthetic ? "[SYNTHETIC] " : "").Append("CultureProbe multilingual study</title>\n<style>")
            .Append("body{font-family:system-ui,sans-serif;max-width:1100px;margin:1.5rem auto;padding:0 1rem;color:#222}")
            .Append(".banner{background:#b2182b;color:#fff;padding:.6rem 1rem;font-weight:bold}")
            .Append("table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}th{background:#f3f3f3}")
            .Append("td.l,th.l{text-align:left}figure{margin:1rem 0}figcaption{font-size:.9rem;color:#444}svg text{font-size:12px}")
            .Append("</style>\n</head>\n<body>\n");
        if (synthetic)
        {
            html.Append("<p class=\"banner\">SYNTHETIC: the survey data and/or the models are generated; these figures illustrate the method and show no finding.</p>\n");
        }
        html.Append("<h1>Multilingual study</h1>\n<p>Each language is asked about the country whose language it is, with every paraphrased template; " + Escape(study.ReferenceCountry) + " is the contrast. ")
            .Append("Alignment is Pearson r of the model's and the population's mean scores across questions. Program ").Append(Escape(study.Provenance.ProgramVersion))
            .Append(", survey ").Append(Escape(study.Provenance.SurveySource)).Append(" (sha256 ").Append(Escape(HashPrefix(study.Provenance.SurveySha256))).Append(").</p>\n");
        AppendAlignmentByLanguage(html, study);
        AppendConsistency(html, study);
        AppendUsBias(html, study);
        AppendRegressions(html, study);
        AppendTables(html, study);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendAlignmentByLanguage(StringBuilder html, CountryCuedResults study)
    {
        var groups = study.Alignment.GroupBy(a => (a.Family, a.Language)).Select(g => (g.Key.Family, g.Key.Language, Mean: MeanOf(g.Select(a => a.LocalPearson)))).ToArray();
        var languages = groups.Select(g => g.Language).Distinct().Order(StringComparer.Ordinal).ToArray();
        var families = groups.Select(g => g.Family).Distinct().Order(StringComparer.Ordinal).ToArray();
        const double height = 280, left = 50, bottom = 40, top = 20;
        var y = new LinearScale(-1, 1, height - bottom, top);
        var svg = new SvgBuilder("study-alignment", Width, height, "Alignment by language and model family", "Mean Pearson r with the local population over templates, per language and model family.");
        AppendYAxis(svg, y, left);
        var slot = (Width - left - 20) / Math.Max(1, languages.Length);
        var bar = slot * 0.8 / Math.Max(1, families.Length);
        for (var l = 0; l < languages.Length; l++)
        {
            var x0 = left + (l * slot) + (slot * 0.1);
            svg.Text(x0 + (slot * 0.4), height - bottom + 16, languages[l], "middle");
            for (var f = 0; f < families.Length; f++)
            {
                var value = groups.FirstOrDefault(g => g.Language == languages[l] && g.Family == families[f]).Mean;
                if (!double.IsFinite(value))
                {
                    continue;
                }
                var top0 = Math.Min(y[value], y[0]);
                svg.Rect(x0 + (f * bar), top0, bar * 0.9, Math.Abs(y[value] - y[0]), Palette.Series(f), tooltip: $"{families[f]}, {languages[l]}: r = {Stat(value)}");
            }
        }
        for (var f = 0; f < families.Length; f++)
        {
            svg.Rect(left + (f * 140), height - 14, 10, 10, Palette.Series(f)).Text(left + (f * 140) + 14, height - 5, families[f]);
        }
        Figure(html, "fig-study-alignment", svg, "Alignment by prompt language and model family (mean over templates of Pearson r with the local population).");
    }

    private static void AppendConsistency(StringBuilder html, CountryCuedResults study)
    {
        const double height = 320, left = 50, bottom = 40, top = 20;
        var points = study.Consistency.Select(c => (c, Alignment: MeanOf(study.Alignment.Where(a => a.Model == c.Model && a.Language == c.Language).Select(a => a.LocalPearson)))).ToArray();
        var x = new LinearScale(-1, 1, left, Width - 20);
        var y = new LinearScale(-1, 1, height - bottom, top);
        var svg = new SvgBuilder("study-consistency", Width, height, "Self-consistency against alignment", "Each point is a model and language: mean pairwise r across templates (x) and mean alignment (y).");
        AppendYAxis(svg, y, left);
        foreach (var tick in x.Ticks(0.5))
        {
            svg.Line(x[tick], height - bottom, x[tick], height - bottom + 4, "#555").Text(x[tick], height - bottom + 16, Stat(tick, 1), "middle");
        }
        svg.Text((left + Width) / 2, height - 4, "self-consistency (mean pairwise r across templates)", "middle");
        var models = study.Consistency.Select(c => c.Model).Distinct().Order(StringComparer.Ordinal).ToList();
        var languages = study.Consistency.Select(c => c.Language).Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (var (c, alignment) in points)
        {
            if (double.IsFinite(c.MeanPairwise) && double.IsFinite(alignment))
            {
                svg.Marker(languages.IndexOf(c.Language) % 5, x[c.MeanPairwise], y[alignment], 7, Palette.Series(models.IndexOf(c.Model)), tooltip: $"{c.Model}, {c.Language}: consistency {Stat(c.MeanPairwise)}, alignment {Stat(alignment)}");
            }
        }
        Figure(html, "fig-study-consistency", svg, "Self-consistency against alignment; colour is the model, shape the language. The human ceiling for each language is in the consistency table.");
    }

    private static void AppendUsBias(StringBuilder html, CountryCuedResults study)
    {
        var cells = study.Alignment.Where(a => a.Country != study.ReferenceCountry).GroupBy(a => (a.Model, a.Language))
            .Select(g => (g.Key.Model, g.Key.Language, Bias: MeanOf(g.Select(a => a.UsBias)))).OrderBy(c => c.Model, StringComparer.Ordinal).ThenBy(c => c.Language, StringComparer.Ordinal).ToArray();
        // Room for "model · language" labels left of the axis.
        var left = Math.Min(400, 20 + (7 * cells.Select(c => c.Model.Length + c.Language.Length + 3).DefaultIfEmpty(10).Max()));
        const double rowHeight = 22;
        var height = Math.Max(80, (cells.Length * rowHeight) + 50);
        var x = new LinearScale(-1, 1, left, Width - 20);
        var svg = new SvgBuilder("study-us-bias", Width, height, "US-centric bias", "Alignment with the US population minus alignment with the local population, when prompted in the local language.");
        svg.Line(x[0], 10, x[0], height - 30, "#555");
        foreach (var tick in x.Ticks(0.5))
        {
            svg.Text(x[tick], height - 12, Stat(tick, 1), "middle");
        }
        for (var i = 0; i < cells.Length; i++)
        {
            var (model, language, bias) = cells[i];
            var rowY = 14 + (i * rowHeight);
            svg.Text(left - 6, rowY + 12, $"{model} · {language}", "end");
            if (double.IsFinite(bias))
            {
                svg.Rect(Math.Min(x[0], x[bias]), rowY, Math.Abs(x[bias] - x[0]), rowHeight - 6, bias > 0 ? "#b2182b" : "#2166ac", tooltip: $"{model}, {language}: {Stat(bias)}");
            }
        }
        Figure(html, "fig-study-us-bias", svg, "US-centric bias per model and local language (mean over templates): bars to the right mean the model echoes US opinion more than local opinion.");
    }

    private static void AppendRegressions(StringBuilder html, CountryCuedResults study)
    {
        html.Append("<section id=\"study-regressions\"><h2>Mixed-effects regressions (random intercept per model)</h2>\n");
        foreach (var regression in study.Regressions)
        {
            html.Append("<h3>").Append(Escape(regression.Name)).Append("</h3>\n<p><code>").Append(Escape(regression.Formula)).Append("</code></p>\n");
            if (regression.Ols is { } ols)
            {
                html.Append("<p>").Append(Escape(regression.Problem ?? "")).Append(".</p>\n");
                AppendFixedEffects(html, ols.FixedEffects, "t");
                html.Append("<p>").Append(Escape(string.Create(CultureInfo.InvariantCulture,
                    $"OLS; {ols.Observations} observations; R² {Stat(ols.RSquared, 3)}; residual variance {Stat(ols.ResidualVariance, 4)}."))).Append("</p>\n");
                continue;
            }
            if (regression.Fit is not { } fit)
            {
                html.Append("<p>Not fitted: ").Append(Escape(regression.Problem ?? "")).Append("</p>\n");
                continue;
            }
            AppendFixedEffects(html, fit.FixedEffects, "z");
            html.Append("<p>").Append(Escape(string.Create(CultureInfo.InvariantCulture,
                $"{fit.Method}; {fit.Observations} observations; random-intercept variance {string.Join(", ", fit.RandomEffects.Where(r => r.Term2 is null).Select(r => $"{r.Group} {Stat(r.Variance ?? double.NaN, 4)}"))}; residual variance {Stat(fit.ResidualVariance, 4)}; log-likelihood {Stat(fit.LogLikelihood, 2)}; {(fit.Converged ? "converged" : "NOT converged")}.")))
                .Append("</p>\n");
        }
        html.Append("</section>\n");
    }

    private static void AppendFixedEffects(StringBuilder html, IReadOnlyList<Analysis.MixedModels.FixedEffect> effects, string statistic)
    {
        html.Append("<table><thead><tr><th class=\"l\">term</th><th>estimate</th><th>SE</th><th>").Append(statistic).Append("</th><th>p</th><th>95% CI</th></tr></thead><tbody>");
        foreach (var f in effects)
        {
            html.Append("<tr><td class=\"l\">").Append(Escape(f.Term)).Append("</td><td>").Append(Stat(f.Estimate, 3)).Append("</td><td>").Append(Stat(f.StandardError, 3))
                .Append("</td><td>").Append(Stat(f.Statistic, 2)).Append("</td><td>").Append(Stat(f.PValue, 3)).Append("</td><td>")
                .Append(Stat(f.ConfidenceLow, 3)).Append(" – ").Append(Stat(f.ConfidenceHigh, 3)).Append("</td></tr>");
        }
        html.Append("</tbody></table>\n");
    }

    private static void AppendTables(StringBuilder html, CountryCuedResults study)
    {
        html.Append("<section id=\"study-tables\"><h2>Self-consistency</h2>\n<table><thead><tr><th class=\"l\">model</th><th class=\"l\">language</th><th>templates</th><th>mean pairwise r</th><th>split-half r</th><th>human ceiling</th></tr></thead><tbody>");
        foreach (var c in study.Consistency)
        {
            html.Append("<tr><td class=\"l\">").Append(Escape(c.Model)).Append("</td><td class=\"l\">").Append(Escape(c.Language)).Append("</td><td>").Append(c.Templates.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td>").Append(Stat(c.MeanPairwise)).Append("</td><td>").Append(Stat(c.SplitHalf)).Append("</td><td>").Append(Stat(c.HumanCeiling)).Append("</td></tr>");
        }
        html.Append("</tbody></table>\n<h2>Alignment per template</h2>\n<table><thead><tr><th class=\"l\">model</th><th class=\"l\">language</th><th class=\"l\">template</th><th>n</th><th>r local</th><th>r reference</th><th>US bias</th><th>1 − JSD local</th></tr></thead><tbody>");
        foreach (var a in study.Alignment)
        {
            html.Append("<tr><td class=\"l\">").Append(Escape(a.Model)).Append("</td><td class=\"l\">").Append(Escape(a.Language)).Append("</td><td class=\"l\">").Append(Escape(a.TemplateId))
                .Append("</td><td>").Append(a.NQuestions.ToString(CultureInfo.InvariantCulture)).Append("</td><td>").Append(Stat(a.LocalPearson)).Append("</td><td>").Append(Stat(a.UsPearson))
                .Append("</td><td>").Append(Stat(a.UsBias)).Append("</td><td>").Append(Stat(a.LocalJsAlignment)).Append("</td></tr>");
        }
        html.Append("</tbody></table></section>\n");
    }

    private static void AppendYAxis(SvgBuilder svg, LinearScale y, double left)
    {
        foreach (var tick in y.Ticks(0.5))
        {
            svg.Line(left, y[tick], Width - 20, y[tick], tick == 0 ? "#555" : "#e5e5e5").Text(left - 6, y[tick] + 4, Stat(tick, 1), "end");
        }
    }

    private static void Figure(StringBuilder html, string id, SvgBuilder svg, string caption) =>
        html.Append("<figure id=\"").Append(id).Append("\">").Append(svg.ToString()).Append("<figcaption>").Append(Escape(caption)).Append("</figcaption></figure>\n");

    private static double MeanOf(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        return finite.Length == 0 ? double.NaN : finite.Average();
    }
}
