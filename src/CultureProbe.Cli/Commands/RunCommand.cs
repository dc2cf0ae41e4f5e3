using System.CommandLine;
using CultureProbe.Analysis;
using CultureProbe.Models;
using CultureProbe.Probing;
using CultureProbe.Prompts;
using CultureProbe.Reports;
using CultureProbe.Surveys;
using Spectre.Console;

namespace CultureProbe.Cli.Commands;

/// <summary><c>cultureprobe run</c>: Kim &amp; Baek's probe from survey pack to report.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var pack = new Option<FileInfo>("--pack") { Description = "Survey pack made by 'cultureprobe import'.", Required = true };
        var models = new Option<string[]>("--model") { Description = "GGUF model file, or with --backend the served model's name (repeat for several models).", Required = true, AllowMultipleArgumentsPerToken = false };
        var modelOptions = new ModelOptions();
        var modelIds = new Option<string[]>("--model-id") { Description = "Id of each --model in tables, in the same order (default: the file name, or the served name).", AllowMultipleArgumentsPerToken = false };
        var cards = new Option<DirectoryInfo?>("--cards") { Description = "Folder of model cards (family, parameters, chat or base, corpus) matched by model id." };
        var countries = new Option<string?>("--countries") { Description = "Comma-separated ISO alpha-3 codes (default: every country in the pack)." };
        var questions = new Option<string?>("--questions") { Description = "A set name (paper-12, all) or codes, ranges and categories such as 'Q1,Q177-Q195,ethics' (default: the bank's default set, paper-12 for WVS-7). Nominal items are left out: they have no mean score." };
        var survey = new SurveyOptions();
        var language = new Option<string>("--language") { Description = "Prompt language: en, da, nl or pt.", DefaultValueFactory = _ => "en" };
        var template = new Option<string?>("--template") { Description = "Template id (default: the language's default, for English Kim & Baek's Figure 5)." };
        var templatesFile = new Option<FileInfo?>("--templates-file") { Description = "YAML file with more templates (see docs/prompt-templates.md)." };
        var answerFormat = new Option<string>("--answer-format") { Description = "How answers are written after the prompt: letter+text (default), text or letter.", DefaultValueFactory = _ => "letter+text" };
        var collapse = new Option<int?>("--collapse") { Description = "Collapse 10-point scales to 3 or 5 groups (e.g. Never justifiable / Neutral / Justifiable)." };
        var normalisation = new Option<string>("--normalisation") { Description = "Length normalisation of answer log-likelihoods: none (the paper's default), per-token or per-byte. Only for log-likelihood backends.", DefaultValueFactory = _ => "none" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for results.json, items.csv, alignment.csv, report.html and the result store.", Required = true };
        var cache = new Option<FileInfo?>("--cache") { Description = "Result store (SQLite) to share across runs (default: results.db in --out)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the bootstrap and the shuffled-country control.", DefaultValueFactory = _ => 0 };
        var bootstrap = new Option<int>("--bootstrap") { Description = "Bootstrap resamples for 95% intervals (0 to skip).", DefaultValueFactory = _ => 1000 }.NonNegative(100_000);
        var scatter = new Option<string?>("--scatter-country") { Description = "Country of the report's model-vs-population scatter." };
        var optionOrders = new Option<string>("--option-orders") { Description = "Orders to list each item's options in, averaged after mapping back to the answer codes: original (Kim & Baek's, default), reversed (original and reversed), rotations (every cyclic rotation) or random:N (N seeded random orders). Position bias per item and model is reported.", DefaultValueFactory = _ => "original" };
        var minAnswerMass = new Option<double>("--min-answer-mass") { Description = "Flag items where the model puts less probability than this on the answers together (before normalising over them).", DefaultValueFactory = _ => AlignmentOptions.DefaultMinValidMass };
        var command = new Command("run", "Probe models with WVS-7 items for every country and measure how their answers align with each population (Kim & Baek 2024).")
        {
            pack, models, modelIds, cards, countries, questions, language, template, templatesFile, answerFormat, collapse, normalisation,
            output, cache, seed, bootstrap, scatter, optionOrders, minAnswerMass, survey.Bank, survey.CountriesFile,
        };
        foreach (var option in modelOptions.All)
        {
            command.Options.Add(option);
        }
        command.SetAction(async (parse, cancellationToken) =>
        {
            var packPath = parse.GetValue(pack)!.FullName;
            var surveyPack = SurveyPackFile.Read(packPath);
            var lang = parse.GetValue(language)!;
            var bank = survey.QuestionBank(parse, lang);
            SurveyPackValidator.CheckQuestions(surveyPack, bank, packPath);
            var table = survey.Countries(parse);
            var templates = PromptTemplateSet.BuiltIn();
            if (parse.GetValue(templatesFile) is { } extra)
            {
                templates.AddFile(extra.FullName);
            }
            var spec = new ProbeSpec(
                bank.Select(parse.GetValue(questions) ?? bank.Survey.DefaultSet).Where(q => q.IsOrdinal).ToArray(),
                SelectCountries(surveyPack, parse.GetValue(countries), table),
                parse.GetValue(template) is { } templateId ? templates.Get(lang, templateId) : templates.Default(lang),
                CommonOptions.Parse<AnswerFormat>("--answer-format", parse.GetValue(answerFormat)),
                parse.GetValue(collapse) is { } size and not (3 or 5) ? throw new InputException($"--collapse: expected 3 or 5, found {size}") : parse.GetValue(collapse),
                OptionOrders.Parse(parse.GetValue(optionOrders)!, parse.GetValue(seed)));
            if (parse.GetValue(scatter) is { } scatterCountry && !spec.Countries.Any(c => c.Iso3.Equals(scatterCountry.Trim(), StringComparison.OrdinalIgnoreCase)))
            {
                throw new InputException($"--scatter-country: {scatterCountry} is not among the countries asked ({string.Join(", ", spec.Countries.Select(c => c.Iso3))})");
            }
            var folder = parse.GetValue(output)!.FullName;
            var job = new ProbeJob(
                surveyPack, bank, table, [spec],
                Requests(parse.GetValue(models)!, parse.GetValue(modelIds) ?? [], modelOptions.BackendName(parse)),
                modelOptions.Settings(parse),
                parse.GetValue(cards) is { } cardFolder ? ModelCard.LoadFolder(cardFolder.FullName) : [],
                CommonOptions.Parse<LikelihoodNormalization>("--normalisation", parse.GetValue(normalisation)),
                new AlignmentOptions(parse.GetValue(bootstrap), parse.GetValue(seed), MinValidMass: MinAnswerMass(parse.GetValue(minAnswerMass))),
                parse.GetValue(cache)?.FullName ?? Path.Combine(folder, "results.db"));
            var service = new ProbeService(Backends.Registry);
            service.Validate(job);
            Directory.CreateDirectory(folder);

            var console = ConsoleFactory.Create(parse.InvocationConfiguration.Output);
            if (surveyPack.Provenance.Synthetic)
            {
                console.MarkupLine("[bold yellow]SYNTHETIC survey data[/]: the populations in this pack were generated, not surveyed.");
            }
            console.MarkupLine(Markup.Escape($"{spec.Questions.Count} questions × {spec.Countries.Count} countries × {job.Models.Count} model(s); template {spec.Template.Id} ({lang}), answers {spec.AnswerFormat.WireName()}, option orders {spec.OptionOrders}, store {job.StorePath}"));
            var outcome = await service.RunAsync(job, new ProbeConsole(console), cancellationToken).ConfigureAwait(false);
            var report = RunOutput.Write(console, outcome.Results[0], folder, bank, table, new ReportOptions(ScatterCountry: parse.GetValue(scatter)?.ToUpperInvariant()));
            if (outcome.Missing > 0)
            {
                console.MarkupLine($"[yellow]{outcome.Missing} item(s) have no score (failed or interrupted); the reasons are above. Running the same command again retries them.[/]");
            }
            console.MarkupLine($"results in {Markup.Escape(folder)}; report: {Markup.Escape(report)}");
            return outcome.Missing > 0 ? Program.ExitRunFailed : Program.ExitOk;
        });
        return command;
    }

    /// <summary>The <c>--min-answer-mass</c> threshold, checked.</summary>
    internal static double MinAnswerMass(double value) =>
        value is >= 0 and <= 1 ? value : throw new InputException($"--min-answer-mass: expected a probability from 0 to 1, found {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}");

    /// <summary>One request per <c>--model</c>, with its <c>--model-id</c> when given.</summary>
    internal static IReadOnlyList<ModelRequest> Requests(string[] references, string[] ids, string backend)
    {
        if (ids.Length > 0 && ids.Length != references.Length)
        {
            throw new InputException($"--model-id: give one id per --model ({references.Length}), found {ids.Length}");
        }
        return references.Select((reference, m) => new ModelRequest(reference, backend, ids.Length > 0 ? ids[m] : null)).ToArray();
    }

    internal static IReadOnlyList<Country> SelectCountries(SurveyPack pack, string? selection, CountryTable table)
    {
        if (selection is not null && !selection.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            var chosen = table.Select(selection);
            foreach (var country in chosen.Where(c => !pack.Provenance.RowsPerCountry.ContainsKey(c.Iso3)))
            {
                throw new InputException($"--countries: {country.Iso3} is not in the survey pack (it has {string.Join(", ", pack.Countries)})");
            }
            return chosen;
        }
        var known = pack.Countries.Select(table.FindByIso3).Where(c => c is not null).Select(c => c!).ToArray();
        return known.Length > 0 ? known : throw new InputException("the survey pack holds no country of the country table; pass --countries");
    }
}
