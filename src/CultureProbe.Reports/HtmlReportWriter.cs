using System.Globalization;
using System.Text;
using CultureProbe.IO;
using CultureProbe.Probing;
using CultureProbe.Reports.Charts;
using CultureProbe.Reports.Maps;
using CultureProbe.Surveys;
using static CultureProbe.Reports.Svg.Markup;

namespace CultureProbe.Reports;

/// <summary>
/// Renders <see cref="ProbeResults"/> as one self-contained HTML5 file: inline CSS and hand-written
/// inline SVG, no scripts and no external references, and markup that is also well-formed XML.
/// </summary>
public sealed partial class HtmlReportWriter
{
    private readonly WorldAtlas _atlas;

    /// <summary>A writer using the embedded Natural Earth 110m atlas for the world maps.</summary>
    public HtmlReportWriter()
        : this(WorldAtlas.Default)
    {
    }

    internal HtmlReportWriter(WorldAtlas atlas)
    {
        _atlas = atlas;
        Sections =
        [
            new("fig-category-boxplots", "Scores by category", AppendCategoryFigure),
            new("fig-continent-bars", "Correlation by continent", AppendContinentFigure),
            new("fig-base-chat", "Base vs chat", AppendBaseChatFigure),
            new("fig-world-map", "World map", AppendMapFigure),
            new("fig-scatter", "Scatter", AppendScatterFigure),
            new("fig-ceiling", "Noise ceiling", AppendCeilingFigure),
            new("differences", "Differences and noise", AppendDifferences),
            new("answering", "Answer order and answering", AppendAnswering),
            new("case-studies", "Case studies", AppendCaseStudies),
            new("alignment-tables", "Alignment tables", AppendAlignmentTables),
        ];
    }

    /// <summary>
    /// The page's sections in order: each is written into the page and listed in its contents, so a new figure is a
    /// chart class in <c>Charts/</c> and one entry here.
    /// </summary>
    private IReadOnlyList<ReportSection> Sections { get; }

    /// <summary>One section of the page: its anchor, its line in the contents, and how it is written (given its anchor).</summary>
    private sealed record ReportSection(string Id, string Contents, Action<StringBuilder, ReportContext, string> Write);

    /// <summary>Renders the report as a string.</summary>
    /// <param name="results">The finished run.</param>
    /// <param name="countries">Country names, continents and ISO numeric codes (for the map).</param>
    /// <param name="bank">Question texts and category titles.</param>
    /// <param name="options">What to show; <see cref="ReportOptions.Default"/> decides automatically.</param>
    public string Render(ProbeResults results, CountryTable countries, QuestionBank bank, ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(countries);
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentNullException.ThrowIfNull(options);
        var context = new ReportContext(results, countries, bank, options);
        var html = new StringBuilder(1 << 20);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n")
            .Append("<meta name=\"generator\" content=\"CultureProbe ").Append(Escape(results.Provenance.ProgramVersion)).Append("\" />\n")
            .Append("<title>").Append(Escape((context.IsSynthetic ? "[SYNTHETIC] " : "") + options.Title)).Append("</title>\n")
            .Append("<style>").Append(Stylesheet).Append("</style>\n</head>\n<body>\n");
        AppendHeader(html, context);
        html.Append("<main>\n");
        foreach (var section in Sections)
        {
            section.Write(html, context, section.Id);
        }
        html.Append("</main>\n");
        AppendFooter(html);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Renders the report and writes it to <paramref name="path"/> atomically (readers never see half a file).</summary>
    public void Write(ProbeResults results, CountryTable countries, QuestionBank bank, ReportOptions options, string path) =>
        AtomicFile.WriteAllText(path, Render(results, countries, bank, options));

    private void AppendHeader(StringBuilder html, ReportContext context)
    {
        var results = context.Results;
        var p = results.Provenance;
        html.Append("<header>\n");
        if (context.IsSynthetic)
        {
            var what = new List<string>();
            if (p.SyntheticSurvey)
            {
                what.Add("the survey data are synthetic");
            }
            var models = results.Models.Where(x => x.Synthetic).Select(x => x.Id).ToList();
            if (models.Count > 0)
            {
                what.Add($"synthetic model(s): {string.Join(", ", models)}");
            }
            html.Append("<div id=\"synthetic-banner\" class=\"banner\" role=\"alert\"><strong>SYNTHETIC DATA</strong> — ")
                .Append(Escape(string.Join("; ", what)))
                .Append(". Every number and chart in this report is made up for demonstration and says nothing about any real population or model.</div>\n");
        }
        html.Append("<h1>").Append(Escape(context.Options.Title)).Append("</h1>\n");
        var countries = results.Items.Select(i => i.Country).Distinct(StringComparer.Ordinal).Count();
        var questions = results.Items.Select(i => i.Question).Distinct(StringComparer.Ordinal).Count();
        html.Append("<p class=\"lede\">How closely each model's answers to ").Append(Escape(context.Bank.Survey.Name)).Append(" questions match the answers of each country's population: ")
            .Append(Escape($"{results.Models.Count} model(s), {countries} countries, {questions} questions in {context.Categories.Count} categories, {results.Items.Count} scored items."))
            .Append("</p>\n");
        html.Append("<nav aria-label=\"Contents\"><ul>").Append("<li><a href=\"#provenance\">Provenance</a></li>");
        foreach (var section in Sections)
        {
            html.Append("<li><a href=\"#").Append(section.Id).Append("\">").Append(Escape(section.Contents)).Append("</a></li>");
        }
        html.Append("</ul></nav>\n");
        AppendProvenance(html, context);
        html.Append("</header>\n");
    }

    /// <summary>Where the numbers came from and how they were made, at the top where a reviewer looks first.</summary>
    private static void AppendProvenance(StringBuilder html, ReportContext context)
    {
        var results = context.Results;
        var p = results.Provenance;
        var m = results.Method;
        html.Append("<section id=\"provenance\" aria-labelledby=\"provenance-title\">\n<h2 id=\"provenance-title\">Provenance</h2>\n<div class=\"columns\">\n");
        html.Append("<table class=\"kv\"><caption>Survey and run</caption><tbody>");
        KeyValue(html, "Survey file", DisplaySource(p.SurveySource) + (p.SyntheticSurvey ? " (synthetic)" : ""));
        KeyValue(html, "Survey SHA-256", HashPrefix(p.SurveySha256), code: true);
        KeyValue(html, "Weight variable", p.WeightVariable ?? "none (shares as given)");
        KeyValue(html, "Question bank SHA-256", HashPrefix(p.QuestionBankSha256), code: true);
        KeyValue(html, "Program version", "CultureProbe " + p.ProgramVersion);
        KeyValue(html, "Computed at (UTC)", p.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        KeyValue(html, "Seed", p.Seed.ToString(CultureInfo.InvariantCulture));
        KeyValue(html, "Results schema", results.SchemaVersion.ToString(CultureInfo.InvariantCulture));
        html.Append("</tbody></table>\n");
        html.Append("<table class=\"kv\"><caption>Method</caption><tbody>");
        KeyValue(html, "Scoring method", m.ScoringMethod?.WireName() ?? "per model (see below)");
        KeyValue(html, "Normalisation", m.Normalisation?.WireName() ?? "does not apply");
        KeyValue(html, "Template", m.TemplateId ?? "does not apply");
        KeyValue(html, "Template SHA-256", HashPrefix(m.TemplateSha256), code: true);
        KeyValue(html, "Answer format", m.AnswerFormat?.WireName() ?? "does not apply");
        KeyValue(html, "Prompt language", m.Language ?? "does not apply");
        KeyValue(html, "Chat template", m.Chat ? "yes" : "no");
        html.Append("</tbody></table>\n</div>\n");
        html.Append("<table class=\"data\"><caption>Models</caption><thead><tr><th scope=\"col\">Id</th><th scope=\"col\">Source</th><th scope=\"col\">SHA-256</th><th scope=\"col\">Backend</th><th scope=\"col\">Scoring</th><th scope=\"col\">Chat template</th><th scope=\"col\">Family</th><th scope=\"col\">Parameters</th><th scope=\"col\">Base model</th><th scope=\"col\">Synthetic</th></tr></thead><tbody>");
        foreach (var model in results.Models)
        {
            html.Append("<tr><th scope=\"row\">").Append(Escape(model.Id)).Append("</th><td class=\"wrap\">").Append(Escape(DisplaySource(model.Source)))
                .Append("</td><td><code>").Append(Escape(HashPrefix(model.Sha256))).Append("</code></td><td>").Append(Escape(model.Backend ?? "—"))
                .Append("</td><td>").Append(Escape(model.ScoringMethod.WireName())).Append("</td><td>").Append(model.UsedChatTemplate ? "yes" : "no")
                .Append("</td><td>").Append(Escape(model.Family ?? "—")).Append("</td><td>")
                .Append(model.ParametersBillions is { } b ? Escape(b.ToString("0.###", CultureInfo.InvariantCulture) + " B") : "—")
                .Append("</td><td>").Append(Escape(model.BaseModelId ?? "—")).Append("</td><td>").Append(model.Synthetic ? "<strong>yes</strong>" : "no")
                .Append("</td></tr>");
        }
        html.Append("</tbody></table>\n</section>\n");
    }

    private static void AppendFooter(StringBuilder html)
    {
        html.Append("<footer>\n<p class=\"note\">Country shapes: Natural Earth 1:110m (public domain), as packaged by world-atlas 2.0.2, in the Equal Earth projection. Colours: Okabe–Ito, Paul Tol and ColorBrewer RdBu (colour-blind safe). This file is self-contained: no scripts, fonts or images are loaded from anywhere.</p>\n");
        html.Append("</footer>\n");
    }

    private static void KeyValue(StringBuilder html, string key, string value, bool code = false) =>
        html.Append("<tr><th scope=\"row\">").Append(Escape(key)).Append("</th><td>")
            .Append(code ? "<code>" : "").Append(Escape(value)).Append(code ? "</code>" : "").Append("</td></tr>");

    /// <summary>Opens a figure section with its heading; the caption says what is drawn and how it was made.</summary>
    private static void OpenFigure(StringBuilder html, string id, string heading) =>
        html.Append("<section class=\"figure-section\" aria-labelledby=\"").Append(id).Append("-title\">\n<h2 id=\"").Append(id).Append("-title\">")
            .Append(Escape(heading)).Append("</h2>\n<figure id=\"").Append(id).Append("\">\n");

    private static void CloseFigure(StringBuilder html, ReportContext context, string caption) =>
        html.Append("<figcaption>").Append(Escape(caption)).Append(" <span class=\"method\">").Append(Escape(context.MethodNote)).Append("</span>")
            .Append(context.IsSynthetic ? " <strong class=\"synthetic-tag\">Synthetic data.</strong>" : "")
            .Append("</figcaption>\n</figure>\n</section>\n");

    private static void Note(StringBuilder html, string text) =>
        html.Append("<p class=\"empty\">").Append(Escape(text)).Append("</p>\n");
}
