using System.Diagnostics;
using System.Threading.Channels;
using CultureProbe.Analysis;
using CultureProbe.Models;

namespace CultureProbe.Probing;

/// <summary>How a run is carried out (not what it asks).</summary>
/// <param name="Parallelism">Question trees measured at once: 1 for a local model, up to the requests in flight for servers.</param>
public sealed record ProbeRunOptions(int Parallelism = 1);

/// <summary>Progress of a run, in items (model × question × country).</summary>
/// <param name="Total">Items the run needs.</param>
/// <param name="Done">Items stored or failed, including those found already stored.</param>
/// <param name="Reused">Items found already stored.</param>
/// <param name="Failed">Items that failed in this run.</param>
/// <param name="Current">What is being measured now.</param>
public sealed record ProbeProgress(long Total, long Done, long Reused, long Failed, string Current);

/// <summary>Why items failed, and how many.</summary>
/// <param name="Reason">The error, in one line.</param>
/// <param name="Items">Items that failed for it.</param>
public sealed record FailureReason(string Reason, long Items);

/// <summary>What a run did.</summary>
/// <param name="Total">Items the run needed.</param>
/// <param name="Scored">Items measured now.</param>
/// <param name="Reused">Items already in the store.</param>
/// <param name="Failed">Items that failed (recorded as failures, never as scores).</param>
/// <param name="NotAsked">(Question, country) pairs skipped because the survey has no answers for them.</param>
/// <param name="Elapsed">Wall time.</param>
/// <param name="FailureReasons">The distinct reasons of the failures, most frequent first.</param>
public sealed record ProbeRunSummary(long Total, long Scored, long Reused, long Failed, long NotAsked, TimeSpan Elapsed, IReadOnlyList<FailureReason> FailureReasons);

/// <summary>
/// Measures the question trees of a plan with an open model and stores each tree the moment it is measured.
/// Trees already stored are skipped, so a rerun after an interruption, even a SIGKILL, finishes the work without
/// repeating or duplicating any of it. Trees are measured in parallel (for servers); one writer task commits them
/// to the store in the order they finish, one transaction per tree.
/// </summary>
public sealed class ProbeRunner
{
    private readonly ResultStore _store;

    /// <summary>Creates a runner that writes to <paramref name="store"/>.</summary>
    public ProbeRunner(ResultStore store) => _store = store;

    /// <summary>Measures <paramref name="model"/>'s trees of <paramref name="plan"/>.</summary>
    /// <param name="plan">The run's plan.</param>
    /// <param name="planned">The plan's entry for the model; its fingerprint must be the open model's.</param>
    /// <param name="model">The open model.</param>
    /// <param name="options">Parallelism.</param>
    /// <param name="progress">Receives progress after every stored tree.</param>
    /// <param name="cancellationToken">Stops the run; trees measured before it are still stored.</param>
    public async Task<ProbeRunSummary> RunAsync(ProbePlan plan, PlannedModel planned, IProbeModel model, ProbeRunOptions options, IProgress<ProbeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(planned);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (model.Fingerprint.Sha256 != planned.Fingerprint.Sha256)
        {
            throw new ArgumentException($"model {planned.Info.Id}: the open model's fingerprint is not the planned one", nameof(model));
        }
        var started = Stopwatch.StartNew();
        var stored = _store.Keys();
        var trees = plan.TreesOf(planned.Info.Id).ToArray();
        long total = trees.Sum(t => (long)t.Items.Count);
        long reused = trees.Sum(t => (long)t.Items.Count(i => stored.Contains(i.Key)));
        var pending = trees
            .Select(t => (Tree: t, Items: t.Items.Where(i => !stored.Contains(i.Key)).ToArray()))
            .Where(p => p.Items.Length > 0)
            .ToArray();

        var counts = new Counts(total, reused);
        progress?.Report(counts.Progress("starting"));
        var finished = Channel.CreateBounded<Measured>(new BoundedChannelOptions(Math.Max(4, 2 * options.Parallelism)) { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writer = Task.Run(async () =>
        {
            try
            {
                await WriteAsync(finished.Reader, counts, progress).ConfigureAwait(false);
            }
            catch
            {
                // A store that cannot be written (disk full, damaged file) stops the measuring too.
                await stop.CancelAsync().ConfigureAwait(false);
                throw;
            }
        });
        try
        {
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism), CancellationToken = stop.Token }, async (work, token) =>
            {
                var measured = await MeasureAsync(model, work.Tree, work.Items, token).ConfigureAwait(false);
                await finished.Writer.WriteAsync(measured, token).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        finally
        {
            // What was measured before a cancellation or failure is still committed.
            finished.Writer.TryComplete();
            await writer.ConfigureAwait(false);
        }
        return new ProbeRunSummary(total, counts.Scored, reused, counts.Failed, plan.NotAskedPerModel, started.Elapsed, counts.Reasons());
    }

    private async Task WriteAsync(ChannelReader<Measured> reader, Counts counts, IProgress<ProbeProgress>? progress)
    {
        await foreach (var measured in reader.ReadAllAsync().ConfigureAwait(false))
        {
            _store.AddTree(measured.Items, measured.Failures);
            counts.Add(measured);
            progress?.Report(counts.Progress($"{measured.Tree.Model.Info.Id} {measured.Tree.Prompts.Asked.Question.Code}"));
        }
    }

    /// <summary>Measures one tree's pending items; a failure of the model becomes a recorded failure of those items, never a score.</summary>
    private static async Task<Measured> MeasureAsync(IProbeModel model, QuestionTree tree, PlannedItem[] items, CancellationToken cancellationToken)
    {
        var request = new OptionRequest(tree.Prompts.Prefix, items.Select(i => new OptionBranch(i.Branch.Suffix, i.Branch.Choices)).ToArray());
        string error;
        try
        {
            var measures = await Measure(model, request, cancellationToken).ConfigureAwait(false);
            if (measures.Count == items.Length)
            {
                var stored = items.Select((item, b) => ToStoredItem(tree, item, model.Method, measures[b])).ToArray();
                return new Measured(tree, stored, []);
            }
            error = $"the backend returned {measures.Count} branches for {items.Length} asked";
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (MeasurementException e)
        {
            error = e.Message;
        }
#pragma warning disable CA1031 // One item's failure must not end the run: it is recorded and retried on the next run.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error = $"{e.GetType().Name}: {e.Message}";
        }
        var failures = items.Select(i => new FailedItem(i.Key, tree.Model.Info.Id, tree.Prompts.Asked.Question.Code, i.Branch.Country.Iso3, OneLine(error))).ToArray();
        return new Measured(tree, [], failures);
    }

    /// <summary>The one place where methods differ: what each kind of model returns becomes the options of a stored item.</summary>
    private static async Task<IReadOnlyList<(IReadOnlyList<ScoredOption> Options, string? Details)>> Measure(IProbeModel model, OptionRequest request, CancellationToken cancellationToken)
    {
        switch (model)
        {
            case ILikelihoodModel likelihood:
            {
                var result = await likelihood.ScoreAsync(request, cancellationToken).ConfigureAwait(false);
                return result.Branches.Select((scores, b) =>
                {
                    var choices = request.Branches[Math.Min(b, request.Branches.Count - 1)].Choices;
                    if (scores.Count != choices.Count)
                    {
                        throw new MeasurementException($"branch {b}: the backend returned {scores.Count} scores for {choices.Count} options");
                    }
                    if (scores.Any(s => double.IsNaN(s.Sum) || double.IsPositiveInfinity(s.Sum) || s.Sum > 1e-9))
                    {
                        throw new MeasurementException($"branch {b}: a log-likelihood is NaN or positive");
                    }
                    IReadOnlyList<ScoredOption> options = scores.Select((s, k) => new ScoredOption(
                        choices[k].Text, s.Sum, s.TokenCount, ModelDistribution.Utf8ByteCount(choices[k].Text), s.IsGreedy,
                        s.Tokens.Select(t => t.Id).ToArray(), s.Tokens.Select(t => t.LogProb).ToArray())).ToArray();
                    return (options, (string?)null);
                }).ToArray();
            }
            case IOptionShareModel shares:
            {
                var result = await shares.MeasureSharesAsync(request, cancellationToken).ConfigureAwait(false);
                return result.Branches.Select((branch, b) =>
                {
                    var choices = request.Branches[Math.Min(b, request.Branches.Count - 1)].Choices;
                    if (branch.Shares.Count != choices.Count)
                    {
                        throw new MeasurementException($"branch {b}: the backend returned {branch.Shares.Count} shares for {choices.Count} options");
                    }
                    if (branch.Shares.Any(s => !(s >= 0 && double.IsFinite(s))) || !(branch.Shares.Sum() > 0))
                    {
                        throw new MeasurementException($"branch {b}: the shares are not non-negative numbers with a positive sum");
                    }
                    IReadOnlyList<ScoredOption> options = branch.Shares.Select((s, k) => new ScoredOption(choices[k].Label, Share: s)).ToArray();
                    return (options, branch.Details);
                }).ToArray();
            }
            default:
                throw new ArgumentException($"{model.Identity.Name}: a {model.Method.WireName()} model measures neither log-likelihoods nor option shares, so it cannot answer survey items", nameof(model));
        }
    }

    private static StoredItem ToStoredItem(QuestionTree tree, PlannedItem item, ScoringMethod method, (IReadOnlyList<ScoredOption> Options, string? Details) measure) =>
        new(item.Key, tree.Model.Info.Id, tree.Prompts.Asked.Question.Code, item.Branch.Country.Iso3, tree.Prompts.Template.Id, method, measure.Options, measure.Details);

    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 500 ? line : line[..497] + "...";
    }

    private sealed record Measured(QuestionTree Tree, IReadOnlyList<StoredItem> Items, IReadOnlyList<FailedItem> Failures);

    /// <summary>A measurement that came back in a shape or with numbers that cannot be stored.</summary>
    private sealed class MeasurementException(string message) : Exception(message);

    /// <summary>Counters kept by the single writer.</summary>
    private sealed class Counts(long total, long reused)
    {
        private readonly Dictionary<string, long> _reasons = new(StringComparer.Ordinal);
        private long _measured;

        public long Scored { get; private set; }

        public long Failed { get; private set; }

        public void Add(Measured measured)
        {
            Scored += measured.Items.Count;
            Failed += measured.Failures.Count;
            _measured += measured.Items.Count + measured.Failures.Count;
            foreach (var failure in measured.Failures)
            {
                _reasons[failure.Error] = _reasons.GetValueOrDefault(failure.Error) + 1;
            }
        }

        public ProbeProgress Progress(string current) => new(total, reused + _measured, reused, Failed, current);

        public IReadOnlyList<FailureReason> Reasons() =>
            _reasons.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal).Select(r => new FailureReason(r.Key, r.Value)).ToArray();
    }
}
