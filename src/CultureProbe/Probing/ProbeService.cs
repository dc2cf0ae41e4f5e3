using CultureProbe.Analysis;
using CultureProbe.Backends;
using CultureProbe.Models;
using CultureProbe.Surveys;

namespace CultureProbe.Probing;

/// <summary>A model the user asked for: what to open, with which backend, and its id in tables.</summary>
/// <param name="Reference">A GGUF path, or a served model's name.</param>
/// <param name="Backend">The backend's name (<c>llama</c>, <c>vllm</c>, …).</param>
/// <param name="Id">Its id in tables; null for the backend's default.</param>
public sealed record ModelRequest(string Reference, string Backend, string? Id = null);

/// <summary>Everything one probe job needs: the survey, what to ask, which models, and where to keep results.</summary>
/// <param name="Pack">The population's distributions.</param>
/// <param name="Bank">The question bank the specs' questions come from.</param>
/// <param name="Countries">The country table (continents, Western flags).</param>
/// <param name="Specs">What to ask; one for <c>run</c>, one per (language, template) for the country-cued study.</param>
/// <param name="Models">The models, run one after another.</param>
/// <param name="BackendSettings">The backends' settings.</param>
/// <param name="Cards">Model cards matched by model id.</param>
/// <param name="Normalisation">Length normalisation of log-likelihoods.</param>
/// <param name="Alignment">Bootstrap and tie settings.</param>
/// <param name="StorePath">The result store.</param>
public sealed record ProbeJob(
    SurveyPack Pack,
    QuestionBank Bank,
    CountryTable Countries,
    IReadOnlyList<ProbeSpec> Specs,
    IReadOnlyList<ModelRequest> Models,
    BackendSettings BackendSettings,
    IReadOnlyList<ModelCard> Cards,
    LikelihoodNormalization Normalisation,
    AlignmentOptions Alignment,
    string StorePath);

/// <summary>What one model's part of a job did.</summary>
/// <param name="Model">The model.</param>
/// <param name="Runs">One summary per spec, in spec order.</param>
/// <param name="Usage">The model's usage line (requests, tokens, cost), when it has one.</param>
public sealed record ModelRunReport(PlannedModel Model, IReadOnlyList<ProbeRunSummary> Runs, string? Usage);

/// <summary>What a job produced.</summary>
/// <param name="Results">One result set per spec, in spec order.</param>
/// <param name="Models">What each model's runs did.</param>
/// <param name="Missing">Items without a score (failed or interrupted) over all specs.</param>
public sealed record ProbeOutcome(IReadOnlyList<ProbeResults> Results, IReadOnlyList<ModelRunReport> Models, long Missing);

/// <summary>Watches a job: wraps each run of a model in whatever display the caller has (a progress bar, log lines).</summary>
public interface IProbeObserver
{
    /// <summary>Called once a model is open, before its runs.</summary>
    void ModelOpened(PlannedModel model) { }

    /// <summary>Runs <paramref name="run"/> (one spec of one model), giving it a progress sink.</summary>
    Task<ProbeRunSummary> RunAsync(PlannedModel model, ProbeSpec spec, Func<IProgress<ProbeProgress>?, Task<ProbeRunSummary>> run) => run(null);

    /// <summary>Called when a model's runs are done, before it is closed.</summary>
    void ModelDone(ModelRunReport report) { }
}

/// <summary>
/// Runs a probe job from settings to results, the one path every verb that probes models takes (as
/// lm-evaluation-harness's <c>simple_evaluate</c>): checks every setting before opening anything, opens each model
/// through the backend registry, plans its items, measures and stores them, and builds the results from the store.
/// </summary>
public sealed class ProbeService
{
    private readonly BackendRegistry _backends;
    private readonly TimeProvider _time;

    /// <summary>Creates the service over <paramref name="backends"/>.</summary>
    public ProbeService(BackendRegistry backends, TimeProvider? time = null)
    {
        _backends = backends;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Checks what can be checked before any model is opened: every backend name and setting, and that the
    /// normalisation fits what each backend measures.
    /// </summary>
    /// <exception cref="SettingException">A backend is unknown, a setting is out of range, or the normalisation does not apply.</exception>
    public void Validate(ProbeJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Models.Count == 0)
        {
            throw new SettingException("model", "expected at least one model");
        }
        if (job.Specs.Count == 0 || job.Specs.Any(s => s.Questions.Count == 0))
        {
            throw new SettingException("questions", "expected at least one question to ask");
        }
        if (job.Specs.Any(s => s.Countries.Count == 0))
        {
            throw new SettingException("countries", "expected at least one country to ask about");
        }
        foreach (var request in job.Models)
        {
            if (string.IsNullOrWhiteSpace(request.Reference))
            {
                throw new SettingException("model", "expected a model file or served model name, found an empty one");
            }
            var backend = _backends.Get(request.Backend);
            if (backend.Method.Measures() == MeasurementKind.GeneratedText)
            {
                throw new SettingException("backend", $"{backend.Name} only writes free text, so it cannot answer survey items by their options; use a log-likelihood or chat backend, or use {backend.Name} with 'study'");
            }
            backend.Validate(new ModelSource(request.Reference, job.BackendSettings));
            if (job.Normalisation != LikelihoodNormalization.None && backend.Method.Measures() != MeasurementKind.LogLikelihood)
            {
                throw new SettingException("normalisation", $"{job.Normalisation.WireName()} divides log-likelihoods by answer length, but backend {backend.Name} measures {backend.Method.WireName()} (option shares); use none");
            }
        }
        var ids = job.Models.Select(m => m.Id ?? _backends.Get(m.Backend).DefaultModelId(m.Reference)).ToArray();
        var repeated = ids.GroupBy(i => i, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            throw new SettingException("model_id", $"model id '{repeated.Key}' would be used by {repeated.Count()} models; give each model its own id");
        }
    }

    /// <summary>Runs the job.</summary>
    /// <exception cref="InputException">Bad settings or inputs (checked first, before anything is measured).</exception>
    public async Task<ProbeOutcome> RunAsync(ProbeJob job, IProbeObserver? observer = null, CancellationToken cancellationToken = default)
    {
        Validate(job);
        observer ??= new SilentObserver();
        var survey = new SurveyIndex(job.Pack);
        var plans = job.Specs.Select(s => ProbePlan.Create(s, survey)).ToArray();
        var reports = new List<ModelRunReport>();
        // The store is opened once the first model has opened, so a model refused on load (no chat template, a bad
        // file) leaves no new store behind.
        ResultStore? opened = null;
        try
        {
            foreach (var request in job.Models)
            {
                var backend = _backends.Get(request.Backend);
                var model = await backend.OpenAsync(new ModelSource(request.Reference, job.BackendSettings), cancellationToken).ConfigureAwait(false);
                await using (model.ConfigureAwait(false))
                {
                    opened ??= ResultStore.Open(job.StorePath, _time);
                    var runner = new ProbeRunner(opened);
                    var planned = PlannedModel.Of(InfoFor(request, backend, model, job.Cards), model);
                    for (var s = 0; s < plans.Length; s++)
                    {
                        plans[s] = plans[s].With(planned);
                    }
                    observer.ModelOpened(planned);
                    var runs = new List<ProbeRunSummary>();
                    var options = new ProbeRunOptions(Math.Max(1, model.PreferredParallelism));
                    foreach (var plan in plans)
                    {
                        runs.Add(await observer.RunAsync(planned, plan.Spec, progress => runner.RunAsync(plan, planned, model, options, progress, cancellationToken)).ConfigureAwait(false));
                    }
                    var report = new ModelRunReport(planned, runs, model.UsageSummary);
                    reports.Add(report);
                    observer.ModelDone(report);
                }
            }
            var store = opened ?? ResultStore.Open(job.StorePath, _time);
            opened = store;
            var settings = new ResultsSettings(job.Countries, job.Bank, job.Pack.Provenance, job.Normalisation, job.Alignment, _time.GetUtcNow());
            long missing = 0;
            var results = plans.Select(plan =>
            {
                var built = ResultsBuilder.Build(plan, store, settings, out var planMissing);
                missing += planMissing;
                return built;
            }).ToArray();
            return new ProbeOutcome(results, reports, missing);
        }
        finally
        {
            opened?.Dispose();
        }
    }

    /// <summary>How a model appears in results: its id, where it came from, its card's facts and its fingerprint.</summary>
    private static ModelInfo InfoFor(ModelRequest request, IModelBackend backend, IProbeModel model, IReadOnlyList<ModelCard> cards)
    {
        var id = request.Id ?? backend.DefaultModelId(request.Reference);
        var card = cards.FirstOrDefault(c => c.Id.Equals(id, StringComparison.OrdinalIgnoreCase));
        var identity = model.Identity;
        // The demo's and the tests' models are written with "random" in their name or "synthetic" in their file name.
        var synthetic = identity.Name.Contains("random", StringComparison.OrdinalIgnoreCase) || identity.Source.Contains("synthetic", StringComparison.OrdinalIgnoreCase);
        return new ModelInfo(id, identity.Source, identity.Sha256, backend.Name, model.Method, model.PromptStyle == PromptStyle.Chat,
            card?.Family, card?.ParametersBillions, card?.Chat, card?.TrainingTokensTrillions, card?.Corpus.Notes, card?.BaseModel, synthetic,
            model.Fingerprint.ToDictionary());
    }

    private sealed class SilentObserver : IProbeObserver;
}
