using System.CommandLine;
using CultureProbe.Analysis;
using CultureProbe.Backends;
using CultureProbe.Llama;
using CultureProbe.Llama.Gguf;
using CultureProbe.Probing;
using CultureProbe.Prompts;
using CultureProbe.Reports;
using CultureProbe.Study;
using CultureProbe.Surveys;
using Spectre.Console;

namespace CultureProbe.Cli.Commands;

/// <summary><c>cultureprobe demo</c>: the whole probe on synthetic data and a tiny random model.</summary>
internal static class DemoCommand
{
    /// <summary>Countries of the demo: Western and non-Western, on every inhabited continent, and those of the multilingual study (Denmark, the Netherlands, Portugal), so that <c>study</c> can run on the demo's pack.</summary>
    public const string DemoCountries = "USA,CAN,AUS,DEU,SWE,DNK,NLD,PRT,JPN,CHN,IND,NGA,EGY,BRA,MEX";

    /// <summary>Questions of the demo: a few from several themes.</summary>
    public const string DemoQuestions = "Q1-Q6,Q27-Q33,Q46,Q49,Q57-Q63,Q164,Q177-Q188,Q235-Q238";

    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the demo's files.", DefaultValueFactory = _ => new DirectoryInfo("demo-out") };
        var command = new Command("demo", "Run the whole probe on a SYNTHETIC survey with a tiny random model, and write the report. Every number it shows is synthetic.") { output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var folder = parse.GetValue(output)!.FullName;
            Directory.CreateDirectory(folder);
            var console = ConsoleFactory.Create(parse.InvocationConfiguration.Output);
            console.MarkupLine("[bold yellow]SYNTHETIC DEMO[/]: the survey answers and the model are generated here; no real population or real model is measured.");
            var bank = QuestionBankLoader.Default;
            var countries = CountryTable.Default.Select(DemoCountries);

            var csv = Path.Combine(folder, "wvs7.synthetic.csv");
            var rows = new SyntheticSurveyGenerator(bank, CountryTable.Default).Write(csv, new SyntheticSurveyOptions(countries.Select(c => c.Iso3).ToArray(), RowsPerCountry: 300));
            var pack = new WvsCsvImporter(bank, CountryTable.Default).Import(csv, new WvsImportOptions());
            var packPath = Path.Combine(folder, "survey.synthetic.pack.json");
            SurveyPackFile.Write(pack, packPath);
            console.MarkupLine($"1. synthetic survey: {rows} respondents in {countries.Count} countries -> {Markup.Escape(packPath)}");

            var modelPath = Path.Combine(folder, "tiny-random-llama.synthetic.gguf");
            if (!File.Exists(modelPath))
            {
                TinyLlamaGgufWriter.Write(modelPath, new TinyLlamaSpec(EmbeddingLength: 64, LayerCount: 2, HeadCount: 4, KvHeadCount: 2, FeedForwardLength: 128, VocabularySize: 512, ContextLength: 2048, Seed: 7));
            }
            console.MarkupLine($"2. tiny random Llama model (random weights, knows nothing) -> {Markup.Escape(modelPath)}");

            // Each item in its order and reversed, so the report shows the position bias and averages it out; every
            // rotation (--option-orders rotations) would take about five times as long for this demo.
            var spec = new ProbeSpec(bank.Select(DemoQuestions).Where(q => q.IsOrdinal).ToArray(), countries, PromptTemplateSet.BuiltIn().Default("en"), AnswerFormat.LetterAndText,
                Orders: OptionOrders.Parse("reversed"));
            var job = new ProbeJob(pack, bank, CountryTable.Default, [spec],
                [new ModelRequest(modelPath, LlamaBackend.Definition.Name, "tiny-random-llama")],
                BackendSettings.Empty.With(new LlamaModelOptions { F32KvCache = true }),
                [], LikelihoodNormalization.None, new AlignmentOptions(BootstrapResamples: 500), Path.Combine(folder, "results.db"));
            var outcome = await new ProbeService(Backends.Registry).RunAsync(job, new ProbeConsole(console), cancellationToken).ConfigureAwait(false);
            var summary = outcome.Models[0].Runs[0];
            console.MarkupLine($"3. probed {spec.Questions.Count} questions × {countries.Count} countries with Kim & Baek's prompt, the options in their order and reversed: {summary.Scored} (item, order) pairs scored, {summary.Reused} reused from the store, {summary.Failed} failed, in {summary.Elapsed.TotalSeconds:F1} s");

            var report = RunOutput.Write(console, outcome.Results[0], folder, bank, CountryTable.Default, new ReportOptions(Title: "CultureProbe demo (synthetic)"));
            console.MarkupLine($"4. [bold]report:[/] {Markup.Escape(report)}");
            console.MarkupLine($"   tables: {Markup.Escape(Path.Combine(folder, ResultsFiles.AlignmentCsv))}, {Markup.Escape(Path.Combine(folder, ResultsFiles.ItemsCsv))}");
            console.MarkupLine("[bold yellow]SYNTHETIC[/]: a random model is expected to score near zero; the figures show the method, not a finding.");

            var studyReport = RunStudy(console, Path.Combine(folder, "study"));
            console.MarkupLine($"6. [bold]study report:[/] {Markup.Escape(studyReport)}");
            return Program.ExitOk;
        });
        return command;
    }

    /// <summary>
    /// The multilingual study in the paper's design on synthetic data: synthetic joint EVS/WVS microdata for the paper's
    /// countries, and the judged responses of three synthetic models (one echoing each language's population, one the US,
    /// one nobody), analysed exactly as <c>study --responses</c> analyses real ones.
    /// </summary>
    private static string RunStudy(IAnsiConsole console, string folder)
    {
        Directory.CreateDirectory(folder);
        var topics = StudyTopicSet.Default;
        string[] languages = ["da", "en", "nl", "pt"];
        var surveyPath = Path.Combine(folder, "joint-evs-wvs.synthetic.csv");
        var rows = SyntheticStudySurvey.Write(surveyPath, topics, SyntheticStudySurvey.DefaultCountries, rowsPerCountry: 300);
        var populations = StudyPopulationReader.Read(surveyPath, topics, new StudyPopulationOptions(languages));
        console.MarkupLine($"5. multilingual study (Rystrøm, Kirk & Hale's design): synthetic joint EVS/WVS microdata, {rows} respondents in {SyntheticStudySurvey.DefaultCountries.Count} countries -> {Markup.Escape(surveyPath)}");
        var prompts = StudyPrompts.Sample(StudyPrompts.DefaultTemplates, topics.Topics, languages, perLanguage: 300, seed: 1);
        var responses = SyntheticStudyResponses.Create(SyntheticStudyResponses.DefaultModels, prompts, populations.Shares, "US", samples: 1, seed: 7);
        var responsesPath = Path.Combine(folder, "study_responses.synthetic.csv");
        StudyFiles.WriteResponses(responses, responsesPath);
        console.MarkupLine($"   judged responses of {SyntheticStudyResponses.DefaultModels.Count} synthetic models to {prompts.Count} prompts naming no country -> {Markup.Escape(responsesPath)}");
        // Made-up capability scores, so the capability regressions and their figure have something to show.
        var capability = (from model in SyntheticStudyResponses.DefaultModels.Select((m, i) => (m.Id, Base: 70.0 - (12 * i)))
                          from language in languages.Select((l, i) => (l, Offset: 4.0 * i))
                          select new BenchmarkScore(model.Id, "synthetic-benchmark", language.l, model.Base - language.Offset, SyntheticStudyResponses.Family)).ToArray();
        var warnings = new List<string>(populations.Warnings);
        var options = new StudyAnalysisOptions { Rounds = 100, Seed = 0 };
        var report = StudyAnalysis.Run(new StudyInputs(StudyBaselines.AddTo(responses, 0), populations.Shares, capability, [], populations.Answers, warnings), options);
        var provenance = new StudyProvenance(ProgramInfo.Version, DateTimeOffset.UtcNow, "paper",
            [StudyInputFile.Of("survey", surveyPath), StudyInputFile.Of("responses", responsesPath)], [], null, null, options.JudgeError, "paper", null,
            $"CultureProbe's templates (sha256 {StudyPrompts.DefaultTemplatesSha256[..16]}): 300 per language, seed 1; responses SYNTHETIC", null, null,
            StudyPopulationOptions.PaperWeights, null, Synthetic: true);
        return StudyCommand.WritePaperStudy(console, report, provenance, folder);
    }
}
