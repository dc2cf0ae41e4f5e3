using CultureProbe.Probing;
using CultureProbe.Reports;
using CultureProbe.Surveys;

namespace CultureProbe.Cli;

/// <summary>Writes report.html next to a run's results.</summary>
internal static class ReportOutput
{
    public const string ReportFile = "report.html";

    public static string WriteReport(ProbeResults results, string folder, QuestionBank bank, CountryTable countries, ReportOptions? options = null)
    {
        var path = Path.Combine(folder, ReportFile);
        new HtmlReportWriter().Write(results, countries, bank, options ?? ReportOptions.Default, path);
        return path;
    }
}
