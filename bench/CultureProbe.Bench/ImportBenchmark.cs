using System.Diagnostics;
using System.Globalization;
using CultureProbe.Surveys;

namespace CultureProbe.Bench;

/// <summary>
/// Imports a synthetic file the size of the official WVS-7 release (about 97,000 rows, every
/// column Q1..Q290 plus administrative and derived columns) and reports wall time, rows/s and
/// peak memory as the median of several runs, each in a fresh process so peaks do not mix.
/// </summary>
internal static class ImportBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 2 && args[0] == "--once")
        {
            return ImportOnce(args[1]);
        }
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var folder = Path.Combine(Path.GetTempPath(), "cultureprobe-bench");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "wvs7-full-size.synthetic.csv");
        if (!File.Exists(file))
        {
            Console.WriteLine("generating the full-size synthetic file (once)...");
            // 64 countries x 1,516 rows = 97,024 rows, as many as the official release has.
            var countries = CountryTable.Default.Countries.Where(c => c.Surveys.Contains("WVS7")).Select(c => c.Iso3).Take(64).ToArray();
            new SyntheticSurveyGenerator(QuestionBankLoader.Default, CountryTable.Default)
                .Write(file, new SyntheticSurveyOptions(countries, RowsPerCountry: 97_024 / countries.Length, DerivedColumns: 180));
        }
        var size = new FileInfo(file).Length;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"file: {file} ({size / 1e6:F0} MB)"));
        var results = new List<(double Seconds, long Rows, long PeakBytes)>();
        for (var i = 0; i < runs; i++)
        {
            // Run through the apphost when there is one, else through 'dotnet <this dll>'.
            var host = Environment.ProcessPath!;
            string[] childArgs = Path.GetFileNameWithoutExtension(host) == "dotnet"
                ? [typeof(ImportBenchmark).Assembly.Location, "import", "--once", file]
                : ["import", "--once", file];
            var start = new ProcessStartInfo(host, childArgs)
            {
                RedirectStandardOutput = true,
            };
            using var process = Process.Start(start)!;
            var line = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
            await process.WaitForExitAsync().ConfigureAwait(false);
            var parts = line.Trim().Split(' ');
            results.Add((double.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture)));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {i + 1}: {results[^1].Seconds:F2} s, {results[^1].Rows / results[^1].Seconds:F0} rows/s, peak {results[^1].PeakBytes / 1048576.0:F0} MiB"));
        }
        var seconds = Median(results.Select(r => r.Seconds));
        var peak = Median(results.Select(r => (double)r.PeakBytes));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median of {runs}: {seconds:F2} s, {results[0].Rows / seconds:F0} rows/s, {size / 1e6 / seconds:F0} MB/s, peak memory {peak / 1048576.0:F0} MiB ({Environment.ProcessorCount} cores)"));
        return 0;
    }

    private static int ImportOnce(string file)
    {
        var stopwatch = Stopwatch.StartNew();
        var pack = new WvsCsvImporter(QuestionBankLoader.Default, CountryTable.Default).Import(file, new WvsImportOptions());
        var output = Path.Combine(Path.GetTempPath(), "cultureprobe-bench", "pack.json");
        SurveyPackFile.Write(pack, output);
        stopwatch.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{stopwatch.Elapsed.TotalSeconds} {pack.Provenance.RowsRead} {PeakResidentBytes()}"));
        return 0;
    }

    /// <summary>Peak resident set size (VmHWM) of this process, from /proc on Linux.</summary>
    private static long PeakResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }
        return Process.GetCurrentProcess().PeakWorkingSet64;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
