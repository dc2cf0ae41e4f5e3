using System.Globalization;
using System.Text;
using CultureProbe.IO;
using CultureProbe.Surveys;

namespace CultureProbe.Study;

/// <summary>A country of a synthetic study survey: its file code, its interview languages and their shares.</summary>
/// <param name="FileCode">The <c>cntry_AN</c> code, e.g. <c>DK</c>.</param>
/// <param name="Languages">Interview languages (ISO 639-1) with their shares of the country's respondents; the first is the main one.</param>
public sealed record SyntheticStudyCountry(string FileCode, IReadOnlyList<(string Language, double Share)> Languages);

/// <summary>
/// Writes SYNTHETIC microdata in the layout of the joint EVS/WVS file for the multilingual study: <c>cntry_AN</c>,
/// <c>lnge_iso</c>, <c>gwght</c>, <c>pwght</c> and one column per topic with answer codes 1..max (and some missing
/// codes). Each country sits at a point of two latent value dimensions and each topic loads on them, so countries
/// differ in a structured way. Nothing in it was surveyed: the <c>version</c> column and the file name say so.
/// </summary>
public static class SyntheticStudySurvey
{
    /// <summary>The paper's thirteen countries and their interview languages, with a little Danish-, Dutch- and Portuguese-speaking English and a non-study country.</summary>
    public static IReadOnlyList<SyntheticStudyCountry> DefaultCountries { get; } =
    [
        new("AU", [("en", 1.0)]), new("BR", [("pt", 1.0)]), new("CA", [("en", 0.8), ("fr", 0.2)]), new("DK", [("da", 0.97), ("en", 0.03)]),
        new("GB", [("en", 1.0)]), new("KE", [("en", 0.6), ("sw", 0.4)]), new("NG", [("en", 0.7), ("ha", 0.3)]), new("NIR", [("en", 1.0)]),
        new("NL", [("nl", 0.95), ("en", 0.05)]), new("NZ", [("en", 1.0)]), new("PT", [("pt", 1.0)]), new("SG", [("en", 0.6), ("zh", 0.4)]),
        new("US", [("en", 0.9), ("es", 0.1)]), new("DE", [("de", 1.0)]),
    ];

    /// <summary>Writes <paramref name="rowsPerCountry"/> respondents per country to <paramref name="path"/> atomically; returns the rows written.</summary>
    public static long Write(string path, StudyTopicSet topics, IReadOnlyList<SyntheticStudyCountry> countries, int rowsPerCountry, int seed = 7, double missingRate = 0.03)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(countries);
        if (rowsPerCountry is < 1 or > 1_000_000)
        {
            throw new SettingException("rows", $"expected 1 to 1000000 respondents per country, found {rowsPerCountry}");
        }
        long rows = 0;
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 20, leaveOpen: true) { NewLine = "\n" };
            writer.Write("studyno,version,cntry_AN,lnge_iso,gwght,pwght," + string.Join(',', topics.Topics.Select(t => t.Ivs)) + "\n");
            var random = new Random(seed);
            var line = new StringBuilder(512);
            foreach (var country in countries)
            {
                var countryRandom = new Random(Hash(seed, country.FileCode));
                var position = new[] { (countryRandom.NextDouble() * 2) - 1, (countryRandom.NextDouble() * 2) - 1 };
                var proProbability = topics.Topics.Select(t =>
                {
                    var topicRandom = new Random(Hash(seed, t.Key));
                    var loading = new[] { (topicRandom.NextDouble() * 2) - 1, (topicRandom.NextDouble() * 2) - 1 };
                    var logit = (2.5 * ((position[0] * loading[0]) + (position[1] * loading[1]))) + (topicRandom.NextDouble() - 0.5);
                    return 1.0 / (1.0 + Math.Exp(-logit));
                }).ToArray();
                var population = 0.5 + (countryRandom.NextDouble() * 2);
                for (var r = 0; r < rowsPerCountry; r++)
                {
                    var language = Pick(country.Languages, random.NextDouble());
                    var weight = Math.Round(0.5 + random.NextDouble(), 6);
                    line.Clear();
                    line.Append("7503,\"").Append(SyntheticSurveyGenerator.VersionMarker).Append("\",").Append(country.FileCode).Append(',').Append(language).Append(',')
                        .Append(weight.ToString("R", CultureInfo.InvariantCulture)).Append(',').Append(population.ToString("R", CultureInfo.InvariantCulture));
                    for (var t = 0; t < topics.Topics.Count; t++)
                    {
                        line.Append(',').Append(Answer(topics.Topics[t], proProbability[t], missingRate, random).ToString(CultureInfo.InvariantCulture));
                    }
                    line.Append('\n');
                    writer.Write(line);
                    rows++;
                }
            }
        });
        return rows;
    }

    /// <summary>A code on the pro side with the given probability, uniform among that side's codes; sometimes a missing code.</summary>
    private static int Answer(StudyTopic topic, double proProbability, double missingRate, Random random)
    {
        if (random.NextDouble() < missingRate)
        {
            return random.NextDouble() < 0.5 ? -1 : -2;
        }
        var wantPro = random.NextDouble() < proProbability;
        var side = Enumerable.Range(1, topic.ScaleMax).Where(code => topic.IsPro(code) == wantPro).ToArray();
        return side[random.Next(side.Length)];
    }

    private static string Pick(IReadOnlyList<(string Language, double Share)> languages, double u)
    {
        var cumulative = 0.0;
        foreach (var (language, share) in languages)
        {
            cumulative += share;
            if (u < cumulative)
            {
                return language;
            }
        }
        return languages[^1].Language;
    }

    private static int Hash(int seed, string text)
    {
        // FNV-1a: stable across processes (string.GetHashCode is randomised).
        var hash = 2166136261u ^ (uint)seed;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return (int)(hash & 0x7FFFFFFF);
    }
}
