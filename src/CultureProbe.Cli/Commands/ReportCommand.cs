using System.CommandLine;
using CultureProbe.Probing;
using CultureProbe.Reports;

namespace CultureProbe.Cli.Commands;

/// <summary><c>cultureprobe report</c>: rebuilds report.html from a finished run.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var run = new Argument<DirectoryInfo>("dir") { Description = "A run folder holding results.json." };
        var scatter = new Option<string?>("--scatter-country") { Description = "Country (ISO alpha-3) of the model-vs-population scatter." };
        var cases = new Option<string?>("--case-countries") { Description = "Comma-separated countries for the case-study tables of top answers." };
        var command = new Command("report", "Rebuild report.html (self-contained HTML with SVG charts) from a finished run's results.json.") { run, scatter, cases };
        command.SetAction(parse =>
        {
            var folder = parse.GetValue(run)!.FullName;
            var results = ResultsFiles.ReadJson(Path.Combine(folder, ResultsFiles.ResultsJson));
            var options = new ReportOptions(
                ScatterCountry: parse.GetValue(scatter)?.Trim().ToUpperInvariant(),
                CaseStudyCountries: parse.GetValue(cases)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(c => c.ToUpperInvariant()).ToArray());
            var path = ReportOutput.WriteReport(results, folder, options);
            parse.InvocationConfiguration.Output.WriteLine($"report -> {path}");
            return Program.ExitOk;
        });
        return command;
    }
}
