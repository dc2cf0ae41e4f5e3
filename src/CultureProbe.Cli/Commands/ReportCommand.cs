using System.CommandLine;
using CultureProbe.Probing;
using CultureProbe.Reports;
using CultureProbe.Surveys;

namespace CultureProbe.Cli.Commands;

/// <summary><c>cultureprobe report</c>: rebuilds report.html from a finished run.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var run = new Argument<DirectoryInfo>("dir") { Description = "A run folder holding results.json." };
        var scatter = new Option<string?>("--scatter-country") { Description = "Country (ISO alpha-3) of the model-vs-population scatter." };
        var cases = new Option<string?>("--case-countries") { Description = "Comma-separated countries for the case-study tables of top answers." };
        var survey = new SurveyOptions();
        var command = new Command("report", "Rebuild report.html (self-contained HTML with SVG charts) from a finished run's results.json.") { run, scatter, cases, survey.Bank, survey.CountriesFile };
        command.SetAction(parse =>
        {
            var folder = parse.GetValue(run)!.FullName;
            var results = ResultsFiles.ReadJson(Path.Combine(folder, ResultsFiles.ResultsJson));
            var options = new ReportOptions(
                ScatterCountry: parse.GetValue(scatter)?.Trim().ToUpperInvariant(),
                CaseStudyCountries: parse.GetValue(cases)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(c => c.ToUpperInvariant()).ToArray());
            var countries = results.Items.Select(i => i.Country).ToHashSet(StringComparer.Ordinal);
            foreach (var (flag, code) in new[] { options.ScatterCountry }.Where(c => c is not null).Select(c => ("--scatter-country", c!))
                .Concat((options.CaseStudyCountries ?? []).Select(c => ("--case-countries", c))))
            {
                if (!countries.Contains(code))
                {
                    throw new InputException($"{flag}: {code} is not a country of this run (it has {string.Join(", ", countries.Order(StringComparer.Ordinal))})");
                }
            }
            var bank = survey.QuestionBank(parse);
            if (results.Provenance.QuestionBankSha256 != bank.Sha256)
            {
                throw new InputException($"{folder}: the results were made with another question bank (SHA-256 {results.Provenance.QuestionBankSha256[..12]}…, this one is {bank.Sha256[..12]}…); give the run's bank with --bank");
            }
            var path = ReportOutput.WriteReport(results, folder, bank, survey.Countries(parse), options);
            parse.InvocationConfiguration.Output.WriteLine($"report -> {path}");
            return Program.ExitOk;
        });
        return command;
    }
}
