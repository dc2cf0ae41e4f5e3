using CultureProbe.Analysis;
using CultureProbe.Models;
using CultureProbe.Probing;
using CultureProbe.Prompts;
using CultureProbe.Surveys;

namespace CultureProbe.Tests.Probing;

/// <summary>Runs the production path (plan → runner → store → results builder) with fake models on a synthetic pack.</summary>
internal static class ProbeHarness
{
    public static SurveyPack SyntheticPack(TempDirectory temp, string countries, int rows = 60, double notAskedRate = 0.0)
    {
        var bank = QuestionBankLoader.Default;
        var csv = temp.File($"s-{Guid.NewGuid():N}.synthetic.csv");
        new SyntheticSurveyGenerator(bank, CountryTable.Default).Write(csv, new SyntheticSurveyOptions(countries.Split(','), RowsPerCountry: rows, NotAskedRate: notAskedRate));
        return new WvsCsvImporter(bank, CountryTable.Default).Import(csv, new WvsImportOptions());
    }

    public static ProbeSpec Spec(string questions, string countries, AnswerFormat format = AnswerFormat.LetterAndText, string? template = null) => new(
        QuestionBankLoader.Default.Select(questions).Where(q => q.IsOrdinal).ToArray(),
        CountryTable.Default.Select(countries),
        template is null ? PromptTemplateSet.BuiltIn().Default("en") : PromptTemplateSet.BuiltIn().Get("en", template),
        format);

    public static PlannedModel Planned(IProbeModel model, string? id = null) =>
        PlannedModel.Of(new ModelInfo(id ?? model.Identity.Name, model.Identity.Source, null, "fake", model.Method, model.PromptStyle == PromptStyle.Chat), model);

    /// <summary>Plans, runs and builds the results of one model, as the probe service does.</summary>
    public static async Task<(ProbeResults Results, ProbeRunSummary Summary, ProbePlan Plan)> RunAsync(
        SurveyPack pack, ProbeSpec spec, IProbeModel model, ResultStore store, LikelihoodNormalization normalisation = LikelihoodNormalization.None, int bootstrap = 0, CancellationToken cancellationToken = default)
    {
        var planned = Planned(model);
        var plan = ProbePlan.Create(spec, new SurveyIndex(pack)).With(planned);
        var summary = await new ProbeRunner(store).RunAsync(plan, planned, model, new ProbeRunOptions(), null, cancellationToken);
        var results = ResultsBuilder.Build(plan, store, new ResultsSettings(CountryTable.Default, QuestionBankLoader.Default, pack.Provenance, normalisation,
            new AlignmentOptions(BootstrapResamples: bootstrap, Seed: 1), DateTimeOffset.UnixEpoch), out _);
        return (results, summary, plan);
    }
}
