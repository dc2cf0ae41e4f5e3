using System.CommandLine;
using System.Globalization;
using CultureProbe.Analysis;
using CultureProbe.Analysis.MixedModels;
using CultureProbe.IO;
using CultureProbe.Llama;
using CultureProbe.Models;
using CultureProbe.Probing;
using CultureProbe.Prompts;
using CultureProbe.Reports;
using CultureProbe.Surveys;
using Spectre.Console;

namespace CultureProbe.Cli.Commands;

/// <summary>
/// <c>cultureprobe study --design country-cued</c>: CultureProbe's extension of the multilingual study. Each language
/// asks about the country whose language it is, with every paraphrased template, and models are measured by the
/// likelihood of WVS answer options, as in <c>run</c>.
/// </summary>
internal static partial class StudyCommand
{
    /// <summary>The population every language's own is contrasted with: the built-in bank's reference country (the USA).</summary>
    private static Country ReferenceCountry =>
        CountryTable.Default.FindByIso3(QuestionBankLoader.Default.Survey.ReferenceCountry ?? "USA")
        ?? throw new InvalidOperationException("the built-in bank's reference country is not in the country table");

    private static async Task<int> RunCountryCuedAsync(ParseResult parse, StudyOptions o, CancellationToken cancellationToken)
    {
        var pack = Merge((parse.GetValue(o.Packs) is { Length: > 0 } packFiles ? packFiles : throw new InputException("--pack: the country-cued design reads survey packs; give at least one (see 'cultureprobe import')")).Select(p => SurveyPackFile.Read(p.FullName)).ToArray());
        var skipped = new List<string>();
        var studyLanguages = ParseLanguages(parse.GetValue(o.Languages) ?? "da,nl,pt,en", pack, skipped);
        var templateSet = PromptTemplateSet.BuiltIn();
        var selection = parse.GetValue(o.Templates)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var specs = studyLanguages.SelectMany(l => CountryCuedStudy.Specs([l], FilterTemplates(selection, templateSet, l.Language), templateSet, parse.GetValue(o.Questions)!, CommonOptions.Parse<AnswerFormat>("--answer-format", parse.GetValue(o.AnswerFormat)), ReferenceCountry)).ToArray();
        IReadOnlyDictionary<(string, string), double> capabilities = parse.GetValue(o.Capability) is { } capabilityText && !capabilityText.Equals("none", StringComparison.OrdinalIgnoreCase) ? Study.StudyInputReader.ReadModelLanguageScores(capabilityText) : new Dictionary<(string, string), double>();
        var folder = parse.GetValue(o.Output)!.FullName;
        var job = new ProbeJob(
            pack, QuestionBankLoader.Default, CountryTable.Default, specs.Select(s => s.Spec).ToArray(),
            RunCommand.Requests(parse.GetValue(o.Models) is { Length: > 0 } models ? models : throw new InputException("--model: give at least one model to probe"), parse.GetValue(o.ModelIds) ?? [], o.Model.BackendName(parse)),
            o.Model.Settings(parse),
            parse.GetValue(o.Cards) is { } cardFolder ? ModelCard.LoadFolder(cardFolder.FullName) : [],
            LikelihoodNormalization.None,
            new AlignmentOptions(0, parse.GetValue(o.Seed)),
            parse.GetValue(o.Cache)?.FullName ?? Path.Combine(folder, "results.db"));
        var service = new ProbeService(Backends.Registry);
        service.Validate(job);
        Directory.CreateDirectory(folder);
        var console = ConsoleFactory.Create(parse.InvocationConfiguration.Output);
        foreach (var language in skipped)
        {
            console.MarkupLine($"[yellow]warning:[/] language {Markup.Escape(language)} is left out");
        }
        console.MarkupLine($"{specs.Length} (language, template) prompts sets × {job.Models.Count} model(s); languages {string.Join(", ", studyLanguages.Select(l => $"{l.Language}→{l.Country.Iso3}"))}");
        var outcome = await service.RunAsync(job, new ProbeConsole(console), cancellationToken).ConfigureAwait(false);
        var runs = specs.Select((s, i) => (s.Language, s.Spec, outcome.Results[i])).ToArray();
        var study = CountryCuedStudy.Analyse(runs, pack, capabilities, parse.GetValue(o.Seed), ReferenceCountry.Iso3);
        WriteOutputs(study, folder);
        var report = Path.Combine(folder, "study_report.html");
        CountryCuedStudyReportWriter.Write(study, pack.Provenance.Synthetic || study.Models.Any(m => m.Synthetic), report);
        WriteSummary(console, study);
        console.MarkupLine($"study tables in {Markup.Escape(folder)}; report: {Markup.Escape(report)}");
        return Program.ExitOk;
    }

    private static IReadOnlyList<string> FilterTemplates(string[] selection, PromptTemplateSet templates, string language)
    {
        if (selection.Length == 1 && selection[0].Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return ["all"];
        }
        var known = templates.For(language).Select(t => t.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var chosen = selection.Where(known.Contains).ToArray();
        return chosen.Length > 0 ? chosen : throw new InputException($"--templates: none of {string.Join(", ", selection)} is a template of language '{language}' (it has {string.Join(", ", known)})");
    }

    private static List<CountryCuedLanguage> ParseLanguages(string text, SurveyPack pack, List<string> skipped)
    {
        var result = new List<CountryCuedLanguage>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pieces = part.Split('=');
            var language = pieces[0].ToLowerInvariant();
            var iso = pieces.Length > 1 ? pieces[1] : CountryCuedStudy.DefaultCountries.GetValueOrDefault(language)
                ?? throw new InputException($"--languages: no default country for '{language}'; write it as {language}=ISO3");
            var country = CountryTable.Default.FindByIso3(iso) ?? throw new InputException($"--languages: unknown country '{iso}'");
            if (!pack.Provenance.RowsPerCountry.ContainsKey(country.Iso3))
            {
                skipped.Add($"{language} (asks about {country.Iso3}, which no survey pack holds; import the joint EVS/WVS file for Denmark and Portugal)");
                continue;
            }
            result.Add(new CountryCuedLanguage(language, country));
        }
        if (result.Count == 0)
        {
            throw new InputException($"--languages: no language's country is in the survey pack(s): {string.Join("; ", skipped)}");
        }
        if (!pack.Provenance.RowsPerCountry.ContainsKey(ReferenceCountry.Iso3))
        {
            throw new InputException($"the study compares with {ReferenceCountry.Iso3} (the bank's reference country), which no survey pack holds");
        }
        return result;
    }

    /// <summary>Combines packs: each country's distributions come from the first pack that has the country.</summary>
    internal static SurveyPack Merge(IReadOnlyList<SurveyPack> packs)
    {
        if (packs.Count == 1)
        {
            return packs[0];
        }
        var owner = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var p = 0; p < packs.Count; p++)
        {
            foreach (var country in packs[p].Provenance.RowsPerCountry.Keys)
            {
                owner.TryAdd(country, p);
            }
        }
        var first = packs[0].Provenance;
        var provenance = first with
        {
            Importer = string.Join(" + ", packs.Select(p => p.Provenance.Importer)),
            Source = new SourceFile(string.Join(" + ", packs.Select(p => p.Provenance.Source.FileName)), packs.Sum(p => p.Provenance.Source.SizeBytes), string.Join("+", packs.Select(p => p.Provenance.Source.Sha256[..16]))),
            Synthetic = packs.Any(p => p.Provenance.Synthetic),
            RowsRead = packs.Sum(p => p.Provenance.RowsRead),
            RowsPerCountry = owner.ToDictionary(o => o.Key, o => packs[o.Value].Provenance.RowsPerCountry[o.Key]),
            WeightVariable = string.Join(" + ", packs.Select(p => p.Provenance.WeightVariable).Distinct()),
        };
        return new SurveyPack(SurveyPack.CurrentFormatVersion, provenance,
            packs.SelectMany((p, i) => p.Distributions.Where(d => owner[d.Country] == i)).ToArray(),
            packs.SelectMany((p, i) => p.NotAsked.Where(n => owner.GetValueOrDefault(n.Country, -1) == i)).ToArray(),
            packs.SelectMany(p => p.Warnings).ToArray());
    }

    private static void WriteOutputs(CountryCuedResults study, string folder)
    {
        AtomicFile.Write(Path.Combine(folder, "study_alignment.csv"), stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
            var csv = new CsvWriter(writer);
            csv.Row("model", "family", "language", "country", "template", "n_questions", "pearson_local", "pearson_usa", "us_bias", "js_alignment_local");
            foreach (var a in study.Alignment)
            {
                csv.Row(a.Model, a.Family, a.Language, a.Country, a.TemplateId, a.NQuestions, a.LocalPearson, a.UsPearson, a.UsBias, a.LocalJsAlignment);
            }
        });
        AtomicFile.Write(Path.Combine(folder, "study_consistency.csv"), stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
            var csv = new CsvWriter(writer);
            csv.Row("model", "language", "templates", "mean_pairwise_r", "split_half_r", "human_ceiling");
            foreach (var c in study.Consistency)
            {
                csv.Row(c.Model, c.Language, c.Templates, c.MeanPairwise, c.SplitHalf, c.HumanCeiling);
            }
        });
        AtomicFile.WriteAllText(Path.Combine(folder, "study.json"), System.Text.Json.JsonSerializer.Serialize(new
        {
            schema = "cultureprobe.study",
            design = "country-cued",
            provenance = study.Provenance,
            models = study.Models,
            alignment = study.Alignment.Select(a => new { a.Model, a.Family, a.Language, a.Country, template = a.TemplateId, n_questions = a.NQuestions, pearson_local = a.LocalPearson, pearson_usa = a.UsPearson, us_bias = a.UsBias, js_alignment_local = a.LocalJsAlignment }),
            consistency = study.Consistency,
            regressions = study.Regressions.Select(r => new
            {
                name = r.Name,
                formula = r.Formula,
                problem = r.Problem,
                fit = r.Fit is null ? null : MixedModelJson.Of(r.Fit),
                ols = r.Ols is null ? null : MixedModelJson.Of(r.Ols),
            }),
        }, CommonOptions.Json));
        ResultsFiles.WriteAll(new ProbeResults(ProbeResults.CurrentSchemaVersion, study.Provenance, new MethodInfo(study.Models.Select(m => m.ScoringMethod).Distinct().Count() == 1 ? study.Models[0].ScoringMethod : null, LikelihoodNormalization.None, null, null, study.AnswerFormat, null, study.Models.Any(m => m.UsedChatTemplate)),
            study.Models, study.Items, []), Path.Combine(folder, "items"));
    }

    private static void WriteSummary(IAnsiConsole console, CountryCuedResults study)
    {
        var table = new Table().Title("Multilingual study (means over templates)").AddColumns("Model", "Language", "r local", "r USA", "US bias", "Consistency", "Split-half", "Human ceiling");
        foreach (var c in study.Consistency)
        {
            var cells = study.Alignment.Where(a => a.Model == c.Model && a.Language == c.Language).ToArray();
            table.AddRow(Markup.Escape(c.Model), c.Language, F(cells.Select(a => a.LocalPearson)), F(cells.Select(a => a.UsPearson)), F(cells.Where(a => a.Country != study.ReferenceCountry).Select(a => a.UsBias)),
                F([c.MeanPairwise]), F([c.SplitHalf]), F([c.HumanCeiling]));
        }
        console.Write(table);
        foreach (var regression in study.Regressions)
        {
            var effects = regression.Fit?.FixedEffects ?? regression.Ols?.FixedEffects;
            console.MarkupLine($"[bold]{Markup.Escape(regression.Name)}[/]: {Markup.Escape(regression.Formula)}{(regression.Ols is null ? "" : " (OLS)")} — " + (effects is not null
                ? Markup.Escape(string.Join("; ", effects.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Term} {f.Estimate:0.###} (SE {f.StandardError:0.###})"))))
                : Markup.Escape($"not fitted: {regression.Problem}")));
        }
    }

    private static string F(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        return finite.Length == 0 ? "–" : finite.Average().ToString("0.000", CultureInfo.InvariantCulture);
    }
}
