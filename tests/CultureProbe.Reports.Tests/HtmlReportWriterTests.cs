using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using CultureProbe.Probing;
using CultureProbe.Reports.Maps;
using CultureProbe.Reports.Svg;

namespace CultureProbe.Reports.Tests;

public sealed partial class HtmlReportWriterTests
{
    private static readonly string[] FigureIds =
        ["fig-category-boxplots", "fig-continent-bars", "fig-base-chat", "fig-world-map", "fig-scatter", "fig-ceiling"];

    private static string Render(ProbeResults results, ReportOptions? options = null) =>
        new HtmlReportWriter().Render(results, SampleResults.Countries, SampleResults.Bank, options ?? ReportOptions.Default);

    [Fact]
    public void Report_is_well_formed_xml_after_the_doctype()
    {
        var html = Render(SampleResults.Build());

        var document = ReportDocument.Parse(html);

        document.Root!.Name.LocalName.ShouldBe("html");
        document.Root.Element("head")!.Element("style").ShouldNotBeNull();
    }

    [Fact]
    public void Every_chart_is_present_with_an_accessible_name_and_a_caption()
    {
        var results = SampleResults.Build();
        var document = ReportDocument.Parse(Render(results));

        foreach (var id in FigureIds)
        {
            var figure = document.ById(id).ShouldNotBeNull($"figure {id}");
            figure.Name.LocalName.ShouldBe("figure");
            figure.Element("figcaption").ShouldNotBeNull($"caption of {id}");
            figure.SvgsUnder().ShouldNotBeEmpty($"{id} holds no chart");
        }
        string[] chartIds = ["chart-category-boxplots", "chart-continent-bars", "chart-base-chat", "chart-scatter-legend"];
        foreach (var id in chartIds)
        {
            document.ById(id).ShouldNotBeNull($"chart {id}").Name.ShouldBe(ReportDocument.Svg + "svg");
        }
        for (var i = 0; i < results.Models.Count; i++)
        {
            var slug = results.Models[i].Id.Replace('.', '-');
            document.ById($"chart-world-map-{i}-{slug}").ShouldNotBeNull($"map of {results.Models[i].Id}");
            document.ById($"chart-scatter-{i}-{slug}").ShouldNotBeNull($"scatter of {results.Models[i].Id}");
        }
        foreach (var svg in document.Descendants(ReportDocument.Svg + "svg"))
        {
            var children = svg.Elements().Take(2).Select(e => e.Name.LocalName).ToList();
            children.ShouldBe(["title", "desc"], $"svg {(string?)svg.Attribute("id")} must start with <title> and <desc>");
            svg.Element(ReportDocument.Svg + "title")!.Value.ShouldNotBeNullOrWhiteSpace();
            ((string?)svg.Attribute("role")).ShouldBe("img");
        }
        document.ById("case-studies").ShouldNotBeNull();
        document.ById("alignment-tables").ShouldNotBeNull();
        document.ById("differences").ShouldNotBeNull();
        document.ById("answering").ShouldNotBeNull();
        document.ById("provenance").ShouldNotBeNull();
    }

    [Fact]
    public void Report_references_nothing_outside_itself()
    {
        var html = Render(SampleResults.Build());
        var document = ReportDocument.Parse(html);

        UrlPattern().Matches(html).Select(m => m.Value).Distinct().ShouldBe(["http://www.w3.org/2000/svg"]);
        var attributes = document.Descendants().Attributes().ToList();
        attributes.Where(a => a.Name.LocalName is "src" or "srcset" or "data" or "action" or "poster").ShouldBeEmpty();
        attributes.Where(a => a.Name.LocalName == "href").Select(a => a.Value).ShouldAllBe(v => v.StartsWith('#'));
        document.Descendants().Select(e => e.Name.LocalName)
            .Where(n => n is "script" or "link" or "img" or "iframe" or "object" or "embed" or "image" or "use" or "base")
            .ShouldBeEmpty();
        foreach (Match url in CssUrlPattern().Matches(html))
        {
            url.Groups[1].Value.ShouldStartWith("#", customMessage: $"url() outside the document: {url.Value}");
        }
        html.ShouldNotContain("@import");
        html.ShouldNotContain("@font-face");
    }

    [Fact]
    public void Every_href_points_at_an_element_of_the_report()
    {
        var document = ReportDocument.Parse(Render(SampleResults.Build()));
        var ids = document.Descendants().Select(e => (string?)e.Attribute("id")).OfType<string>().ToList();

        ids.ShouldBeUnique();
        foreach (var href in document.Descendants().Attributes("href").Select(a => a.Value[1..]))
        {
            ids.ShouldContain(href);
        }
    }

    [Fact]
    public void World_map_has_a_path_per_atlas_country_coloured_by_its_pearson()
    {
        var results = SampleResults.Build();
        var document = ReportDocument.Parse(Render(results));
        var atlas = WorldAtlas.Default;

        for (var m = 0; m < results.Models.Count; m++)
        {
            var model = results.Models[m].Id;
            var map = document.ById($"chart-world-map-{m}-{model.Replace('.', '-')}").ShouldNotBeNull();
            var paths = map.Descendants(ReportDocument.Svg + "path").Where(p => ((string?)p.Attribute("class"))?.Split(' ').Contains("country") == true).ToList();
            paths.Count.ShouldBe(atlas.Shapes.Count);
            var byNumeric = paths.Where(p => (string?)p.Attribute("data-iso-numeric") is { Length: > 0 })
                .ToDictionary(p => int.Parse((string)p.Attribute("data-iso-numeric")!, CultureInfo.InvariantCulture));
            var rows = results.Alignment.Where(r => r.Model == model && r.GroupKind == GroupKind.Country).ToList();
            var coloured = 0;
            foreach (var row in rows)
            {
                var numeric = SampleResults.Countries.FindByIso3(row.Group)!.IsoNumeric;
                if (!byNumeric.TryGetValue(numeric, out var path))
                {
                    row.Group.ShouldBe("HKG", "only Hong Kong lacks a shape at 1:110m");
                    continue;
                }
                ((string?)path.Attribute("data-iso3")).ShouldBe(row.Group);
                if (double.IsFinite(row.Pearson))
                {
                    ((string?)path.Attribute("fill")).ShouldBe(Palette.Correlation(row.Pearson), $"{model} {row.Group} r={row.Pearson}");
                    double.Parse((string)path.Attribute("data-pearson")!, CultureInfo.InvariantCulture).ShouldBe(row.Pearson);
                    coloured++;
                }
                else
                {
                    ((string?)path.Attribute("fill")).ShouldBe(Palette.NoData);
                    path.Attribute("data-pearson").ShouldBeNull();
                }
            }
            coloured.ShouldBe(rows.Count(r => r.Group != "HKG" && double.IsFinite(r.Pearson)));
            // Every shape without a row stays grey.
            var withRows = rows.Select(r => SampleResults.Countries.FindByIso3(r.Group)!.IsoNumeric).ToHashSet();
            paths.Where(p => (string?)p.Attribute("data-iso-numeric") is not { Length: > 0 } s || !withRows.Contains(int.Parse(s, CultureInfo.InvariantCulture)))
                .ShouldAllBe(p => (string?)p.Attribute("fill") == Palette.NoData);
        }
        document.ById("fig-world-map")!.Element("figcaption")!.Value.ShouldContain("Hong Kong (HKG)");
    }

    [Fact]
    public void Undefined_correlations_never_reach_the_markup_as_NaN()
    {
        var results = SampleResults.Build();
        results.Alignment.ShouldContain(r => r.GroupKind == GroupKind.Country && double.IsNaN(r.Pearson), "the sample must hold a NaN correlation");

        var html = Render(results, new ReportOptions(ScatterCountry: SampleResults.FlatCountry, CaseStudyCountries: [SampleResults.FlatCountry]));

        html.ShouldNotContain("NaN", Case.Sensitive);
        html.ShouldNotContain("Infinity", Case.Sensitive);
        html.ShouldNotContain("∞");
        var document = ReportDocument.Parse(html);
        document.ById($"chart-scatter-0-{SampleResults.BaseModel.Replace('.', '-')}")!.Element(ReportDocument.Svg + "title")!.Value.ShouldContain("r undefined");
    }

    [Fact]
    public void Synthetic_results_carry_a_banner_and_real_ones_do_not()
    {
        var synthetic = ReportDocument.Parse(Render(SampleResults.Build(synthetic: true)));
        var real = ReportDocument.Parse(Render(SampleResults.Build(synthetic: false)));

        var banner = synthetic.ById("synthetic-banner").ShouldNotBeNull();
        banner.Value.ShouldContain("SYNTHETIC");
        synthetic.Root!.Element("head")!.Element("title")!.Value.ShouldStartWith("[SYNTHETIC]");
        synthetic.Descendants("figcaption").ShouldAllBe(c => c.Value.Contains("Synthetic data."));
        real.ById("synthetic-banner").ShouldBeNull();
    }

    [Fact]
    public void A_synthetic_model_alone_also_raises_the_banner()
    {
        var results = SampleResults.Build();
        results = results with { Models = [.. results.Models.Select((m, i) => i == 2 ? m with { Synthetic = true } : m)] };

        var banner = ReportDocument.Parse(Render(results)).ById("synthetic-banner").ShouldNotBeNull();

        banner.Value.ShouldContain(SampleResults.OtherModel);
    }

    [Fact]
    public void Without_a_base_chat_pair_the_figure_says_so()
    {
        var document = ReportDocument.Parse(Render(SampleResults.Build(withPair: false)));

        var figure = document.ById("fig-base-chat").ShouldNotBeNull();
        figure.SvgsUnder().ShouldBeEmpty();
        figure.Value.ShouldContain("No base/chat pair");
    }

    [Fact]
    public void Base_chat_chart_shows_both_models_of_the_pair()
    {
        var results = SampleResults.Build();
        var document = ReportDocument.Parse(Render(results));

        var chart = document.ById("chart-base-chat").ShouldNotBeNull();
        var titles = chart.Descendants(ReportDocument.Svg + "rect").Select(r => r.Element(ReportDocument.Svg + "title")?.Value).OfType<string>().ToList();
        var all = results.Alignment.Single(r => r.Model == SampleResults.ChatModel && r.GroupKind == GroupKind.All).Pearson;
        titles.ShouldContain(t => t.Contains("All: chat") && t.Contains(all.ToString("0.000", CultureInfo.InvariantCulture)));
        titles.ShouldContain(t => t.Contains("All: base"));
    }

    [Fact]
    public void Scatter_draws_one_point_per_question_and_names_r()
    {
        var results = SampleResults.Build();
        var document = ReportDocument.Parse(Render(results));

        document.ById("fig-scatter")!.Parent!.Element("h2")!.Value.ShouldContain("United States");
        var chart = document.ById($"chart-scatter-1-{SampleResults.ChatModel.Replace('.', '-')}").ShouldNotBeNull();
        var points = chart.Descendants().Where(e => (string?)e.Attribute("class") == "point").ToList();
        points.Count.ShouldBe(results.Items.Count(i => i.Model == SampleResults.ChatModel && i.Country == "USA"));
        var r = results.Alignment.Single(a => a.Model == SampleResults.ChatModel && a.GroupKind == GroupKind.Country && a.Group == "USA").Pearson;
        chart.Element(ReportDocument.Svg + "title")!.Value.ShouldContain($"r = {r.ToString("0.00", CultureInfo.InvariantCulture)}");
    }

    [Fact]
    public void Scatter_country_can_be_chosen()
    {
        var document = ReportDocument.Parse(Render(SampleResults.Build(), new ReportOptions(ScatterCountry: "jpn")));

        document.ById("fig-scatter")!.Parent!.Element("h2")!.Value.ShouldContain("Japan");
    }

    [Fact]
    public void Case_study_tables_highlight_exactly_the_matching_top_answers()
    {
        var results = SampleResults.Build();
        var document = ReportDocument.Parse(Render(results, new ReportOptions(CaseStudyCountries: ["DEU", "NGA"])));

        foreach (var country in new[] { "DEU", "NGA" })
        {
            var table = document.ById($"case-table-{country}").ShouldNotBeNull();
            var rows = table.Element("tbody")!.Elements("tr").ToList();
            var items = results.Items.Where(i => i.Country == country).ToList();
            rows.Count.ShouldBe(items.Select(i => i.Question).Distinct().Count());
            table.Descendants("td").Count(td => (string?)td.Attribute("class") == "match").ShouldBe(items.Count(i => i.TopMatch));
            var first = items.First(i => i.Question == rows[0].Element("th")!.Value);
            var humanTop = first.Labels[first.Codes.ToList().IndexOf(first.HumanTopCode)];
            rows[0].Elements("td").ElementAt(1).Value.ShouldStartWith(humanTop + " (");
        }
        document.ById("case-table-USA").ShouldBeNull();
    }

    [Fact]
    public void Default_case_studies_are_the_scatter_country_and_the_next_one()
    {
        var document = ReportDocument.Parse(Render(SampleResults.Build()));

        var tables = document.Descendants("table").Where(t => ((string?)t.Attribute("id"))?.StartsWith("case-table-", StringComparison.Ordinal) == true).ToList();
        tables.Count.ShouldBe(2);
        ((string?)tables[0].Attribute("id")).ShouldBe("case-table-USA");
    }

    [Fact]
    public void Header_states_provenance_and_method_without_links()
    {
        var html = Render(SampleResults.Build());
        var document = ReportDocument.Parse(html);

        var provenance = document.ById("provenance")!.Value;
        provenance.ShouldContain("W_WEIGHT");
        provenance.ShouldContain(new string('c', 12));
        provenance.ShouldContain("paper-fig5");
        provenance.ShouldContain("letter+text");
        provenance.ShouldContain("loglik-prompt-logprobs");
        provenance.ShouldContain("127.0.0.1:8000/v1 qwen2.5-7b (over HTTP)");
        provenance.ShouldContain("0.1.0-test");
        document.Descendants("figcaption").ShouldAllBe(c => c.Value.Contains("normalisation: none"));
    }

    [Fact]
    public void Alignment_table_per_model_lists_every_country()
    {
        var results = SampleResults.Build();
        var document = ReportDocument.Parse(Render(results));

        var section = document.ById("alignment-tables").ShouldNotBeNull();
        var tables = section.Descendants("table").ToList();
        tables.Count.ShouldBe(2 * results.Models.Count);
        var first = tables[0].Element("tbody")!.Elements("tr").ToList();
        first.Count.ShouldBe(SampleResults.Countries.Countries.Count);
        // Best first, and the NaN row last with a dash.
        first[^1].Element("th")!.Value.ShouldContain(SampleResults.FlatCountry);
        first[^1].Elements("td").ElementAt(1).Value.ShouldStartWith("—");
    }

    [Fact]
    public void Write_puts_the_rendered_report_at_the_path()
    {
        using var directory = new TempDirectory();
        var results = SampleResults.Build();
        var path = directory.File("out/report.html");

        new HtmlReportWriter().Write(results, SampleResults.Countries, SampleResults.Bank, ReportOptions.Default, path);

        File.ReadAllText(path).ShouldBe(Render(results));
        Directory.GetFiles(directory.File("out")).ShouldBe([path]);
    }

    [Fact]
    public void Rendering_is_deterministic()
    {
        Render(SampleResults.Build()).ShouldBe(Render(SampleResults.Build()));
    }

    [Fact]
    public void Report_with_no_items_still_renders_every_section()
    {
        var empty = SampleResults.Build() with { Items = [], Alignment = [] };

        var document = ReportDocument.Parse(Render(empty));

        foreach (var id in FigureIds)
        {
            document.ById(id).ShouldNotBeNull();
        }
    }

    [Fact]
    public void Typical_report_for_66_countries_and_3_models_stays_small()
    {
        // 66 countries with real shapes, 3 models, 60 questions: the size is dominated by the 3 maps.
        var numerics = WorldAtlas.Default.Shapes.Select(s => s.IsoNumeric).OfType<int>().Where(n => n != 10).Take(66).ToList();
        var countries = SampleResults.ManyCountries(66, numerics);
        var results = SampleResults.Build(countries: countries, questionsPerCategory: 5, categories: 12);

        var html = new HtmlReportWriter().Render(results, countries, SampleResults.Bank, ReportOptions.Default);

        var bytes = System.Text.Encoding.UTF8.GetByteCount(html);
        TestContext.Current.TestOutputHelper?.WriteLine($"report size: {bytes} bytes");
        bytes.ShouldBeLessThan(1_500_000);
        ReportDocument.Parse(html).ShouldNotBeNull();
    }

    [Fact]
    public void Countries_missing_from_the_table_are_listed_instead_of_mapped()
    {
        // A table may know fewer countries than the results (and analyze groups are not countries at all).
        var results = SampleResults.Build();
        var usaOnly = CultureProbe.Surveys.CountryTable.Parse(
            "version: 1\ncountries:\n  - { iso3: USA, isoNumeric: 840, name: the United States, continent: North America, western: true, zone: English-speaking, languages: [en], surveys: [WVS7] }\n",
            "usa-only.yaml");

        var html = new HtmlReportWriter().Render(results, usaOnly, SampleResults.Bank, ReportOptions.Default);

        var document = ReportDocument.Parse(html);
        var caption = document.ById("fig-world-map")!.Element("figcaption")!.Value;
        caption.ShouldContain("(JPN)");
        caption.ShouldNotContain("(USA)");
    }

    [Fact]
    public void Awkward_model_ids_and_countries_without_items_stay_well_formed()
    {
        var results = SampleResults.Build();
        const string awkward = "gpt <4o> & \"friends\" 'v2' é";
        var renamed = results with
        {
            Models = [.. results.Models.Select((m, i) => i == 2 ? m with { Id = awkward } : m)],
            Items = [.. results.Items.Select(i => i.Model == SampleResults.OtherModel ? i with { Model = awkward } : i)],
            Alignment = [.. results.Alignment.Select(a => a.Model == SampleResults.OtherModel ? a with { Model = awkward } : a)],
        };

        var html = Render(renamed, new ReportOptions(ScatterCountry: "ZZZ", CaseStudyCountries: ["ZZZ", "JPN"]));

        var document = ReportDocument.Parse(html);
        document.Descendants("h3").Select(h => h.Value).ShouldContain(awkward);
        document.ById("fig-scatter")!.Value.ShouldContain("No scored items for ZZZ");
        document.ById("case-table-JPN").ShouldNotBeNull();
        document.Descendants().Select(e => (string?)e.Attribute("id")).OfType<string>().ShouldBeUnique();
    }

    [GeneratedRegex(@"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s""'<>)]*")]
    private static partial Regex UrlPattern();

    [GeneratedRegex(@"url\(\s*['""]?([^'"")]*)")]
    private static partial Regex CssUrlPattern();
}
