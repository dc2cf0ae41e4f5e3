using System.Globalization;
using System.Text;
using CultureProbe.Analysis;
using CultureProbe.Probing;
using CultureProbe.Reports.Charts;
using static CultureProbe.Reports.Svg.Markup;

namespace CultureProbe.Reports;

/// <summary>The report's sections: figures, case studies and alignment tables.</summary>
public sealed partial class HtmlReportWriter
{
    private static void AppendCategoryFigure(StringBuilder html, ReportContext context, string id)
    {
        OpenFigure(html, id, "Mean scores by category (cf. Kim & Baek, Figure 1)");
        var svg = CategoryBoxPlot.Render(context);
        if (svg is null)
        {
            Note(html, "No scored items: nothing to plot.");
        }
        else
        {
            html.Append("<div class=\"chart-wrap\">").Append(svg).Append("</div>\n");
        }
        CloseFigure(html, context, "For each category, the distribution over countries of the mean item score (−1 … 1) of the population (grey) and of each model. Boxes: quartiles and median; whiskers: furthest country within 1.5 IQR; circles: countries beyond. Hover a box for its numbers.");
    }

    private static void AppendContinentFigure(StringBuilder html, ReportContext context, string id)
    {
        OpenFigure(html, id, "Correlation by continent (cf. Figures 2–3)");
        var svg = ContinentBars.Render(context);
        if (svg is null)
        {
            Note(html, "The results hold no continent, Western or overall alignment rows.");
        }
        else
        {
            html.Append("<div class=\"chart-wrap\">").Append(svg).Append("</div>\n");
        }
        CloseFigure(html, context, "Mean over each group's countries of the Pearson correlation between model and population mean scores across questions. Baselines for the same group: ◆ the pooled all-country distribution in place of the model, × another country's population in place of the model.");
    }

    private static void AppendBaseChatFigure(StringBuilder html, ReportContext context, string id)
    {
        OpenFigure(html, id, "Base vs chat models (cf. Figure 4)");
        var svg = BaseChatPairs.Render(context);
        if (svg is null)
        {
            Note(html, BaseChatPairs.Pairs(context).Count == 0
                ? "No base/chat pair in these results: no chat model names a base model (BaseModelId) that was run alongside it."
                : "The base/chat pairs have no finite correlations to compare.");
        }
        else
        {
            html.Append("<div class=\"chart-wrap\">").Append(svg).Append("</div>\n");
        }
        CloseFigure(html, context, "Each chat model beside the base model it was tuned from: mean per-country Pearson r over all countries and over Western and non-Western countries.");
    }

    private void AppendMapFigure(StringBuilder html, ReportContext context, string id)
    {
        OpenFigure(html, id, "Correlation per country on the map");
        if (context.Models.Count == 0)
        {
            Note(html, "No models in these results.");
        }
        for (var i = 0; i < context.Models.Count; i++)
        {
            html.Append("<h3>").Append(Escape(context.Models[i].Id)).Append("</h3>\n<div class=\"chart-wrap map\">")
                .Append(WorldMap.Render(context, _atlas, i)).Append("</div>\n");
        }
        var unmapped = WorldMap.Unmapped(context, _atlas);
        var caption = "Pearson r per country between model and population mean scores, red (−1) through white (0) to blue (+1); grey: no data or r undefined. Hover a country for r, its 95% bootstrap CI and the number of questions.";
        if (unmapped.Count > 0)
        {
            caption += " Not on the map (no shape at this scale or unknown code): " + string.Join(", ", unmapped.Select(c => $"{context.CountryName(c)} ({c})")) + ".";
        }
        CloseFigure(html, context, caption);
    }

    private static void AppendScatterFigure(StringBuilder html, ReportContext context, string id)
    {
        var country = ScatterPlot.ChooseCountry(context);
        OpenFigure(html, id, country is null ? "Model vs population" : $"Model vs population: {context.CountryName(country)}");
        if (country is null || !context.Results.Items.Any(i => i.Country == country))
        {
            Note(html, country is null ? "No scored items." : $"No scored items for {country}.");
        }
        else
        {
            var domain = ScatterPlot.Domain(context, country);
            html.Append("<div class=\"panels\">");
            for (var i = 0; i < context.Models.Count; i++)
            {
                html.Append(ScatterPlot.Render(context, country, i, domain));
            }
            html.Append("</div>\n<div class=\"chart-wrap\">").Append(ScatterPlot.Legend(context)).Append("</div>\n");
        }
        CloseFigure(html, context, $"One point per question{(country is null ? "" : $" asked about {context.CountryName(country)}")}: the population's mean score (x) against the model's (y). The dashed line is perfect agreement; r is the Pearson correlation over the questions.");
    }

    /// <summary>
    /// Whether the models answered the survey at all (probability on the answers before normalising) and how much the
    /// order the options were listed in moved their answers (Dominguez-Olmedo et al. 2023).
    /// </summary>
    private static void AppendAnswering(StringBuilder html, ReportContext context, string id)
    {
        var method = context.Results.Method;
        var threshold = method.MinValidMass ?? AlignmentOptions.DefaultMinValidMass;
        html.Append("<section id=\"").Append(id).Append("\" aria-labelledby=\"").Append(id).Append("-title\">\n<h2 id=\"").Append(id).Append("-title\">Answer order and answering</h2>\n")
            .Append("<p class=\"note\">").Append(Escape(
                $"Options listed in {(method.OptionOrders is null or "original" ? "their original order only" : $"several orders ({method.OptionOrders}); each item's p is the mean over orders after mapping back to the answer codes")}. " +
                "First-listed: the mean probability on whichever option came first (no position bias gives the mean of 1/K). " +
                "Order distance: mean Jensen–Shannon distance between the orders' answers (0 when the order does not matter). " +
                $"On the answers: probability on the K answers together before normalising over them; items below {threshold.ToString("0.##", CultureInfo.InvariantCulture)} are counted as not answered.")).Append("</p>\n");
        var items = context.Results.Items;
        if (items.Count == 0)
        {
            Note(html, "No scored items.");
            html.Append("</section>\n");
            return;
        }
        html.Append("<div class=\"table-wrap\"><table class=\"data numbers\"><caption>Position bias and probability on the answers, per model.</caption><thead><tr>")
            .Append("<th scope=\"col\">Model</th><th scope=\"col\">Orders</th><th scope=\"col\">First-listed</th><th scope=\"col\">Mean 1/K</th><th scope=\"col\">Order distance</th>")
            .Append("<th scope=\"col\">On the answers (median)</th><th scope=\"col\">Items below the threshold</th></tr></thead><tbody>");
        foreach (var model in context.Models)
        {
            var own = items.Where(i => i.Model == model.Id).ToArray();
            var masses = own.Select(i => i.ValidMass).Where(double.IsFinite).Order().ToArray();
            var low = own.Count(i => i.ValidMass < threshold);
            html.Append("<tr><th scope=\"row\">").Append(Escape(model.Id)).Append("</th><td>").Append(own.Length == 0 ? "—" : own.Max(i => i.Orders).ToString(CultureInfo.InvariantCulture))
                .Append("</td><td>").Append(Stat(MeanOf(own.Select(i => i.FirstListedShare)), 3)).Append("</td><td>").Append(Stat(MeanOf(own.Select(i => 1.0 / i.Codes.Count)), 3))
                .Append("</td><td>").Append(Stat(MeanOf(own.Select(i => i.OrderJsDistance)), 3)).Append("</td><td>").Append(masses.Length == 0 ? "—" : Mass(masses[masses.Length / 2]))
                .Append("</td><td>").Append(masses.Length == 0 ? "—" : Escape($"{low} of {own.Length} ({Percent((double)low / own.Length)})")).Append("</td></tr>");
        }
        html.Append("</tbody></table></div>\n");
        AppendItemList(html, context, "Items most moved by the order of the options", items.Where(i => double.IsFinite(i.OrderJsDistance)).OrderByDescending(i => i.OrderJsDistance).Take(10).ToArray(),
            i => $"order distance {Stat(i.OrderJsDistance, 3)}; first-listed {Stat(i.FirstListedShare, 3)}");
        AppendItemList(html, context, "Items with the least probability on the answers", items.Where(i => i.ValidMass < threshold).OrderBy(i => i.ValidMass).Take(10).ToArray(),
            i => $"on the answers {Mass(i.ValidMass)}");
        html.Append("</section>\n");
    }

    private static void AppendItemList(StringBuilder html, ReportContext context, string title, IReadOnlyList<ItemResult> items, Func<ItemResult, string> describe)
    {
        if (items.Count == 0)
        {
            return;
        }
        html.Append("<h3>").Append(Escape(title)).Append("</h3>\n<ul>");
        foreach (var item in items)
        {
            html.Append("<li>").Append(Escape($"{item.Model} · {item.Question} · {context.CountryName(item.Country)}: {describe(item)}")).Append("</li>");
        }
        html.Append("</ul>\n");
    }

    /// <summary>A probability on the answers for reading: three decimals, or powers of ten for the tiny masses of models that are not answering.</summary>
    private static string Mass(double value) =>
        !double.IsFinite(value) ? "—" : value >= 0.001 || value == 0 ? Stat(value, 3) : value.ToString("0.0e+0", CultureInfo.InvariantCulture);

    private static double MeanOf(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        return finite.Length == 0 ? double.NaN : finite.Average();
    }

    private static void AppendCaseStudies(StringBuilder html, ReportContext context, string id)
    {
        html.Append("<section id=\"").Append(id).Append("\" aria-labelledby=\"").Append(id).Append("-title\">\n<h2 id=\"").Append(id).Append("-title\">Case studies: top answers (cf. Tables 3–4)</h2>\n");
        var chosen = context.Options.CaseStudyCountries?.Select(c => c.Trim()).Where(c => c.Length > 0).ToList();
        if (chosen is null)
        {
            var first = ScatterPlot.ChooseCountry(context);
            chosen = (first is null ? context.CountriesByItemCount : context.CountriesByItemCount.Where(c => c != first).Prepend(first)).Take(2).ToList();
        }
        if (chosen.Count == 0)
        {
            Note(html, "No scored items.");
        }
        foreach (var requested in chosen)
        {
            var country = context.CountriesByItemCount.FirstOrDefault(c => c.Equals(requested, StringComparison.OrdinalIgnoreCase)) ?? requested;
            AppendCaseStudy(html, context, country);
        }
        html.Append("</section>\n");
    }

    private static void AppendCaseStudy(StringBuilder html, ReportContext context, string country)
    {
        var slug = Slug(country);
        html.Append("<h3 id=\"case-").Append(slug).Append("\">").Append(Escape($"{context.CountryName(country)} ({country})")).Append("</h3>\n");
        var items = context.Results.Items.Where(i => i.Country == country).ToList();
        if (items.Count == 0)
        {
            Note(html, $"No scored items for {country}.");
            return;
        }
        var byModel = items.ToLookup(i => i.Model, StringComparer.Ordinal);
        var questions = items.Select(i => i.Question).Distinct(StringComparer.Ordinal)
            .OrderBy(q => context.Bank.Find(q)?.Number ?? int.MaxValue).ThenBy(q => q, StringComparer.Ordinal).ToList();
        var shown = questions.Take(Math.Max(0, context.Options.CaseStudyMaxQuestions)).ToList();
        var summary = string.Join("; ", context.Models.Select(m =>
        {
            var own = byModel[m.Id].ToList();
            return own.Count == 0 ? $"{m.Id}: no items" : $"{m.Id} matches the population's top answer on {own.Count(i => i.TopMatch)} of {own.Count} ({Percent((double)own.Count(i => i.TopMatch) / own.Count)})";
        }));
        html.Append("<p>").Append(Escape(summary + ".")).Append(shown.Count < questions.Count ? Escape($" The table shows the first {shown.Count} of {questions.Count} questions.") : "").Append("</p>\n");
        html.Append("<div class=\"table-wrap\"><table class=\"data case-study\" id=\"case-table-").Append(slug).Append("\"><caption>")
            .Append(Escape($"Most chosen answer of the population of {context.CountryName(country)} and most likely answer of each model. ✓ marks a model whose top answer matches the population's."))
            .Append("</caption><thead><tr><th scope=\"col\">Code</th><th scope=\"col\">Question</th><th scope=\"col\">Population</th>");
        foreach (var model in context.Models)
        {
            html.Append("<th scope=\"col\">").Append(Escape(model.Id)).Append("</th>");
        }
        html.Append("</tr></thead><tbody>");
        var lookup = items.ToDictionary(i => (i.Model, i.Question));
        foreach (var question in shown)
        {
            var any = items.First(i => i.Question == question);
            html.Append("<tr><th scope=\"row\">").Append(Escape(question)).Append("</th><td class=\"question\">")
                .Append(Escape(context.Bank.Find(question)?.Text ?? "")).Append("</td><td>")
                .Append(Escape(TopAnswer(any, any.HumanTopCode, any.HumanShares))).Append("</td>");
            foreach (var model in context.Models)
            {
                if (!lookup.TryGetValue((model.Id, question), out var item))
                {
                    html.Append("<td>—</td>");
                    continue;
                }
                var text = TopAnswer(item, item.ModelTopCode, item.ModelShares);
                html.Append(item.TopMatch ? "<td class=\"match\">✓ " : "<td>").Append(Escape(text)).Append("</td>");
            }
            html.Append("</tr>");
        }
        html.Append("</tbody></table></div>\n");
    }

    private static string TopAnswer(ItemResult item, string code, IReadOnlyList<double> shares)
    {
        var index = item.Codes.ToList().IndexOf(code);
        if (index < 0)
        {
            return code;
        }
        var label = index < item.Labels.Count ? item.Labels[index] : code;
        return index < shares.Count ? $"{label} ({Percent(shares[index])})" : label;
    }

    private static void AppendAlignmentTables(StringBuilder html, ReportContext context, string id)
    {
        html.Append("<section id=\"").Append(id).Append("\" aria-labelledby=\"").Append(id).Append("-title\">\n<h2 id=\"").Append(id).Append("-title\">Alignment tables</h2>\n")
            .Append("<p class=\"note\">").Append(Escape("Per country: n questions; Pearson r with its 95% bootstrap CI over questions; Spearman ρ; mean 1 − Jensen–Shannon distance (higher is closer); mean normalised Wasserstein-1 (lower is closer); share of top-answer matches; and the baselines: r of the pooled all-country distribution and of a shuffled country, and 1 − JSD of uniform, pooled and shuffled answers. " + context.MethodNote)).Append("</p>\n");
        for (var m = 0; m < context.Models.Count; m++)
        {
            var model = context.Models[m];
            var rows = context.Rows(model.Id, GroupKind.Country)
                .OrderByDescending(r => double.IsFinite(r.Pearson) ? r.Pearson : double.NegativeInfinity)
                .ThenBy(r => r.Group, StringComparer.Ordinal).ToList();
            html.Append("<h3 id=\"alignment-").Append(m.ToString(CultureInfo.InvariantCulture)).Append('-').Append(Slug(model.Id)).Append("\">")
                .Append(Escape(model.Id)).Append("</h3>\n");
            if (rows.Count == 0)
            {
                Note(html, "No per-country rows for this model.");
            }
            else
            {
                AppendRowTable(html, rows, $"Alignment of {model.Id} per country, best first.", "Country", r => $"{context.CountryName(r.Group)} ({r.Group})");
            }
            var groups = context.Rows(model.Id, GroupKind.All)
                .Concat(context.Rows(model.Id, GroupKind.Western).OrderByDescending(r => r.Group == AlignmentTable.Western))
                .Concat(context.Rows(model.Id, GroupKind.Continent).OrderBy(r => ReportContext.ContinentOrder.IndexOf(r.Group) is var i and >= 0 ? i : int.MaxValue).ThenBy(r => r.Group, StringComparer.Ordinal))
                .Concat(context.Rows(model.Id, GroupKind.Category).OrderBy(r => context.CategoryIndex(r.Group)).ThenBy(r => r.Group, StringComparer.Ordinal))
                .ToList();
            if (groups.Count > 0)
            {
                AppendRowTable(html, groups, $"Alignment of {model.Id} by group: correlations are means of per-country values.", "Group",
                    r => r.GroupKind switch
                    {
                        GroupKind.All => "All countries",
                        GroupKind.Category => context.CategoryTitle(r.Group),
                        _ => r.Group,
                    } + (r.GroupKind == GroupKind.All ? "" : $" ({r.GroupKind.WireName()})"));
            }
        }
        html.Append("</section>\n");
    }

    private static void AppendRowTable(StringBuilder html, IReadOnlyList<AlignmentRow> rows, string caption, string firstColumn, Func<AlignmentRow, string> name)
    {
        html.Append("<div class=\"table-wrap\"><table class=\"data numbers\"><caption>").Append(Escape(caption)).Append("</caption><thead><tr>")
            .Append("<th scope=\"col\">").Append(Escape(firstColumn)).Append("</th>")
            .Append("<th scope=\"col\">n</th><th scope=\"col\">Pearson r [95% CI]</th><th scope=\"col\">Spearman ρ</th><th scope=\"col\">1 − JSD</th><th scope=\"col\">W1</th><th scope=\"col\">Top match</th>")
            .Append("<th scope=\"col\" class=\"baseline\">r pooled</th><th scope=\"col\" class=\"baseline\">r shuffled</th><th scope=\"col\" class=\"baseline\">1 − JSD uniform</th><th scope=\"col\" class=\"baseline\">1 − JSD pooled</th><th scope=\"col\" class=\"baseline\">1 − JSD shuffled</th>")
            .Append("</tr></thead><tbody>");
        foreach (var r in rows)
        {
            var ci = double.IsFinite(r.PearsonCiLow) && double.IsFinite(r.PearsonCiHigh) ? $" <span class=\"ci\">[{Stat(r.PearsonCiLow)}, {Stat(r.PearsonCiHigh)}]</span>" : "";
            var n = r.NCountries > 1 ? $"{r.NQuestions} · {r.NCountries} countries" : r.NQuestions.ToString(CultureInfo.InvariantCulture);
            html.Append("<tr><th scope=\"row\">").Append(Escape(name(r))).Append("</th><td>").Append(Escape(n)).Append("</td>")
                .Append("<td><span class=\"swatch\" style=\"background:").Append(Svg.Palette.Correlation(r.Pearson)).Append("\"></span>").Append(Stat(r.Pearson)).Append(ci).Append("</td>")
                .Append("<td>").Append(Stat(r.Spearman)).Append("</td><td>").Append(Stat(r.MeanJsAlignment)).Append("</td><td>").Append(Stat(r.MeanWasserstein))
                .Append("</td><td>").Append(Percent(r.TopMatchRate)).Append("</td><td class=\"baseline\">").Append(Stat(r.PearsonPooled))
                .Append("</td><td class=\"baseline\">").Append(Stat(r.PearsonShuffled)).Append("</td><td class=\"baseline\">").Append(Stat(r.JsAlignmentUniform))
                .Append("</td><td class=\"baseline\">").Append(Stat(r.JsAlignmentPooled)).Append("</td><td class=\"baseline\">").Append(Stat(r.JsAlignmentShuffled)).Append("</td></tr>");
        }
        html.Append("</tbody></table></div>\n");
    }
}
