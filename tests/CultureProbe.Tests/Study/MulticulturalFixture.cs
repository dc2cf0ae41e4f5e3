using System.Globalization;
using CultureProbe.Study;
using Shouldly;

namespace CultureProbe.Tests.Study;

/// <summary>
/// The fixtures under Fixtures/multicultural: extracts of the authors' released files and the
/// values our Python oracle computed from them (see the README there for the command).
/// </summary>
internal static class MulticulturalFixture
{
    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([AppContext.BaseDirectory, "Fixtures", "multicultural", .. parts]);

    /// <summary>A fixture CSV as rows of column → text (the fixtures hold no quoted fields).</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Rows(params string[] parts)
    {
        var lines = File.ReadAllLines(Path(parts)).Where(l => l.Length > 0).ToArray();
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(line =>
        {
            var fields = line.Split(',');
            fields.Length.ShouldBe(header.Length, line);
            return (IReadOnlyDictionary<string, string>)header.Zip(fields).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        }).ToArray();
    }

    public static double Number(this IReadOnlyDictionary<string, string> row, string column) =>
        row[column] is "" or "nan" or "NaN" ? double.NaN : double.Parse(row[column], CultureInfo.InvariantCulture);

    public static StudyInputs Inputs(bool withGlobal = true)
    {
        var files = new StudyInputFiles(
            Path("responses.csv"),
            LanguagePopulations: Path("ground_truth_per_language.csv"),
            CountryPopulations: Path("ground_truth_every_country.csv"),
            GlobalPopulation: withGlobal ? Path("ground_truth_global.csv") : null,
            Benchmarks: Path("multilingual_benchmarks.csv"));
        return StudyInputReader.Read(files);
    }

    /// <summary>|actual − expected| ≤ tolerance · max(1, |expected|): relative for large values, absolute near zero.</summary>
    public static void ShouldBeClose(this double actual, double expected, double tolerance, string what)
    {
        if (double.IsNaN(expected))
        {
            actual.ShouldBe(double.NaN, what);
            return;
        }
        Math.Abs(actual - expected).ShouldBeLessThanOrEqualTo(tolerance * Math.Max(1.0, Math.Abs(expected)), $"{what}: {actual:R} vs {expected:R}");
    }
}
