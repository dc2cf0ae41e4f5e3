using System.CommandLine;
using System.Globalization;
using CultureProbe.Analysis;
using CultureProbe.Llama;
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
        var remote = new RemoteOptions();
        var modelIds = new Option<string[]>("--model-id") { Description = "Id of each --model in tables, in the same order (default: the file name).", AllowMultipleArgumentsPerToken = false };
        var cards = new Option<DirectoryInfo?>("--cards") { Description = "Folder of model cards (family, parameters, chat or base, corpus) matched by model id." };
        var countries = new Option<string?>("--countries") { Description = "Comma-separated ISO alpha-3 codes (default: every country in the pack)." };
        var questions = new Option<string>("--questions") { Description = "A set name (paper-12, all) or codes, ranges and categories such as 'Q1,Q177-Q195,ethics'. Nominal items are left out: they have no mean score.", DefaultValueFactory = _ => QuestionBank.Paper12SetName };
        var language = new Option<string>("--language") { Description = "Prompt language: en, da, nl or pt.", DefaultValueFactory = _ => "en" };
        var template = new Option<string?>("--template") { Description = "Template id (default: the language's default, for English Kim & Baek's Figure 5)." };
        var templatesFile = new Option<FileInfo?>("--templates-file") { Description = "YAML file with more templates (see docs/prompt-templates.md)." };
        var answerFormat = new Option<string>("--answer-format") { Description = "How answers are written after the prompt: letter+text (default), text or letter.", DefaultValueFactory = _ => "letter+text" };
        var chat = new Option<bool>("--chat") { Description = "Put each prompt through the model's chat template (user turn; the answer starts the assistant turn)." };
        var collapse = new Option<int?>("--collapse") { Description = "Collapse 10-point scales to 3 or 5 groups (e.g. Never justifiable / Neutral / Justifiable)." };
        var normalisation = new Option<string>("--normalisation") { Description = "Length normalisation of answer log-likelihoods: none (the paper's default), per-token or per-byte.", DefaultValueFactory = _ => "none" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for results.json, items.csv, alignment.csv, report.html and the result store.", Required = true };
        var cache = new Option<FileInfo?>("--cache") { Description = "Result store (SQLite) to share across runs (default: results.db in --out)." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: physical cores)." };
        var contextSize = new Option<int?>("--context-size") { Description = "Context length in tokens (default: the model's, at most 4096)." };
        var batchSize = new Option<int>("--batch-size") { Description = "Tokens per llama_decode call (local models).", DefaultValueFactory = _ => 512 };
        var f16Kv = new Option<bool>("--f16-kv") { Description = "Use llama.cpp's F16 KV cache (faster, about 0.04 nats less exact) instead of F32." };
        var gpuLayers = new Option<int?>("--gpu-layers") { Description = "Layers to offload when a GPU build of llama.cpp is loaded (CULTUREPROBE_LLAMA_LIB_DIR)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the bootstrap and the shuffled-country control.", DefaultValueFactory = _ => 0 };
        var bootstrap = new Option<int>("--bootstrap") { Description = "Bootstrap resamples for 95% intervals (0 to skip).", DefaultValueFactory = _ => 1000 };
        var scatter = new Option<string?>("--scatter-country") { Description = "Country of the report's model-vs-population scatter." };
        var command = new Command("run", "Probe models with WVS-7 items for every country and measure how their answers align with each population (Kim & Baek 2024).")
        {
            pack, models, modelIds, cards, countries, questions, language, template, templatesFile, answerFormat, chat, collapse, normalisation,
            output, cache, threads, contextSize, batchSize, f16Kv, gpuLayers, seed, bootstrap, scatter,
        };
        foreach (var option in remote.All)
        {
            command.Options.Add(option);
        }
        command.SetAction(async (parse, cancellationToken) =>
        {
            var surveyPack = SurveyPackFile.Read(parse.GetValue(pack)!.FullName);
            var lang = parse.GetValue(language)!;
            var bank = QuestionBankTranslations.ForLanguage(lang);
            var templates = PromptTemplateSet.BuiltIn();
            if (parse.GetValue(templatesFile) is { } extra)
            {
                templates.AddFile(extra.FullName);
            }
            var spec = new ProbeSpec(
                bank.Select(parse.GetValue(questions)!).Where(q => q.IsOrdinal).ToArray(),
                SelectCountries(surveyPack, parse.GetValue(countries)),
                parse.GetValue(template) is { } templateId ? templates.Get(lang, templateId) : templates.Default(lang),
                CommonOptions.Parse<AnswerFormat>("--answer-format", parse.GetValue(answerFormat)),
                parse.GetValue(collapse) is { } size and not (3 or 5) ? throw new InputException($"--collapse: expected 3 or 5, found {size}") : parse.GetValue(collapse));
            var norm = CommonOptions.Parse<LikelihoodNormalization>("--normalisation", parse.GetValue(normalisation));
            var folder = parse.GetValue(output)!.FullName;
            Directory.CreateDirectory(folder);
            var paths = parse.GetValue(models)!;
            var ids = parse.GetValue(modelIds) ?? [];
            if (ids.Length > 0 && ids.Length != paths.Length)
            {
                throw new InputException($"--model-id: give one id per --model ({paths.Length}), found {ids.Length}");
            }
            var cardList = parse.GetValue(cards) is { } cardFolder ? ModelCard.LoadFolder(cardFolder.FullName) : [];
            var llamaOptions = new LlamaModelOptions
            {
                Threads = parse.GetValue(threads),
                ContextSize = parse.GetValue(contextSize),
                BatchSize = parse.GetValue(batchSize),
                F32KvCache = !parse.GetValue(f16Kv),
                GpuLayers = parse.GetValue(gpuLayers),
                Chat = parse.GetValue(chat),
            };
            var console = ConsoleFactory.Create(parse.InvocationConfiguration.Output);
            var storePath = parse.GetValue(cache)?.FullName ?? Path.Combine(folder, "results.db");
            using var store = ResultStore.Open(storePath);
            var runner = new ProbeRunner(surveyPack, store);
            var probeModels = new List<ProbeModel>();
            if (surveyPack.Provenance.Synthetic)
            {
                console.MarkupLine("[bold yellow]SYNTHETIC survey data[/]: the populations in this pack were generated, not surveyed.");
            }
            console.MarkupLine($"{spec.Questions.Count} questions × {spec.Countries.Count} countries × {paths.Length} model(s); template {Markup.Escape(spec.Template.Id)} ({lang}), answers {spec.AnswerFormat.WireName()}, store {Markup.Escape(storePath)}");
            for (var m = 0; m < paths.Length; m++)
            {
                ProbeModel probeModel;
                ProbeRunSummary summary;
                if (remote.IsRemote(parse))
                {
                    await using var served = remote.Create(parse, paths[m]);
                    probeModel = remote.ProbeModelFor(parse, served, paths[m], ids.Length > 0 ? ids[m] : null, cardList);
                    probeModels.Add(probeModel);
                    summary = await RunWithProgressAsync(console, runner, remote.ForServers(parse, spec), probeModel, cancellationToken).ConfigureAwait(false);
                    var usage = served.Usage;
                    console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                        $"{probeModel.Info.Id}: {usage.Requests} requests, {usage.Retries} retries, {usage.FailedRequests} failed; {usage.PromptTokens} prompt + {usage.CompletionTokens} completion tokens{(usage.EstimatedCost is { } cost ? $"; estimated cost {cost:0.####} {usage.Currency}" : "")}")));
                }
                else
                {
                    var path = Path.GetFullPath(paths[m]);
                    await using var model = await LlamaModel.OpenAsync(path, llamaOptions, cancellationToken).ConfigureAwait(false);
                    var id = ids.Length > 0 ? ids[m] : Path.GetFileNameWithoutExtension(path);
                    probeModel = new ProbeModel(ModelInfoFor(id, path, model.Identity, cardList, llamaOptions.Chat), model,
                        $"chat={(llamaOptions.Chat ? 1 : 0)};kv={(llamaOptions.F32KvCache ? "f32" : "f16")}");
                    probeModels.Add(probeModel);
                    summary = await RunWithProgressAsync(console, runner, spec, probeModel, cancellationToken).ConfigureAwait(false);
                }
                console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Markup.Escape(probeModel.Info.Id)}: {summary.Scored} scored, {summary.Reused} already stored, {summary.Failed} failed, {summary.NotAsked} (question, country) pairs not asked in the survey; {summary.Elapsed.TotalSeconds:F1} s"));
            }
            var results = ResultsBuilder.Build(spec, probeModels, surveyPack, store, CountryTable.Default, bank, norm, new AlignmentOptions(parse.GetValue(bootstrap), parse.GetValue(seed)), out var missing);
            ResultsFiles.WriteAll(results, folder);
            var report = ReportOutput.WriteReport(results, folder, new ReportOptions(ScatterCountry: parse.GetValue(scatter)?.ToUpperInvariant()));
            SummaryTable.Write(console, results);
            if (missing > 0)
            {
                console.MarkupLine($"[yellow]{missing} item(s) have no score (failed or interrupted); run the same command again to retry them.[/]");
            }
            console.MarkupLine($"results in {Markup.Escape(folder)}; report: {Markup.Escape(report)}");
            return missing > 0 ? Program.ExitRunFailed : Program.ExitOk;
        });
        return command;
    }

    internal static IReadOnlyList<Country> SelectCountries(SurveyPack pack, string? selection)
    {
        if (selection is not null && !selection.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            var chosen = CountryTable.Default.Select(selection);
            foreach (var country in chosen.Where(c => !pack.Provenance.RowsPerCountry.ContainsKey(c.Iso3)))
            {
                throw new InputException($"--countries: {country.Iso3} is not in the survey pack (it has {string.Join(", ", pack.Countries)})");
            }
            return chosen;
        }
        var known = pack.Countries.Select(CountryTable.Default.FindByIso3).Where(c => c is not null).Select(c => c!).ToArray();
        return known.Length > 0 ? known : throw new InputException("the survey pack holds no country of the country table; pass --countries");
    }

    internal static ModelInfo ModelInfoFor(string id, string source, ModelIdentity identity, IReadOnlyList<ModelCard> cards, bool chat)
    {
        var card = cards.FirstOrDefault(c => c.Id.Equals(id, StringComparison.OrdinalIgnoreCase));
        var synthetic = identity.Name.Contains("random", StringComparison.OrdinalIgnoreCase) || source.Contains("synthetic", StringComparison.OrdinalIgnoreCase);
        return new ModelInfo(id, source, identity.Sha256, identity.Backend, ScoringMethod.LogLikelihoodLocal, chat,
            card?.Family, card?.ParametersBillions, card?.Chat, card?.TrainingTokensTrillions, card?.Corpus.Notes, card?.BaseModel, synthetic);
    }

    internal static async Task<ProbeRunSummary> RunWithProgressAsync(IAnsiConsole console, ProbeRunner runner, ProbeSpec spec, ProbeModel model, CancellationToken cancellationToken)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            // Redirected output: a line every few seconds instead of a live bar.
            var last = DateTime.UtcNow;
            var started = DateTime.UtcNow;
            var progress = new Progress<ProbeProgress>(p =>
            {
                if ((DateTime.UtcNow - last).TotalSeconds < 5 && p.Done < p.Total)
                {
                    return;
                }
                last = DateTime.UtcNow;
                var rate = (p.Done - p.Reused) / Math.Max(0.001, (DateTime.UtcNow - started).TotalSeconds);
                var eta = rate > 0 ? TimeSpan.FromSeconds((p.Total - p.Done) / rate) : TimeSpan.Zero;
                console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {model.Info.Id}: {p.Done}/{p.Total} items, {rate:F1} items/s, ETA {eta:hh\\:mm\\:ss}"));
            });
            return await runner.RunAsync(spec, [model], progress, cancellationToken).ConfigureAwait(false);
        }
        ProbeRunSummary? summary = null;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedlessRateColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(model.Info.Id), maxValue: 1);
                var progress = new Progress<ProbeProgress>(p =>
                {
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Done;
                    task.Description = Markup.Escape($"{model.Info.Id} {p.Current}");
                });
                summary = await runner.RunAsync(spec, [model], progress, cancellationToken).ConfigureAwait(false);
                task.Value = task.MaxValue;
            }).ConfigureAwait(false);
        return summary!;
    }

    /// <summary>Items per second, for the progress bar.</summary>
    private sealed class TransferSpeedlessRateColumn : ProgressColumn
    {
        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Markup(task.Speed is { } speed ? string.Create(CultureInfo.InvariantCulture, $"{speed:F1} items/s") : "");
    }
}
