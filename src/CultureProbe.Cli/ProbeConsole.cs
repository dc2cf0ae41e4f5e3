using System.Globalization;
using CultureProbe.Probing;
using CultureProbe.Reports;
using CultureProbe.Surveys;
using Spectre.Console;

namespace CultureProbe.Cli;

/// <summary>Shows a probe job on the console: a progress bar per run (log lines when output is redirected), a summary line per run, the reasons of failures.</summary>
internal sealed class ProbeConsole(IAnsiConsole console) : IProbeObserver
{
    public void ModelOpened(PlannedModel model) =>
        console.MarkupLine(Markup.Escape($"{model.Info.Id}: {model.Info.Backend}, {model.Method.WireName()}; fingerprint {model.Fingerprint.Sha256[..12]}"));

    public async Task<ProbeRunSummary> RunAsync(PlannedModel model, ProbeSpec spec, Func<IProgress<ProbeProgress>?, Task<ProbeRunSummary>> run)
    {
        var label = $"{model.Info.Id} {spec.Template.Id}";
        ProbeRunSummary summary;
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
                console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {label}: {p.Done}/{p.Total} items, {rate:F1} items/s, ETA {eta:hh\\:mm\\:ss}"));
            });
            summary = await run(progress).ConfigureAwait(false);
        }
        else
        {
            ProbeRunSummary? result = null;
            await console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ItemRateColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask(Markup.Escape(label), maxValue: 1);
                    var progress = new Progress<ProbeProgress>(p =>
                    {
                        task.MaxValue = Math.Max(1, p.Total);
                        task.Value = p.Done;
                        task.Description = Markup.Escape($"{model.Info.Id} {p.Current}");
                    });
                    result = await run(progress).ConfigureAwait(false);
                    task.Value = task.MaxValue;
                }).ConfigureAwait(false);
            summary = result!;
        }
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{label}: {summary.Scored} scored, {summary.Reused} already stored, {summary.Failed} failed, {summary.NotAsked} (question, country) pairs not asked in the survey; {summary.Elapsed.TotalSeconds:F1} s")));
        WriteFailureReasons(console, summary.FailureReasons);
        return summary;
    }

    public void ModelDone(ModelRunReport report)
    {
        if (report.Usage is not null)
        {
            console.MarkupLine(Markup.Escape($"{report.Model.Info.Id}: {report.Usage}"));
        }
    }

    /// <summary>The distinct reasons items failed, with counts, so that a user can tell a flaky server from a problem that retrying cannot fix.</summary>
    public static void WriteFailureReasons(IAnsiConsole console, IReadOnlyList<FailureReason> reasons)
    {
        foreach (var reason in reasons.Take(5))
        {
            console.MarkupLine($"[yellow]  {reason.Items.ToString(CultureInfo.InvariantCulture)} item(s) failed:[/] {Markup.Escape(reason.Reason)}");
        }
        if (reasons.Count > 5)
        {
            console.MarkupLine(Markup.Escape($"  … and {reasons.Count - 5} more reasons ({reasons.Skip(5).Sum(r => r.Items)} items); the result store's failures table has them all"));
        }
    }

    /// <summary>Items per second, for the progress bar.</summary>
    private sealed class ItemRateColumn : ProgressColumn
    {
        public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Markup(task.Speed is { } speed ? string.Create(CultureInfo.InvariantCulture, $"{speed:F1} items/s") : "");
    }
}

/// <summary>Writes a finished run's files, report and summary table: the same ending for every verb that probes.</summary>
internal static class RunOutput
{
    /// <summary>Writes results.json, the CSVs and report.html into <paramref name="folder"/> and prints the summary; returns the report's path.</summary>
    public static string Write(IAnsiConsole console, ProbeResults results, string folder, QuestionBank bank, CountryTable countries, ReportOptions? reportOptions = null)
    {
        ResultsFiles.WriteAll(results, folder);
        var report = ReportOutput.WriteReport(results, folder, bank, countries, reportOptions);
        SummaryTable.Write(console, results);
        return report;
    }
}
