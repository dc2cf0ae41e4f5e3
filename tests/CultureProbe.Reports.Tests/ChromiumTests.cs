using System.Diagnostics;
using System.Text.RegularExpressions;

namespace CultureProbe.Reports.Tests;

/// <summary>
/// Opens the report in headless Chromium, as the project's acceptance check does: no console message
/// at all (the report has no script, so any message is a parse, policy or load problem) and every
/// chart in the DOM. Skipped where Chromium is not installed.
/// </summary>
public sealed partial class ChromiumTests
{
    private static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

    [Fact]
    public async Task Report_opens_in_headless_chromium_without_console_messages()
    {
        var chromium = Candidates.FirstOrDefault(File.Exists);
        if (chromium is null)
        {
            Assert.Skip("Chromium is not installed (looked for " + string.Join(", ", Candidates) + "); apt-get install chromium to run this test.");
        }
        using var directory = new TempDirectory();
        var path = directory.File("report.html");
        var results = SampleResults.Build(synthetic: true);
        new HtmlReportWriter().Write(results, SampleResults.Countries, SampleResults.Bank, ReportOptions.Default, path);
        var expectedSvgs = ReportDocument.Parse(File.ReadAllText(path)).Descendants(ReportDocument.Svg + "svg").Count();

        var (exitCode, dom, log) = await Run(chromium, directory.File("profile"), new Uri(path).AbsoluteUri);

        exitCode.ShouldBe(0, log);
        var console = log.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)).ToList();
        console.ShouldBeEmpty("console messages:\n" + string.Join('\n', console));
        SvgOpening().Matches(dom).Count.ShouldBe(expectedSvgs);
        foreach (var id in new[] { "chart-category-boxplots", "chart-continent-bars", "chart-base-chat", "chart-world-map-0-", "chart-scatter-0-", "synthetic-banner" })
        {
            dom.ShouldContain($"id=\"{id}", customMessage: $"{id} is missing from the DOM");
        }
        dom.ShouldNotContain("parsererror");
    }

    private static async Task<(int ExitCode, string Dom, string Log)> Run(string chromium, string profile, string url)
    {
        var start = new ProcessStartInfo(chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", $"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--dump-dom", url,
        })
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {chromium}");
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await output, await error);
    }

    [GeneratedRegex("<svg[\\s>]")]
    private static partial Regex SvgOpening();
}
