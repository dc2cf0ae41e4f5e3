using System.Buffers.Text;
using System.Globalization;
using System.Text.Json.Serialization;
using CultureProbe.IO;

namespace CultureProbe.Study;

/// <summary>How populations are formed from the joint file.</summary>
/// <param name="Languages">The study's languages (ISO 639-1, as the file's <c>lnge_iso</c> writes them).</param>
/// <param name="PooledLanguages">
/// Optional: a language's population as the union of these countries (file codes) instead of every interview in the
/// language (the paper's definition). E.g. <c>pt</c> → BR, PT.
/// </param>
/// <param name="Weights">The weight columns multiplied together (the paper: gwght × pwght); empty for unweighted.</param>
public sealed record StudyPopulationOptions(
    IReadOnlyList<string> Languages,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? PooledLanguages = null,
    IReadOnlyList<string>? Weights = null)
{
    /// <summary>The paper's weights.</summary>
    public static readonly IReadOnlyList<string> PaperWeights = ["gwght", "pwght"];
}

/// <summary>Everything the study needs from the survey file.</summary>
/// <param name="Shares">Global, language and country shares.</param>
/// <param name="Answers">The binarised answers of every respondent of the kept countries (for the 10-respondent reference).</param>
/// <param name="CountryLanguages">Each kept country's dominant interview language.</param>
/// <param name="Source">The file's name, size and SHA-256.</param>
/// <param name="Warnings">Codes outside a topic's scale, rows without a usable weight, topics missing from the file.</param>
public sealed record StudyPopulations(
    IReadOnlyList<PopulationShare> Shares,
    IReadOnlyList<RespondentAnswer> Answers,
    IReadOnlyDictionary<string, string> CountryLanguages,
    Surveys.SourceFile Source,
    IReadOnlyList<string> Warnings);

/// <summary>
/// The study's populations from the joint EVS/WVS microdata, as Rystrøm, Kirk &amp; Hale formed them: each topic's
/// answers binarised (<see cref="StudyTopic.IsPro"/>), weighted by gwght × pwght, and summed over every respondent
/// (global), every respondent interviewed in a study language, anywhere (language), and every respondent of each
/// country whose dominant interview language (largest Σ gwght) is a study language (country).
/// </summary>
public static class StudyPopulationReader
{
    /// <summary>Reads <paramref name="path"/> once.</summary>
    /// <exception cref="InputException">The file is missing, lacks a required column, or a field is malformed (file:line:column named).</exception>
    public static StudyPopulations Read(string path, StudyTopicSet topics, StudyPopulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(options);
        CultureProbe.IO.InputFiles.RejectFolder(path);
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: survey file not found (expected the joint EVS/WVS CSV)");
        }
        var name = Path.GetFileName(path);
        var size = new FileInfo(path).Length;
        using var stream = File.OpenRead(path);
        using var reader = new DelimitedRecordReader(stream, name);
        reader.DetectDelimiter();
        if (!reader.ReadRecord())
        {
            throw new InputException($"{name}:1: the file is empty (expected the joint EVS/WVS header with cntry_AN, lnge_iso, gwght, pwght and the topics' columns)");
        }
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            index.TryAdd(reader.FieldText(i).Trim().Trim('"'), i);
        }
        int Column(string column) => index.TryGetValue(column, out var at)
            ? at
            : throw new InputException($"{name}:1: missing required column '{column}' (the joint EVS/WVS file names it so)");
        var countryColumn = Column("cntry_AN");
        var languageColumn = Column("lnge_iso");
        var weightColumns = (options.Weights ?? StudyPopulationOptions.PaperWeights).Select(Column).ToArray();
        var warnings = new List<string>();
        var present = topics.Topics.Where(t => index.ContainsKey(t.Ivs)).ToArray();
        foreach (var missing in topics.Topics.Where(t => !index.ContainsKey(t.Ivs)))
        {
            warnings.Add($"{name}: no column {missing.Ivs} (topic {missing.Key}); the topic has no population");
        }
        var topicColumns = present.Select(t => index[t.Ivs]).ToArray();
        var studyLanguages = options.Languages.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var pooled = options.PooledLanguages ?? new Dictionary<string, IReadOnlyList<string>>();
        var poolOf = pooled.SelectMany(p => p.Value.Select(c => (Country: c, Language: p.Key))).ToLookup(x => x.Country, x => x.Language, StringComparer.OrdinalIgnoreCase);

        var global = new Tally[present.Length];
        var byLanguage = new Dictionary<string, Tally[]>(StringComparer.OrdinalIgnoreCase);
        var byCountry = new Dictionary<string, Tally[]>(StringComparer.Ordinal);
        var dominance = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
        var rows = new List<(string Country, double Weight, sbyte[] Pro)>();
        var outOfScale = new long[present.Length];
        long skippedWeights = 0;
        var fieldCount = reader.FieldCount;
        while (reader.ReadRecord())
        {
            if (reader.FieldCount != fieldCount)
            {
                throw InputException.At(name, reader.LineNumber, null, null, $"expected {fieldCount} fields as in the header, found {reader.FieldCount}");
            }
            var country = reader.FieldText(countryColumn).Trim();
            var language = reader.FieldText(languageColumn).Trim().ToLowerInvariant();
            var weight = 1.0;
            var firstWeight = 0.0;
            for (var w = 0; w < weightColumns.Length; w++)
            {
                var value = Number(reader, weightColumns[w], name);
                weight *= value;
                if (w == 0)
                {
                    firstWeight = value;
                }
            }
            if (!(weight > 0) || !double.IsFinite(weight))
            {
                skippedWeights++;
                continue;
            }
            var pros = new sbyte[present.Length];
            for (var t = 0; t < present.Length; t++)
            {
                var code = Integer(reader, topicColumns[t], name);
                var pro = present[t].IsPro(code);
                if (pro is null && code > present[t].ScaleMax)
                {
                    outOfScale[t]++;
                }
                pros[t] = pro switch { true => 1, false => 0, null => -1 };
                if (pro is not { } isPro)
                {
                    continue;
                }
                global[t].Add(weight, isPro);
                if (studyLanguages.Contains(language) && !pooled.ContainsKey(language))
                {
                    Tallies(byLanguage, language, present.Length)[t].Add(weight, isPro);
                }
                foreach (var pool in poolOf[country])
                {
                    Tallies(byLanguage, pool, present.Length)[t].Add(weight, isPro);
                }
                Tallies(byCountry, country, present.Length)[t].Add(weight, isPro);
            }
            if (!dominance.TryGetValue(country, out var languages))
            {
                languages = new Dictionary<string, double>(StringComparer.Ordinal);
                dominance[country] = languages;
            }
            // The paper decides a country's language by the design weight alone (Σ gwght per interview language).
            languages[language] = languages.GetValueOrDefault(language) + (weightColumns.Length > 0 ? firstWeight : 1.0);
            rows.Add((country, weight, pros));
        }
        if (skippedWeights > 0)
        {
            warnings.Add($"{name}: {skippedWeights} row(s) without a positive weight were left out");
        }
        for (var t = 0; t < present.Length; t++)
        {
            if (outOfScale[t] > 0)
            {
                warnings.Add($"{name}: {outOfScale[t]} answer(s) to {present[t].Ivs} lie above its scale (1..{present[t].ScaleMax}) and count as missing");
            }
        }
        var countryLanguages = dominance
            .Select(d => (Country: d.Key, Language: d.Value.OrderByDescending(l => l.Value).ThenBy(l => l.Key, StringComparer.Ordinal).First().Key))
            .Where(d => studyLanguages.Contains(d.Language))
            .ToDictionary(d => d.Country, d => d.Language, StringComparer.Ordinal);

        var shares = new List<PopulationShare>();
        for (var t = 0; t < present.Length; t++)
        {
            if (global[t].WeightSum > 0)
            {
                shares.Add(new PopulationShare("global", PopulationKind.Global, present[t].Key, global[t].Share, null));
            }
        }
        foreach (var (language, tallies) in byLanguage.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            shares.AddRange(present.Select((topic, t) => (topic, t)).Where(x => tallies[x.t].WeightSum > 0)
                .Select(x => new PopulationShare(language, PopulationKind.Language, x.topic.Key, tallies[x.t].Share, language)));
        }
        foreach (var (country, tallies) in byCountry.Where(c => countryLanguages.ContainsKey(c.Key)).OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            shares.AddRange(present.Select((topic, t) => (topic, t)).Where(x => tallies[x.t].WeightSum > 0)
                .Select(x => new PopulationShare(country, PopulationKind.Country, x.topic.Key, tallies[x.t].Share, countryLanguages[country])));
        }
        var answers = new List<RespondentAnswer>();
        foreach (var (country, weight, pros) in rows.Where(r => countryLanguages.ContainsKey(r.Country)))
        {
            for (var t = 0; t < present.Length; t++)
            {
                if (pros[t] >= 0)
                {
                    answers.Add(new RespondentAnswer(country, present[t].Key, weight, pros[t] == 1));
                }
            }
        }
        var sha = reader.FinishHash();
        return new StudyPopulations(shares, answers, countryLanguages, new Surveys.SourceFile(name, size, sha), warnings);
    }

    private static Tally[] Tallies(Dictionary<string, Tally[]> map, string key, int count)
    {
        if (!map.TryGetValue(key, out var tallies))
        {
            tallies = new Tally[count];
            map[key] = tallies;
        }
        return tallies;
    }

    private static double Number(DelimitedRecordReader reader, int column, string name)
    {
        var bytes = reader.FieldBytes(column).Trim((byte)' ').Trim((byte)'"');
        return Utf8Parser.TryParse(bytes, out double value, out var used) && used == bytes.Length
            ? value
            : throw InputException.At(name, reader.LineNumber, column + 1, null, $"expected a number, found '{reader.FieldText(column)}'");
    }

    private static int Integer(DelimitedRecordReader reader, int column, string name)
    {
        var bytes = reader.FieldBytes(column).Trim((byte)' ').Trim((byte)'"');
        if (bytes.Length == 0)
        {
            return -1;
        }
        if (Utf8Parser.TryParse(bytes, out int code, out var used) && used == bytes.Length)
        {
            return code;
        }
        // Codes written as 3.0 name the same answer.
        return Utf8Parser.TryParse(bytes, out double value, out used) && used == bytes.Length && value == Math.Floor(value) && Math.Abs(value) < 1e6
            ? (int)value
            : throw InputException.At(name, reader.LineNumber, column + 1, null, $"expected an answer code, found '{reader.FieldText(column)}'");
    }

    private struct Tally
    {
        public double WeightSum;
        public double ProWeight;

        public readonly double Share => ProWeight / WeightSum;

        public void Add(double weight, bool pro)
        {
            WeightSum += weight;
            if (pro)
            {
                ProWeight += weight;
            }
        }
    }

    /// <summary>Writes the shares of one kind in the layout the study reads back (<c>language,topic,pro_share</c>; countries add <c>language</c>).</summary>
    public static void WriteCsv(IReadOnlyList<PopulationShare> shares, PopulationKind kind, string path) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            var csv = new CsvWriter(writer);
            switch (kind)
            {
                case PopulationKind.Global:
                    csv.Row("topic", "pro_share");
                    break;
                case PopulationKind.Language:
                    csv.Row("language", "topic", "pro_share");
                    break;
                default:
                    csv.Row("country", "topic", "pro_share", "language");
                    break;
            }
            foreach (var share in shares.Where(s => s.Kind == kind))
            {
                switch (kind)
                {
                    case PopulationKind.Global:
                        csv.Row(share.Topic, share.ProShare);
                        break;
                    case PopulationKind.Language:
                        csv.Row(share.Population, share.Topic, share.ProShare);
                        break;
                    default:
                        csv.Row(share.Population, share.Topic, share.ProShare, share.Language);
                        break;
                }
            }
        });
}
