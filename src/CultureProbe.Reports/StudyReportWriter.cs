using System.Globalization;
using System.Text;
using CultureProbe.IO;
using CultureProbe.Reports.Svg;
using CultureProbe.Study;
using static CultureProbe.Reports.Svg.Markup;

namespace CultureProbe.Reports;

/// <summary>
/// Renders the multilingual study as Rystrøm, Kirk &amp; Hale designed it (free-text answers, a judge,
/// no country named) as one self-contained HTML file with the paper's figures: alignment by model and
/// language against the baselines, self-consistency against alignment with the human band, US-centric
/// bias with intervals, the RQ1 regressions, and alignment adjusted for consistency against
/// multilingual capability. Same rules as the main report: inline SVG, no scripts, no external
/// references, well-formed XML.
/// </summary>
public static class StudyReportWriter
{
    private const double Width = 820;

    /// <summary>Writes the report to <paramref name="path"/> atomically.</summary>
    public static void Write(StudyReport report, StudyProvenance provenance, string path) => AtomicFile.WriteAllText(path, Render(report, provenance));

    /// <summary>Renders the report.</summary>
    public static string Render(StudyReport report, StudyProvenance provenance)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(provenance);
        var html = new StringBuilder(1 << 16);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n<title>")
            .Append(provenance.Synthetic ? "[SYNTHETIC] " : "").Append("CultureProbe multilingual study</title>\n<style>")
            .Append("body{font-family:system-ui,sans-serif;max-width:1100px;margin:1.5rem auto;padding:0 1rem;color:#222}")
            .Append(".banner{background:#b2182b;color:#fff;padding:.6rem 1rem;font-weight:bold}")
            .Append("table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}th{background:#f3f3f3}")
            .Append("td.l,th.l{text-align:left}figure{margin:1rem 0}figcaption{font-size:.9rem;color:#444}svg text{font-size:12px}ul.warn li{color:#8a4b00}")
            .Append("</style>\n</head>\n<body>\n");
        if (provenance.Synthetic)
        {
            html.Append("<p class=\"banner\">SYNTHETIC: the survey data and/or the models are generated; these figures illustrate the method and show no finding.</p>\n");
        }
        html.Append("<h1>Multilingual study</h1>\n<p>The design of Rystrøm, Kirk &amp; Hale (2025): models write free-text answers to prompts that name no country, ")
            .Append("so the language is the only cue; a judge labels each opinion pro or con; a response's pro score is pro / (pro + con). ")
            .Append("Alignment is Spearman ρ between responses' pro scores and their topics' population pro shares; intervals are the 2.5–97.5 % percentiles of ")
            .Append(report.Options.Rounds.ToString(CultureInfo.InvariantCulture)).Append(" bootstrap rounds (seed ").Append(report.Options.Seed.ToString(CultureInfo.InvariantCulture)).Append(").</p>\n");
        AppendContents(html);
        AppendAlignment(html, report);
        AppendConsistency(html, report);
        AppendUsBias(html, report);
        AppendRegressions(html, report);
        AppendCapability(html, report);
        AppendTables(html, report);
        AppendProvenance(html, report, provenance);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static readonly (string Id, string Title)[] Sections =
    [
        ("fig-alignment", "Alignment by model and language"),
        ("fig-consistency", "Self-consistency against alignment"),
        ("fig-us-bias", "US-centric bias"),
        ("regressions", "Capability regressions (RQ1)"),
        ("fig-capability", "Alignment adjusted for consistency against capability"),
        ("tables", "Tables"),
        ("provenance", "Provenance"),
    ];

    private static void AppendContents(StringBuilder html)
    {
        html.Append("<nav><ol>");
        foreach (var (id, title) in Sections)
        {
            html.Append("<li><a href=\"#").Append(id).Append("\">").Append(Escape(title)).Append("</a></li>");
        }
        html.Append("</ol></nav>\n");
    }

    /// <summary>Alignment of each model with its response language's own population: the paper's main figure.</summary>
    private static IReadOnlyList<StudyAlignmentRow> OwnLanguage(StudyReport report) =>
        report.Alignment.Where(a => a.PopulationKind == PopulationKind.Language && string.Equals(a.Population, a.ResponseLanguage, StringComparison.OrdinalIgnoreCase)).ToArray();

    private static void AppendAlignment(StringBuilder html, StudyReport report)
    {
        var rows = OwnLanguage(report);
        if (rows.Count == 0)
        {
            html.Append("<section id=\"fig-alignment\"><h2>Alignment by model and language</h2><p>No language populations were given, so there is no alignment with a language's own population.</p></section>\n");
            return;
        }
        var models = rows.Select(r => r.Model).Distinct().Order(StringComparer.Ordinal).OrderBy(m => IsBaseline(m) ? 1 : 0).ToArray();
        var languages = rows.Select(r => r.ResponseLanguage).Distinct().Order(StringComparer.Ordinal).ToArray();
        var (low, high) = LinearScale.NiceDomain(rows.SelectMany(r => new[] { r.Spearman, r.CiLow, r.CiHigh }), 0.1, -1, 1, 0, 0.1);
        var left = LabelWidth(models);
        const double rowHeight = 26, top = 16;
        var height = top + (models.Length * rowHeight) + 76;
        var x = new LinearScale(low, high, left, Width - 20);
        var svg = new SvgBuilder("study-alignment", Width, height, "Alignment by model and language", "Spearman ρ of each model's responses in each language with that language's population, with bootstrap intervals; baselines below the line.");
        XAxis(svg, x, top, height - 64, Step(high - low), "Spearman ρ with the language's population");
        for (var m = 0; m < models.Length; m++)
        {
            var rowY = top + (m * rowHeight) + (rowHeight / 2);
            svg.Text(left - 6, rowY + 4, models[m], "end");
            if (m > 0 && IsBaseline(models[m]) && !IsBaseline(models[m - 1]))
            {
                svg.Line(left - 4, rowY - (rowHeight / 2), Width - 20, rowY - (rowHeight / 2), "#999", dash: "4 3");
            }
            for (var l = 0; l < languages.Length; l++)
            {
                var row = rows.FirstOrDefault(r => r.Model == models[m] && r.ResponseLanguage == languages[l]);
                if (row is null || !double.IsFinite(row.Spearman))
                {
                    continue;
                }
                var y = rowY + ((l - ((languages.Length - 1) / 2.0)) * 4);
                if (double.IsFinite(row.CiLow) && double.IsFinite(row.CiHigh))
                {
                    svg.Line(x[row.CiLow], y, x[row.CiHigh], y, Palette.Series(l), 1.5);
                }
                svg.Marker(l % 4, x[row.Spearman], y, 7, Palette.Series(l), tooltip: $"{row.Model}, {row.ResponseLanguage}: ρ = {Stat(row.Spearman, 3)} [{Stat(row.CiLow, 3)}, {Stat(row.CiHigh, 3)}], n = {row.N}");
            }
        }
        Legend(svg, languages.Select(StudyLanguages.NameOf).ToArray(), left, height - 8, shapes: true);
        Figure(html, "fig-alignment", "Alignment by model and language", svg,
            "Alignment of each model with the population interviewed in its response language (Spearman ρ over responses, bootstrap 95 % interval). The uniform-random and 50 % baselines show what chance gives on the same prompts.");
    }

    private static void AppendConsistency(StringBuilder html, StudyReport report)
    {
        var alignment = OwnLanguage(report).ToDictionary(a => (a.Model, a.ResponseLanguage));
        var points = report.Consistency.Where(c => !IsBaseline(c.Model) && alignment.ContainsKey((c.Model, c.Language)))
            .Select(c => (c.Model, c.Language, Consistency: c.Point, Alignment: alignment[(c.Model, c.Language)].Spearman))
            .Where(p => double.IsFinite(p.Consistency) && double.IsFinite(p.Alignment)).ToArray();
        var human = (report.HumanReferencesComputed.Count > 0 ? report.HumanReferencesComputed : report.HumanReferences).Select(h => h.SelfConsistency).Where(double.IsFinite).ToArray();
        if (points.Length == 0)
        {
            html.Append("<section id=\"fig-consistency\"><h2>Self-consistency against alignment</h2><p>No model has both a consistency and an alignment with its language's population.</p></section>\n");
            return;
        }
        var models = points.Select(p => p.Model).Distinct().Order(StringComparer.Ordinal).ToList();
        var languages = points.Select(p => p.Language).Distinct().Order(StringComparer.Ordinal).ToList();
        const double left = 56, top = 16;
        var bottom = 56 + LegendHeight(models.Count) + 22;
        var height = 300 + bottom;
        var (xLow, xHigh) = LinearScale.NiceDomain(points.Select(p => p.Consistency).Concat(human), 0.1, -1, 1.2, 0, 1);
        var (yLow, yHigh) = LinearScale.NiceDomain(points.Select(p => p.Alignment), 0.1, -1, 1, 0, 0.1);
        var x = new LinearScale(xLow, xHigh, left, Width - 20);
        var y = new LinearScale(yLow, yHigh, height - bottom, top);
        var svg = new SvgBuilder("study-consistency", Width, height, "Self-consistency against alignment", "Each point is a model in one language; the grey band spans the human reference of the countries.");
        if (human.Length > 0)
        {
            svg.Rect(x[human.Min()], top, Math.Max(1, x[human.Max()] - x[human.Min()]), height - bottom - top, "#e8e8e8",
                tooltip: $"human self-consistency of 10-respondent samples: {Stat(human.Min())} to {Stat(human.Max())}");
        }
        foreach (var tick in y.Ticks(0.1))
        {
            svg.Line(left, y[tick], Width - 20, y[tick], tick == 0 ? "#555" : "#eeeeee").Text(left - 6, y[tick] + 4, Stat(tick, 1), "end");
        }
        foreach (var tick in x.Ticks(0.1))
        {
            svg.Line(x[tick], height - bottom, x[tick], height - bottom + 4, "#555").Text(x[tick], height - bottom + 16, Stat(tick, 1), "middle");
        }
        svg.Text((left + Width) / 2, height - bottom + 34, "self-consistency (judge-corrected Spearman over pairs of responses to one topic)", "middle");
        svg.Text(left - 44, top + 8, "ρ", "start");
        foreach (var p in points)
        {
            svg.Marker(languages.IndexOf(p.Language) % 4, x[p.Consistency], y[p.Alignment], 8, Palette.Series(models.IndexOf(p.Model)),
                tooltip: $"{p.Model}, {p.Language}: consistency {Stat(p.Consistency, 3)}, alignment {Stat(p.Alignment, 3)}");
        }
        Legend(svg, models, left, height - bottom + 56, shapes: false);
        Legend(svg, languages.Select(StudyLanguages.NameOf).ToArray(), left, height - 6, shapes: true, grey: true);
        Figure(html, "fig-consistency", "Self-consistency against alignment", svg,
            "Self-consistency (x) against alignment with the language's population (y); colour is the model, shape the language. Grey band: the range of human self-consistency of random 10-respondent samples over the countries.");
    }

    private static void AppendUsBias(StringBuilder html, StudyReport report)
    {
        var fit = report.UsBias ?? report.UsBiasPoint;
        if (fit is null || fit.Rows.Count == 0)
        {
            html.Append("<section id=\"fig-us-bias\"><h2>US-centric bias</h2><p>Not computed: it needs country populations with the reference country and the uniform-random baseline's responses.</p></section>\n");
            return;
        }
        var rows = fit.Rows.OrderBy(r => r.Model, StringComparer.Ordinal).ThenBy(r => r.Language, StringComparer.Ordinal).ToArray();
        var labels = rows.Select(r => $"{r.Model} · {r.Language}").ToArray();
        var left = LabelWidth(labels);
        const double rowHeight = 20, top = 12;
        var height = top + (rows.Length * rowHeight) + 44;
        var (low, high) = LinearScale.NiceDomain(rows.SelectMany(r => new[] { r.CiLow, r.CiHigh, r.Estimate }), 0.05, -2, 2, -0.05, 0.05);
        var step = Step(high - low);
        (low, high) = LinearScale.NiceDomain([low, high], step, -2, 2, low, high);
        var x = new LinearScale(low, high, left, Width - 20);
        var svg = new SvgBuilder("study-us-bias", Width, height, "US-centric bias", "Per model and language: how much more the model's alignment favours the reference country over the language's own countries than the uniform-random baseline's does, with 95 % intervals.");
        XAxis(svg, x, top, height - 34, step, $"β: [ρ({fit.ReferenceCountry}) − ρ(native)] − the same for {fit.ReferenceModel}");
        for (var i = 0; i < rows.Length; i++)
        {
            var r = rows[i];
            var rowY = top + (i * rowHeight) + (rowHeight / 2);
            svg.Text(left - 6, rowY + 4, labels[i], "end");
            var colour = r.CiLow > 0 ? "#b2182b" : r.CiHigh < 0 ? "#2166ac" : "#555555";
            if (double.IsFinite(r.CiLow) && double.IsFinite(r.CiHigh))
            {
                svg.Line(x[r.CiLow], rowY, x[r.CiHigh], rowY, colour, 1.5);
            }
            if (double.IsFinite(r.Estimate))
            {
                svg.Circle(x[r.Estimate], rowY, 4, colour, tooltip: $"{labels[i]}: β = {Stat(r.Estimate, 3)} [{Stat(r.CiLow, 3)}, {Stat(r.CiHigh, 3)}], p = {Stat(r.PValue, 3)}");
            }
        }
        Figure(html, "fig-us-bias", "US-centric bias", svg,
            $"US-centric bias from the {(fit.Source == "rounds" ? "bootstrap rounds (the released table's recipe)" : "point alignments")}: OLS metric ~ us * model:language, {fit.Observations} rows. Red: the model leans to {fit.ReferenceCountry} more than chance; blue: to the language's own countries.");
    }

    private static void AppendRegressions(StringBuilder html, StudyReport report)
    {
        html.Append("<section id=\"regressions\"><h2>Capability regressions (RQ1)</h2>\n");
        if (report.Regressions.Count == 0)
        {
            html.Append("<p>Not fitted: they need a capability table and bootstrap rounds.</p></section>\n");
            return;
        }
        html.Append("<p>Linear mixed models with a random intercept per model, REML, over the bootstrap rounds of alignment with the language's population.</p>\n");
        foreach (var regression in report.Regressions)
        {
            html.Append("<h3><code>").Append(Escape(regression.FormulaText)).Append("</code></h3>\n");
            if (regression.Fit is not { } fit)
            {
                html.Append("<p>Not fitted: ").Append(Escape(regression.Problem ?? "")).Append("</p>\n");
                continue;
            }
            html.Append("<table><thead><tr><th class=\"l\">term</th><th>estimate</th><th>SE</th><th>z</th><th>p</th><th>95% CI</th></tr></thead><tbody>");
            foreach (var f in fit.FixedEffects)
            {
                html.Append("<tr><td class=\"l\">").Append(Escape(f.Term)).Append("</td><td>").Append(Stat(f.Estimate, 3)).Append("</td><td>").Append(Stat(f.StandardError, 3))
                    .Append("</td><td>").Append(Stat(f.Statistic, 2)).Append("</td><td>").Append(Stat(f.PValue, 3)).Append("</td><td>")
                    .Append(Stat(f.ConfidenceLow, 3)).Append(" – ").Append(Stat(f.ConfidenceHigh, 3)).Append("</td></tr>");
            }
            html.Append("</tbody></table>\n<p>").Append(Escape(string.Create(CultureInfo.InvariantCulture,
                $"{fit.Observations} observations; model-intercept variance {Stat(regression.GroupVariance, 4)}; residual variance {Stat(regression.ResidualVariance, 4)}; {(fit.Converged ? "converged" : "NOT converged")}.")));
            if (regression.RSquared is { } r2)
            {
                html.Append(Escape(string.Create(CultureInfo.InvariantCulture,
                    $" R² marginal / conditional: {Stat(r2.AuthorsMarginal, 3)} / {Stat(r2.AuthorsConditional, 3)} (the authors' form), {Stat(r2.NakagawaMarginal, 3)} / {Stat(r2.NakagawaConditional, 3)} (Nakagawa–Schielzeth).")));
            }
            html.Append("</p>\n");
        }
        html.Append("</section>\n");
    }

    /// <summary>Alignment minus the consistency term of the interaction model, against capability: the paper's last figure.</summary>
    private static void AppendCapability(StringBuilder html, StudyReport report)
    {
        var fit = report.Regressions.FirstOrDefault(r => r.Formula == CapabilityFormula.Interaction)?.Fit;
        var alignment = OwnLanguage(report).ToDictionary(a => (a.Model, a.ResponseLanguage));
        var consistency = report.Consistency.ToDictionary(c => (c.Model, c.Language));
        var points = new List<(string Model, string Language, double Capability, double Adjusted)>();
        foreach (var c in report.Capability)
        {
            var slope = fit?.FixedEffects.FirstOrDefault(f => f.Term == $"consistency:language{StudyLanguages.NameOf(c.Language)}")?.Estimate;
            if (slope is { } beta && alignment.TryGetValue((c.Model, c.Language), out var a) && consistency.TryGetValue((c.Model, c.Language), out var k)
                && double.IsFinite(a.Spearman) && double.IsFinite(k.Point))
            {
                points.Add((c.Model, c.Language, c.Score, a.Spearman - (beta * k.Point)));
            }
        }
        if (points.Count == 0)
        {
            html.Append("<section id=\"fig-capability\"><h2>Alignment adjusted for consistency against capability</h2><p>Not drawn: it needs capability scores and the interaction model's fit.</p></section>\n");
            return;
        }
        var models = points.Select(p => p.Model).Distinct().Order(StringComparer.Ordinal).ToList();
        const double left = 56, top = 16;
        var bottom = 56 + LegendHeight(models.Count) + 22;
        var height = 300 + bottom;
        var (xLow, xHigh) = LinearScale.NiceDomain(points.Select(p => p.Capability), 0.1, 0, 1, 0.4, 0.6);
        var yStep = Step(points.Max(p => p.Adjusted) - points.Min(p => p.Adjusted));
        var (yLow, yHigh) = LinearScale.NiceDomain(points.Select(p => p.Adjusted), yStep, -10, 10, 0, yStep);
        var x = new LinearScale(xLow, xHigh, left, Width - 20);
        var y = new LinearScale(yLow, yHigh, height - bottom, top);
        var svg = new SvgBuilder("study-capability", Width, height, "Alignment adjusted for consistency against capability", "Each point is a model in one language: alignment minus the interaction model's consistency term (y) against the mean benchmark score (x).");
        foreach (var tick in y.Ticks(yStep))
        {
            svg.Line(left, y[tick], Width - 20, y[tick], tick == 0 ? "#555" : "#eeeeee").Text(left - 6, y[tick] + 4, Stat(tick, yStep < 0.1 ? 2 : 1), "end");
        }
        foreach (var tick in x.Ticks(0.1))
        {
            svg.Line(x[tick], height - bottom, x[tick], height - bottom + 4, "#555").Text(x[tick], height - bottom + 16, Stat(tick, 1), "middle");
        }
        svg.Text((left + Width) / 2, height - bottom + 34, "multilingual capability (mean benchmark score in the language / 100, as the authors scale it)", "middle");
        var languages = points.Select(p => p.Language).Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (var p in points)
        {
            svg.Marker(languages.IndexOf(p.Language) % 4, x[p.Capability], y[p.Adjusted], 8, Palette.Series(models.IndexOf(p.Model)),
                tooltip: $"{p.Model}, {p.Language}: capability {Stat(p.Capability, 3)}, adjusted alignment {Stat(p.Adjusted, 3)}");
        }
        Legend(svg, models, left, height - bottom + 56, shapes: false);
        Legend(svg, languages.Select(StudyLanguages.NameOf).ToArray(), left, height - 6, shapes: true, grey: true);
        Figure(html, "fig-capability", "Alignment adjusted for consistency against capability", svg,
            "Alignment with the language's population minus β(consistency:language) × consistency from the interaction model, against the model's capability in that language; colour is the model, shape the language.");
    }

    private static void AppendTables(StringBuilder html, StudyReport report)
    {
        html.Append("<section id=\"tables\"><h2>Tables</h2>\n<h3>Alignment</h3>\n<table><thead><tr><th class=\"l\">model</th><th class=\"l\">population</th><th class=\"l\">kind</th><th class=\"l\">response language</th><th>ρ</th><th>n</th><th>95% CI</th></tr></thead><tbody>");
        foreach (var a in report.Alignment.OrderBy(a => a.PopulationKind).ThenBy(a => a.Model, StringComparer.Ordinal).ThenBy(a => a.Population, StringComparer.Ordinal).ThenBy(a => a.ResponseLanguage, StringComparer.Ordinal))
        {
            html.Append("<tr><td class=\"l\">").Append(Escape(a.Model)).Append("</td><td class=\"l\">").Append(Escape(a.Population)).Append("</td><td class=\"l\">").Append(a.PopulationKind.WireName())
                .Append("</td><td class=\"l\">").Append(Escape(a.ResponseLanguage)).Append("</td><td>").Append(Stat(a.Spearman, 3)).Append("</td><td>").Append(a.N.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td>").Append(Stat(a.CiLow, 3)).Append(" – ").Append(Stat(a.CiHigh, 3)).Append("</td></tr>");
        }
        html.Append("</tbody></table>\n<h3>Self-consistency</h3>\n<table><thead><tr><th class=\"l\">model</th><th class=\"l\">language</th><th>corrected</th><th>observed</th><th>pairs</th><th>responses</th><th>topics</th><th>bootstrap mean</th><th>95% CI</th></tr></thead><tbody>");
        foreach (var c in report.Consistency)
        {
            html.Append("<tr><td class=\"l\">").Append(Escape(c.Model)).Append("</td><td class=\"l\">").Append(Escape(c.Language)).Append("</td><td>").Append(Stat(c.Point, 3))
                .Append("</td><td>").Append(Stat(c.Observed, 3)).Append("</td><td>").Append(c.Pairs.ToString(CultureInfo.InvariantCulture)).Append("</td><td>").Append(c.Responses.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td>").Append(c.Topics.ToString(CultureInfo.InvariantCulture)).Append("</td><td>").Append(Stat(c.BootstrapMean, 3)).Append("</td><td>").Append(Stat(c.CiLow, 3)).Append(" – ").Append(Stat(c.CiHigh, 3)).Append("</td></tr>");
        }
        html.Append("</tbody></table>\n");
        var human = report.HumanReferencesComputed.Count > 0 ? report.HumanReferencesComputed : report.HumanReferences;
        if (human.Count > 0)
        {
            html.Append("<h3>Human self-consistency (10-respondent samples)</h3>\n<table><thead><tr><th class=\"l\">country</th><th>self-consistency</th></tr></thead><tbody>");
            foreach (var h in human.OrderBy(h => h.SelfConsistency))
            {
                html.Append("<tr><td class=\"l\">").Append(Escape(h.Country)).Append("</td><td>").Append(Stat(h.SelfConsistency, 3)).Append("</td></tr>");
            }
            html.Append("</tbody></table>\n");
        }
        if (report.Capability.Count > 0)
        {
            html.Append("<h3>Capability</h3>\n<table><thead><tr><th class=\"l\">model</th><th class=\"l\">language</th><th>score</th><th>benchmarks</th></tr></thead><tbody>");
            foreach (var c in report.Capability)
            {
                html.Append("<tr><td class=\"l\">").Append(Escape(c.Model)).Append("</td><td class=\"l\">").Append(Escape(c.Language)).Append("</td><td>").Append(Stat(c.Score, 1)).Append("</td><td>")
                    .Append(c.Benchmarks.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>");
            }
            html.Append("</tbody></table>\n");
        }
        if (report.Warnings.Count > 0)
        {
            html.Append("<h3>Notes</h3>\n<ul class=\"warn\">");
            foreach (var warning in report.Warnings)
            {
                html.Append("<li>").Append(Escape(warning)).Append("</li>");
            }
            html.Append("</ul>\n");
        }
        html.Append("</section>\n");
    }

    private static void AppendProvenance(StringBuilder html, StudyReport report, StudyProvenance provenance)
    {
        html.Append("<section id=\"provenance\"><h2>Provenance</h2>\n<table><tbody>");
        void Row(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                html.Append("<tr><th class=\"l\">").Append(Escape(key)).Append("</th><td class=\"l\">").Append(Escape(value)).Append("</td></tr>");
            }
        }
        Row("program", provenance.Program);
        Row("written", provenance.CreatedAt.ToString("u", CultureInfo.InvariantCulture));
        Row("design", provenance.Design);
        foreach (var input in provenance.Inputs)
        {
            Row(input.Role, $"{input.File.FileName} ({input.File.SizeBytes.ToString(CultureInfo.InvariantCulture)} bytes, sha256 {input.File.Sha256})");
        }
        foreach (var model in provenance.Models)
        {
            Row($"model {model.Id}", $"{model.Backend}: {model.Source}{(model.Sha256 is null ? "" : $" (sha256 {model.Sha256})")}");
        }
        if (provenance.Judge is { } judge)
        {
            Row("judge", $"{judge.Id} — {judge.Backend}: {judge.Source}{(judge.Sha256 is null ? "" : $" (sha256 {judge.Sha256})")}; prompt {provenance.JudgePromptVersion}");
        }
        Row("judge error", string.Create(CultureInfo.InvariantCulture, $"{provenance.JudgeError:0.####} ({provenance.JudgeErrorSource})"));
        if (provenance.JudgeCheck is { } check)
        {
            Row("judge check", string.Create(CultureInfo.InvariantCulture, $"{check.Items} labelled items: agreement {check.Agreement:0.###}, Cohen's κ {check.Kappa:0.###}, {check.Unparseable} unparseable"));
        }
        Row("prompts", provenance.Prompts);
        Row("generation", provenance.Generation);
        Row("samples per prompt", provenance.SamplesPerPrompt?.ToString(CultureInfo.InvariantCulture));
        Row("weights", provenance.Weights is null ? null : string.Join(" × ", provenance.Weights));
        Row("pooled languages", provenance.PooledLanguages is null ? null : string.Join("; ", provenance.PooledLanguages.Select(p => $"{p.Key} = {string.Join(", ", p.Value)}")));
        Row("bootstrap", string.Create(CultureInfo.InvariantCulture, $"{report.Options.Rounds} rounds, seed {report.Options.Seed}"));
        Row("reference", $"country {report.Options.ReferenceCountry}, baseline {report.Options.ReferenceModel}");
        html.Append("</tbody></table></section>\n");
    }

    private static bool IsBaseline(string model) => model.StartsWith("Baseline_", StringComparison.Ordinal);

    private static double LabelWidth(IEnumerable<string> labels) => Math.Min(360, 24 + (7 * labels.Select(l => l.Length).DefaultIfEmpty(10).Max()));

    /// <summary>A tick step that gives 4 to 10 ticks over <paramref name="span"/>.</summary>
    private static double Step(double span) => span switch
    {
        <= 0.25 => 0.025,
        <= 0.5 => 0.05,
        <= 1 => 0.1,
        <= 2 => 0.2,
        _ => 0.5,
    };

    private const int LegendColumns = 4;

    private static double LegendHeight(int entries) => 18 * ((entries + LegendColumns - 1) / LegendColumns);

    private static void XAxis(SvgBuilder svg, LinearScale x, double top, double bottom, double step, string label)
    {
        foreach (var tick in x.Ticks(step))
        {
            svg.Line(x[tick], top, x[tick], bottom, tick == 0 ? "#555" : "#eeeeee").Text(x[tick], bottom + 14, Stat(tick, step < 0.1 ? 2 : 1), "middle");
        }
        svg.Text((x.RangeLow + x.RangeHigh) / 2, bottom + 30, label, "middle");
    }

    /// <summary>
    /// A legend of <paramref name="names"/> in rows of four from <paramref name="y"/> down: coloured dots, or with
    /// <paramref name="shapes"/> the marker shapes (grey when <paramref name="grey"/>, where colour means something else).
    /// </summary>
    private static void Legend(SvgBuilder svg, IReadOnlyList<string> names, double left, double y, bool shapes, bool grey = false)
    {
        var column = (Width - left - 20) / LegendColumns;
        for (var i = 0; i < names.Count; i++)
        {
            var x = left + (i % LegendColumns * column);
            var rowY = y + (i / LegendColumns * 18);
            svg.Marker(shapes ? i % 4 : 0, x + 5, rowY - 4, 8, grey ? Palette.Human : Palette.Series(i)).Text(x + 14, rowY, names[i]);
        }
    }

    private static void Figure(StringBuilder html, string id, string title, SvgBuilder svg, string caption) =>
        html.Append("<section id=\"").Append(id).Append("\"><h2>").Append(Escape(title)).Append("</h2><figure>").Append(svg.ToString())
            .Append("<figcaption>").Append(Escape(caption)).Append("</figcaption></figure></section>\n");
}
