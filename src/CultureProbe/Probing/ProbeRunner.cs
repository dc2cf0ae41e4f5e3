using System.Text;
using CultureProbe.Models;
using CultureProbe.Prompts;
using CultureProbe.Surveys;

namespace CultureProbe.Probing;

/// <summary>A model taking part in a run.</summary>
/// <param name="Info">How the model appears in results.</param>
/// <param name="Model">The backend that scores prompts.</param>
/// <param name="ScorerOptions">Options of the backend that change its numbers (chat template, KV cache type, sampling settings), folded into every item's key.</param>
public sealed record ProbeModel(ModelInfo Info, ILanguageModel Model, string ScorerOptions);

/// <summary>What a run asks.</summary>
/// <param name="Questions">Items to ask.</param>
/// <param name="Countries">Countries to ask about.</param>
/// <param name="Template">Prompt template.</param>
/// <param name="AnswerFormat">How answers are written.</param>
/// <param name="CollapseSize">Collapse 10-point scales to this many groups, when the bank defines it.</param>
/// <param name="Parallelism">Questions scored at once (1 for a local model; more for servers).</param>
public sealed record ProbeSpec(
    IReadOnlyList<SurveyQuestion> Questions,
    IReadOnlyList<Country> Countries,
    PromptTemplate Template,
    AnswerFormat AnswerFormat,
    int? CollapseSize = null,
    int Parallelism = 1);

/// <summary>Progress of a run, in items (model × question × country).</summary>
/// <param name="Total">Items the run needs.</param>
/// <param name="Done">Items stored, including those found already stored.</param>
/// <param name="Reused">Items found already stored.</param>
/// <param name="Failed">Items that failed in this run.</param>
/// <param name="Current">What is being scored now.</param>
public sealed record ProbeProgress(long Total, long Done, long Reused, long Failed, string Current);

/// <summary>What a run did.</summary>
/// <param name="Total">Items the run needed.</param>
/// <param name="Scored">Items scored now.</param>
/// <param name="Reused">Items already in the store.</param>
/// <param name="Failed">Items that failed (recorded as failures, never as scores).</param>
/// <param name="NotAsked">(Question, country) pairs skipped because the survey has no answers for them.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record ProbeRunSummary(long Total, long Scored, long Reused, long Failed, long NotAsked, TimeSpan Elapsed);

/// <summary>
/// Scores every (model, question, country) of a run and stores each item as soon as it is
/// scored. Items already stored are skipped, so a rerun after an interruption, even a
/// SIGKILL, finishes the work without repeating or duplicating any of it.
/// </summary>
public sealed class ProbeRunner
{
    private readonly SurveyPack _pack;
    private readonly ResultStore _store;
    private readonly Lock _storeLock = new();

    /// <summary>Creates a runner that reads human data from <paramref name="pack"/> and writes to <paramref name="store"/>.</summary>
    public ProbeRunner(SurveyPack pack, ResultStore store)
    {
        _pack = pack;
        _store = store;
    }

    /// <summary>The key of one item: a content hash of everything that determines its scores.</summary>
    public static string ItemKey(ProbeModel model, QuestionPrompts prompts, PromptBranch branch)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(branch);
        var identity = model.Model.Identity;
        return ResultStore.KeyOf(
        [
            "cultureprobe-item-v1",
            identity.Sha256 ?? $"{identity.Backend}|{identity.Source}|{identity.Name}",
            model.Model.Method.WireName(),
            model.ScorerOptions,
            prompts.Template.Sha256,
            prompts.Asked.Question.Code,
            prompts.PromptFor(branch),
            branch.Country.Iso3,
            .. branch.Continuations,
        ]);
    }

    /// <summary>Runs the spec for every model; returns what was done.</summary>
    public async Task<ProbeRunSummary> RunAsync(ProbeSpec spec, IReadOnlyList<ProbeModel> models, IProgress<ProbeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(models);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var stored = _store.Keys();
        var work = new List<(ProbeModel Model, QuestionPrompts Prompts, List<(PromptBranch Branch, string Key)> Pending)>();
        long total = 0, reused = 0, notAsked = 0;
        foreach (var model in models)
        {
            foreach (var question in spec.Questions)
            {
                var asked = AskedQuestion.Create(question, spec.CollapseSize);
                // Countries without answers to this item get no prompt: there is nothing to compare with.
                var countries = spec.Countries.Where(c => asked.HumanShares(_pack.Find(c.Iso3, question.Code)) is not null).ToArray();
                notAsked += spec.Countries.Count - countries.Length;
                if (countries.Length == 0)
                {
                    continue;
                }
                var prompts = PromptBuilder.Build(asked, countries, spec.Template, spec.AnswerFormat);
                var pending = new List<(PromptBranch, string)>();
                foreach (var branch in prompts.Branches)
                {
                    total++;
                    var key = ItemKey(model, prompts, branch);
                    if (stored.Contains(key))
                    {
                        reused++;
                    }
                    else
                    {
                        pending.Add((branch, key));
                    }
                }
                if (pending.Count > 0)
                {
                    work.Add((model, prompts, pending));
                }
            }
        }

        long done = reused, failed = 0, scored = 0;
        progress?.Report(new ProbeProgress(total, done, reused, failed, "starting"));
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, spec.Parallelism), CancellationToken = cancellationToken }, async (unit, token) =>
        {
            var (model, prompts, pending) = unit;
            var chat = model.Info.UsedChatTemplate;
            var request = new ScoringRequest(prompts.Prefix, pending.Select(p => new ScoringBranch(
                p.Branch.Suffix,
                chat ? p.Branch.Continuations.Select(c => c.TrimStart()).ToArray() : p.Branch.Continuations)).ToArray());
            string? error = null;
            ScoringResult? result = null;
            try
            {
                result = await model.Model.ScoreAsync(request, token).ConfigureAwait(false);
                error = CheckShape(request, result);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                throw;
            }
#pragma warning disable CA1031 // One item's failure must not end the run: it is recorded and retried on the next run.
            catch (Exception e)
#pragma warning restore CA1031
            {
                error = $"{e.GetType().Name}: {e.Message}";
            }
            lock (_storeLock)
            {
                for (var b = 0; b < pending.Count; b++)
                {
                    var (branch, key) = pending[b];
                    if (error is not null || result is null)
                    {
                        _store.AddFailure(key, model.Info.Id, prompts.Asked.Question.Code, branch.Country.Iso3, error ?? "no result");
                        failed++;
                    }
                    else
                    {
                        _store.Add(ToStoredItem(key, model, prompts, branch, result.Branches[b]));
                        scored++;
                    }
                    done++;
                }
                progress?.Report(new ProbeProgress(total, done, reused, failed, $"{model.Info.Id} {prompts.Asked.Question.Code}"));
            }
        }).ConfigureAwait(false);
        return new ProbeRunSummary(total, scored, reused, failed, notAsked, started.Elapsed);
    }

    private static string? CheckShape(ScoringRequest request, ScoringResult result)
    {
        if (result.Branches.Count != request.Branches.Count)
        {
            return $"the backend returned {result.Branches.Count} branches for {request.Branches.Count} asked";
        }
        for (var b = 0; b < request.Branches.Count; b++)
        {
            var scores = result.Branches[b].Continuations;
            if (scores.Count != request.Branches[b].Continuations.Count)
            {
                return $"branch {b}: the backend returned {scores.Count} continuation scores for {request.Branches[b].Continuations.Count} asked";
            }
            if (scores.Any(s => double.IsNaN(s.Sum) || double.IsPositiveInfinity(s.Sum) || s.Sum > 1e-9))
            {
                return $"branch {b}: a log-likelihood is NaN or positive";
            }
        }
        return null;
    }

    private static StoredItem ToStoredItem(string key, ProbeModel model, QuestionPrompts prompts, PromptBranch branch, BranchScores scores)
    {
        var options = scores.Continuations.Select((s, i) => new ScoredOption(
            branch.Continuations[i],
            s.Sum,
            s.TokenCount,
            Encoding.UTF8.GetByteCount(branch.Continuations[i]),
            s.IsGreedy,
            s.Tokens.Select(t => t.Id).ToArray(),
            s.Tokens.Select(t => t.LogProb).ToArray())).ToArray();
        // Sampled shares are not a deterministic function of the key's inputs: they are marked so, with their settings.
        var sampled = model.Model.Method == ScoringMethod.ChatSampling;
        return new StoredItem(key, model.Info.Id, prompts.Asked.Question.Code, branch.Country.Iso3, prompts.Template.Id, model.Model.Method.WireName(), options,
            Deterministic: !sampled, SamplingInfo: scores.Details);
    }
}
