using System.CommandLine;
using System.Globalization;
using CultureProbe.Backends;
using CultureProbe.Models;
using CultureProbe.Probing;
using CultureProbe.Remote;
using CultureProbe.Reports;
using CultureProbe.Study;
using Spectre.Console;

namespace CultureProbe.Cli.Commands;

/// <summary>
/// <c>cultureprobe study</c> in the paper's design (Rystrøm, Kirk &amp; Hale 2025): generate and judge free-text
/// answers, or read judged ones, then the paper's statistics, tables and report.
/// </summary>
internal static partial class StudyCommand
{
    /// <summary>Study settings (as library errors name them) → the flags that set them.</summary>
    private static readonly Dictionary<string, string> PaperFlags = new(StringComparer.Ordinal)
    {
        ["temperature"] = "--response-temperature",
        ["top_p"] = "--response-top-p",
        ["max_tokens"] = "--response-max-tokens",
        ["stop"] = "--response-stop",
        ["prompts_per_language"] = "--prompts-per-language",
        ["samples_per_prompt"] = "--samples-per-prompt",
        ["languages"] = "--languages",
        ["rounds"] = "--bootstrap",
        ["judge_error"] = "--judge-error",
        ["reference_country"] = "--reference-country",
        ["templates"] = "--template-type",
        ["prompts"] = "--prompts",
        ["grammar"] = "--judge-grammar",
    };

    private const string DefaultStop = "11.";

    private static async Task<int> RunPaperAsync(ParseResult parse, StudyOptions o, CancellationToken cancellationToken)
    {
        try
        {
            return await RunPaperCoreAsync(parse, o, cancellationToken).ConfigureAwait(false);
        }
        catch (SettingException e) when (PaperFlags.TryGetValue(e.Setting, out var flag))
        {
            throw new InputException($"{flag}: {e.Problem}", e);
        }
    }

    private static async Task<int> RunPaperCoreAsync(ParseResult parse, StudyOptions o, CancellationToken cancellationToken)
    {
        RefuseCountryCuedOptions(parse, o);
        var folder = parse.GetValue(o.Output)!.FullName;
        var languages = StudyLanguageList(parse.GetValue(o.Languages) ?? "da,en,nl,pt");
        var responsesFile = parse.GetValue(o.Responses);
        var modelReferences = parse.GetValue(o.Models) ?? [];
        if (responsesFile is not null && modelReferences.Length > 0)
        {
            throw new InputException("--responses and --model: give one of them: --responses analyses judged responses, --model writes new ones");
        }
        if (responsesFile is null && modelReferences.Length == 0)
        {
            throw new InputException("study: give --model (with --judge) to have models write and a judge label responses, or --responses to analyse judged responses");
        }
        var bootstrap = parse.GetValue(o.Bootstrap);
        var seed = parse.GetValue(o.Seed);
        var warnings = new List<string>();
        var inputs = new List<StudyInputFile>();
        var populations = ReadPopulations(parse, o, languages, warnings, inputs);
        var human = parse.GetValue(o.HumanConsistency) is { } humanFile ? Recorded(inputs, "human_consistency", humanFile, StudyInputReader.ReadHumanReferences) : [];
        var benchmarks = Benchmarks(parse.GetValue(o.Capability), warnings, inputs);
        var judgeCheckSample = parse.GetValue(o.JudgeCheck) is { } checkFile ? Recorded(inputs, "judge_check", checkFile, path => LabelledOpinion.Read(path, StudyTopicSet.Default)) : null;
        if (judgeCheckSample is not null && responsesFile is not null)
        {
            throw new InputException("--judge-check: a labelled sample measures the judge that CultureProbe runs; with --responses no judge runs (give the judge's error rate with --judge-error)");
        }
        var options = new StudyAnalysisOptions
        {
            Rounds = bootstrap,
            Seed = seed,
            ReferenceCountry = parse.GetValue(o.ReferenceCountry)!.Trim(),
            Templates = responsesFile is not null && parse.GetValue(o.TemplateType) is { } type ? [type] : null,
        };
        options.Validate();

        var console = ConsoleFactory.Create(parse.InvocationConfiguration.Output);
        IReadOnlyList<StudyResponse> responses;
        StudyGenerationOutcome? outcome = null;
        string? promptsProvenance = null;
        GenerationSettings? generation = null;
        int? samplesPerPrompt = null;
        if (responsesFile is not null)
        {
            responses = Recorded(inputs, "responses", responsesFile, path => StudyInputReader.ReadResponses(path, warnings));
        }
        else
        {
            (outcome, promptsProvenance, generation, samplesPerPrompt) = await GenerateAsync(parse, o, languages, judgeCheckSample, inputs, folder, console, cancellationToken).ConfigureAwait(false);
            var unscored = outcome.Responses.Count(r => r.ProScore is null);
            if (unscored > 0)
            {
                warnings.Add($"{unscored} response(s) left out: the judge found no opinion on either side, or its reply named no label ({outcome.Unparseable}); the authors leave such responses out too");
            }
            responses = outcome.Responses.Where(r => r.ProScore is not null)
                .Select(r => new StudyResponse(r.Model, r.Family, r.Template, r.PromptLanguage, r.ResponseLanguage, r.Topic, r.ProScore!.Value)).ToArray();
            StudyFiles.WriteResponses(responses, Path.Combine(folder, StudyFiles.ResponsesCsv));
            if (responses.Count > 0 && responses.All(r => !string.Equals(r.PromptLanguage, r.ResponseLanguage, StringComparison.OrdinalIgnoreCase)))
            {
                console.MarkupLine(Markup.Escape($"the judge says none of the {responses.Count} scored responses is written in its prompt's language " +
                    $"(it named {string.Join(", ", responses.Select(r => r.ResponseLanguage).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))}); " +
                    $"the design keeps only responses in the prompt's language, so there is nothing to analyse (see {StudyFiles.ResponsesCsv})"));
                return Program.ExitRunFailed;
            }
            if (responses.Count == 0)
            {
                foreach (var failure in outcome.FailureReasons)
                {
                    console.MarkupLine($"[red]failed {failure.Items}×:[/] {Markup.Escape(failure.Reason)}");
                }
                console.MarkupLine(Markup.Escape($"no response could be scored: {outcome.Responses.Count} judged, none with an opinion on either side; nothing to analyse"));
                return Program.ExitRunFailed;
            }
        }
        if (!responses.Any(r => r.Model == StudyBaselines.UniformRandom))
        {
            responses = StudyBaselines.AddTo(responses, seed);
            warnings.Add($"the uniform-random and 50 % baselines were drawn here (seed {seed}) on the prompts of {responses[0].Model}");
        }

        var (judgeError, judgeErrorSource) = outcome?.JudgeCheck is { } check
            ? (check.ErrorRate, "judge-check")
            : parse.GetValue(o.JudgeError) is { } given ? (given, "option") : (0.045, "paper");
        options = options with { JudgeError = judgeError };
        options.Validate();
        var report = StudyAnalysis.Run(new StudyInputs(responses, populations.Shares, benchmarks, human, populations.Respondents, warnings), options);
        var provenance = new StudyProvenance(
            ProgramInfo.Version, DateTimeOffset.UtcNow, "paper", inputs, outcome?.Models ?? [], outcome?.Judge, outcome is null ? null : StudyJudge.PromptVersion,
            judgeError, judgeErrorSource, outcome?.JudgeCheck, promptsProvenance, generation?.ToString(), samplesPerPrompt,
            populations.Weights, populations.Pooled,
            Synthetic: inputs.Any(i => i.File.FileName.Contains("synthetic", StringComparison.OrdinalIgnoreCase)) || (outcome?.Models.Any(m => m.Synthetic) ?? false));
        var reportPath = WritePaperStudy(console, report, provenance, folder);
        console.MarkupLine($"study tables in {Markup.Escape(folder)}; report: {Markup.Escape(reportPath)}");
        if (outcome is { FailureReasons.Count: > 0 })
        {
            foreach (var failure in outcome.FailureReasons)
            {
                console.MarkupLine($"[yellow]failed {failure.Items}×: {Markup.Escape(failure.Reason)}[/]");
            }
            console.MarkupLine("[yellow]Some prompts or judgements failed; the tables use what succeeded. Running the same command again retries them.[/]");
            return Program.ExitRunFailed;
        }
        return Program.ExitOk;
    }

    private static void RefuseCountryCuedOptions(ParseResult parse, StudyOptions o)
    {
        foreach (var option in new Option[] { o.Packs, o.Templates, o.Questions, o.AnswerFormat })
        {
            if (parse.GetResult(option) is { Implicit: false })
            {
                throw new InputException($"{option.Name}: belongs to --design country-cued; the paper's design does not name countries or read survey packs (see 'cultureprobe study --help')");
            }
        }
    }

    private static IReadOnlyList<string> StudyLanguageList(string text)
    {
        var languages = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.ToLowerInvariant()).Distinct().ToArray();
        foreach (var language in languages)
        {
            if (language.Length != 2 || !language.All(char.IsAsciiLetterLower))
            {
                throw new InputException($"--languages: expected two-letter language codes such as da,en,nl,pt, found '{language}'");
            }
        }
        return languages.Length > 0 ? languages : throw new InputException("--languages: expected at least one language");
    }

    private sealed record PopulationInputs(IReadOnlyList<PopulationShare> Shares, IReadOnlyList<RespondentAnswer> Respondents, IReadOnlyList<string>? Weights, IReadOnlyDictionary<string, IReadOnlyList<string>>? Pooled);

    private static PopulationInputs ReadPopulations(ParseResult parse, StudyOptions o, IReadOnlyList<string> languages, List<string> warnings, List<StudyInputFile> inputs)
    {
        var microdata = parse.GetValue(o.Survey);
        var byLanguage = parse.GetValue(o.SurveyByLanguage);
        var byCountry = parse.GetValue(o.SurveyByCountry);
        var global = parse.GetValue(o.SurveyGlobal);
        if (microdata is not null)
        {
            if (byLanguage is not null || byCountry is not null || global is not null)
            {
                throw new InputException("--survey: populations come either from the microdata (--survey) or from share files (--survey-by-language, --survey-by-country, --survey-global), not both");
            }
            var weights = parse.GetValue(o.Weights)!.Trim();
            IReadOnlyList<string> weightColumns = weights.Equals("none", StringComparison.OrdinalIgnoreCase) ? [] : weights.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var pooled = Pools(parse.GetValue(o.Pool) ?? []);
            var read = StudyPopulationReader.Read(microdata.FullName, StudyTopicSet.Default, new StudyPopulationOptions(languages, pooled, weightColumns));
            inputs.Add(new StudyInputFile("survey", read.Source));
            warnings.AddRange(read.Warnings);
            return new PopulationInputs(read.Shares, read.Answers, weightColumns, pooled);
        }
        if (parse.GetValue(o.Pool) is { Length: > 0 })
        {
            throw new InputException("--pool: pooling countries into a language needs the microdata (--survey); share files already hold their populations");
        }
        if (byLanguage is null && byCountry is null && global is null)
        {
            throw new InputException("study: give the survey: --survey (the joint EVS/WVS microdata), or the shares --survey-by-language and --survey-by-country (and --survey-global)");
        }
        var shares = new List<PopulationShare>();
        if (global is not null)
        {
            shares.AddRange(Recorded(inputs, "survey_global", global, path => StudyInputReader.ReadGlobalPopulation(path, warnings)));
        }
        if (byLanguage is not null)
        {
            shares.AddRange(Recorded(inputs, "survey_by_language", byLanguage, path => StudyInputReader.ReadLanguagePopulations(path, warnings)));
        }
        if (byCountry is not null)
        {
            shares.AddRange(Recorded(inputs, "survey_by_country", byCountry, path => StudyInputReader.ReadCountryPopulations(path, warnings)));
        }
        return new PopulationInputs(shares, [], null, null);
    }

    private static Dictionary<string, IReadOnlyList<string>>? Pools(string[] pools)
    {
        if (pools.Length == 0)
        {
            return null;
        }
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var pool in pools)
        {
            var parts = pool.Split('=', 2, StringSplitOptions.TrimEntries);
            var countries = parts.Length == 2 ? parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
            if (parts.Length != 2 || parts[0].Length != 2 || countries.Length == 0 || !result.TryAdd(parts[0].ToLowerInvariant(), countries))
            {
                throw new InputException($"--pool: expected language=COUNTRY,COUNTRY (e.g. pt=BR,PT), once per language, found '{pool}'");
            }
        }
        return result;
    }

    private static IReadOnlyList<BenchmarkScore> Benchmarks(string? capability, List<string> warnings, List<StudyInputFile> inputs)
    {
        if (capability is null)
        {
            return StudyInputReader.PaperBenchmarks(warnings);
        }
        return capability.Trim().Equals("none", StringComparison.OrdinalIgnoreCase)
            ? []
            : Recorded(inputs, "capability", new FileInfo(capability), path => StudyInputReader.ReadBenchmarks(path, warnings));
    }

    /// <summary>Reads a file and records it (name, size, hash) among the study's inputs.</summary>
    private static T Recorded<T>(List<StudyInputFile> inputs, string role, FileInfo file, Func<string, T> read)
    {
        var value = read(file.FullName);
        inputs.Add(StudyInputFile.Of(role, file.FullName));
        return value;
    }

    private static async Task<(StudyGenerationOutcome Outcome, string Prompts, GenerationSettings Generation, int SamplesPerPrompt)> GenerateAsync(
        ParseResult parse, StudyOptions o, IReadOnlyList<string> languages, IReadOnlyList<LabelledOpinion>? judgeCheckSample, List<StudyInputFile> inputs,
        string folder, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var judgeReference = parse.GetValue(o.Judge) ?? throw new InputException("--judge: the paper's design needs a judge model to label the responses (a GGUF file, or with --judge-backend a served model)");
        var topics = StudyTopicSet.Default;
        IReadOnlyList<StudyPrompt> prompts;
        string promptsProvenance;
        if (parse.GetValue(o.Prompts) is { } promptFile)
        {
            var templateType = parse.GetValue(o.TemplateType) ?? "survey_hypothetical";
            prompts = Recorded(inputs, "prompts", promptFile, path => StudyPrompts.ReadReleased(path, templateType, languages));
            promptsProvenance = $"released prompt file {promptFile.Name}, template type {templateType}";
        }
        else
        {
            var perLanguage = parse.GetValue(o.PromptsPerLanguage);
            var promptSeed = parse.GetValue(o.PromptSeed);
            prompts = StudyPrompts.Sample(StudyPrompts.DefaultTemplates, topics.Topics, languages, perLanguage, promptSeed);
            promptsProvenance = string.Create(CultureInfo.InvariantCulture,
                $"CultureProbe's templates (sha256 {StudyPrompts.DefaultTemplatesSha256[..16]}) and topics (sha256 {topics.Sha256[..16]}): {perLanguage} per language, the same in each, seed {promptSeed}");
        }
        var stops = parse.GetValue(o.ResponseStop) is { Length: > 0 } given ? given : [DefaultStop];
        var generation = new GenerationSettings(
            parse.GetValue(o.ResponseTemperature), parse.GetValue(o.ResponseTopP), parse.GetValue(o.ResponseSeed), parse.GetValue(o.ResponseMaxTokens),
            stops.Length == 1 && stops[0].Equals("none", StringComparison.OrdinalIgnoreCase) ? [] : stops);
        var settings = o.Model.Settings(parse);
        var judgeSettings = settings;
        var judgeEndpoints = parse.GetValue(o.JudgeEndpoints) ?? [];
        var judgeKey = parse.GetValue(o.JudgeApiKeyVariable);
        var judgeDeployment = parse.GetValue(o.JudgeDeployment);
        if (judgeEndpoints.Length > 0 || judgeKey is not null || judgeDeployment is not null)
        {
            var remote = settings.Get<RemoteModelOptions>();
            judgeSettings = settings.With(remote with
            {
                Endpoints = judgeEndpoints.Length > 0 ? judgeEndpoints.Select(e => Uri.TryCreate(e, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                    ? uri
                    : throw new InputException($"--judge-endpoint: expected an http(s) URL, found '{e}'")).ToArray() : remote.Endpoints,
                ApiKeyVariable = judgeKey ?? remote.ApiKeyVariable,
                // The judge's own servers are not the models' deployment.
                Deployment = judgeDeployment ?? (judgeEndpoints.Length > 0 ? null : remote.Deployment),
            });
        }
        var backend = o.Model.BackendName(parse);
        var job = new StudyGenerationJob(
            prompts,
            RunCommand.Requests(parse.GetValue(o.Models)!, parse.GetValue(o.ModelIds) ?? [], backend),
            new ModelRequest(judgeReference, parse.GetValue(o.JudgeBackend) ?? backend, parse.GetValue(o.JudgeId)),
            settings, judgeSettings, generation, parse.GetValue(o.SamplesPerPrompt), topics,
            parse.GetValue(o.Cards) is { } cardFolder ? ModelCard.LoadFolder(cardFolder.FullName) : [],
            parse.GetValue(o.Cache)?.FullName ?? Path.Combine(folder, "results.db"),
            judgeCheckSample,
            parse.GetValue(o.JudgeGrammar));
        var runner = new StudyRunner(Backends.Registry);
        runner.Validate(job);
        Directory.CreateDirectory(folder);
        console.MarkupLine(Markup.Escape($"{prompts.Count} prompts ({string.Join(", ", languages)}) × {job.SamplesPerPrompt} sample(s) × {job.Models.Count} model(s), judged by {job.Judge.Reference}; store {job.StorePath}"));
        var last = DateTime.MinValue;
        var progress = new Progress<StudyProgress>(p =>
        {
            if ((DateTime.UtcNow - last).TotalSeconds < 5 && p.Done < p.Total)
            {
                return;
            }
            last = DateTime.UtcNow;
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {p.Phase}: {p.Done}/{p.Total}"));
        });
        var outcome = await runner.RunAsync(job, progress, cancellationToken).ConfigureAwait(false);
        console.MarkupLine(Markup.Escape($"responses: {outcome.Generated} written now, {outcome.ReusedResponses} from the store; judgements: {outcome.Judged} now, {outcome.ReusedJudgements} from the store, {outcome.Unparseable} unreadable"));
        if (outcome.JudgeCheck is { } check)
        {
            console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"judge check: {check.Items} labelled opinions, agreement {check.Agreement:0.###}, Cohen's kappa {check.Kappa:0.###}; its error rate {check.ErrorRate:0.###} corrects self-consistency")));
        }
        return (outcome, promptsProvenance, generation, job.SamplesPerPrompt);
    }

    /// <summary>Writes the study's tables, JSON and report into <paramref name="folder"/> and a summary to the console; returns the report's path.</summary>
    internal static string WritePaperStudy(IAnsiConsole console, StudyReport report, StudyProvenance provenance, string folder)
    {
        Directory.CreateDirectory(folder);
        StudyFiles.WriteAll(report, provenance, folder);
        var reportPath = Path.Combine(folder, "study_report.html");
        StudyReportWriter.Write(report, provenance, reportPath);
        WritePaperSummary(console, report, provenance);
        return reportPath;
    }

    private static void WritePaperSummary(IAnsiConsole console, StudyReport report, StudyProvenance provenance)
    {
        if (provenance.Synthetic)
        {
            console.MarkupLine("[bold yellow]SYNTHETIC[/]: some inputs are generated; these numbers illustrate the method and show no finding.");
        }
        var consistency = report.Consistency.ToDictionary(c => (c.Model, c.Language));
        var bias = (report.UsBias ?? report.UsBiasPoint)?.Rows.ToDictionary(r => (r.Model, r.Language));
        var table = new Table().Title("Multilingual study (alignment with the language's population)").AddColumns("Model", "Language", "ρ", "95% CI", "n", "Consistency", "US bias");
        foreach (var a in report.Alignment.Where(a => a.PopulationKind == PopulationKind.Language && string.Equals(a.Population, a.ResponseLanguage, StringComparison.OrdinalIgnoreCase))
            .OrderBy(a => a.Model, StringComparer.Ordinal).ThenBy(a => a.ResponseLanguage, StringComparer.Ordinal))
        {
            table.AddRow(Markup.Escape(a.Model), a.ResponseLanguage, Number(a.Spearman), $"{Number(a.CiLow)} – {Number(a.CiHigh)}", a.N.ToString(CultureInfo.InvariantCulture),
                consistency.TryGetValue((a.Model, a.ResponseLanguage), out var c) ? Number(c.Point) : "–",
                bias is not null && bias.TryGetValue((a.Model, a.ResponseLanguage), out var b) ? Number(b.Estimate) : "–");
        }
        console.Write(table);
        foreach (var warning in report.Warnings)
        {
            console.MarkupLine($"[yellow]note:[/] {Markup.Escape(warning)}");
        }
    }

    private static string Number(double value) => double.IsFinite(value) ? value.ToString("0.000", CultureInfo.InvariantCulture) : "–";
}
