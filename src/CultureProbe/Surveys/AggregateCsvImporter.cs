using System.Globalization;
using CultureProbe.IO;

namespace CultureProbe.Surveys;

/// <summary>
/// Imports aggregated answer shares in long form, <c>country,question,code,share[,n]</c>, so
/// users can bring published aggregates or another survey. It reads the same layout that
/// <c>cultureprobe distributions --format csv</c> writes. Each (country, question) is
/// normalised to sum to 1; a raw sum other than 1 (e.g. percentages) is noted in the warnings.
/// </summary>
public sealed class AggregateCsvImporter
{
    private static readonly string[] RequiredColumns = ["country", "question", "code", "share"];
    private readonly QuestionBank _bank;
    private readonly CountryTable _countries;

    /// <summary>Creates an importer that checks question codes against <paramref name="bank"/> and country codes against <paramref name="countries"/>.</summary>
    public AggregateCsvImporter(QuestionBank bank, CountryTable countries)
    {
        _bank = bank;
        _countries = countries;
    }

    /// <summary>Reads <paramref name="path"/> into a pack.</summary>
    public SurveyPack Import(string path)
    {
        CultureProbe.IO.InputFiles.RejectFolder(path);
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: file not found");
        }
        var fileName = Path.GetFileName(path);
        using var stream = File.OpenRead(path);
        using var reader = new DelimitedRecordReader(stream, fileName);
        reader.DetectDelimiter();
        if (!reader.ReadRecord())
        {
            throw new InputException($"{fileName}:1: the file is empty (expected the header country,question,code,share[,n])");
        }
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            index.TryAdd(reader.FieldText(i).Trim(), i);
        }
        foreach (var required in RequiredColumns)
        {
            if (!index.ContainsKey(required))
            {
                throw new InputException($"{fileName}:1: missing required column '{required}' (expected the header country,question,code,share[,n])");
            }
        }
        var nIndex = index.GetValueOrDefault("n", -1);
        var fieldCount = reader.FieldCount;
        var cells = new SortedDictionary<(string Country, int Number, string Question), SortedDictionary<int, (double Share, long Count)>>();
        var rowsPerCountry = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long rows = 0;
        while (reader.ReadRecord())
        {
            if (reader.FieldCount != fieldCount)
            {
                throw InputException.At(fileName, reader.LineNumber, null, null, $"expected {fieldCount} fields as in the header, found {reader.FieldCount}");
            }
            var country = reader.FieldText(index["country"]).Trim().ToUpperInvariant();
            if (country.Length == 0)
            {
                throw InputException.At(fileName, reader.LineNumber, index["country"] + 1, "country", "expected a country code, found an empty field");
            }
            if (_countries.FindByIso3(country) is null)
            {
                throw InputException.At(fileName, reader.LineNumber, index["country"] + 1, "country",
                    $"'{Printable(country)}' is not in the country table; expected an ISO alpha-3 code such as USA (see 'cultureprobe countries'), or add the country with --countries-file");
            }
            var questionCode = reader.FieldText(index["question"]).Trim();
            var question = _bank.Find(questionCode)
                ?? throw InputException.At(fileName, reader.LineNumber, index["question"] + 1, "question", $"expected a question code of the {_bank.Survey.ShortName} bank (e.g. {_bank.Questions[0].Code}), found '{Printable(questionCode)}'");
            var code = ParseInt(reader, index["code"], "code", fileName);
            var share = ParseDouble(reader, index["share"], "share", fileName);
            var count = nIndex >= 0 ? ParseCount(reader, nIndex, fileName) : 0;
            var key = (country, question.Number, question.Code);
            if (!cells.TryGetValue(key, out var options))
            {
                options = [];
                cells[key] = options;
            }
            if (!options.TryAdd(code, (share, count)))
            {
                throw InputException.At(fileName, reader.LineNumber, index["code"] + 1, "code", $"code {code} of {country} {question.Code} appears twice");
            }
            rowsPerCountry[country] = rowsPerCountry.GetValueOrDefault(country) + 1;
            rows++;
        }

        var distributions = new List<ItemDistribution>();
        var notAsked = new List<NotAskedItem>();
        var warnings = new List<string>();
        foreach (var ((country, _, question), options) in cells)
        {
            var total = options.Values.Sum(o => o.Share);
            if (total <= 0)
            {
                warnings.Add($"{country} {question}: every share is 0; counted as not asked");
                notAsked.Add(new NotAskedItem(country, question));
                continue;
            }
            var unknown = options.Keys.Where(c => _bank.Find(question) is { } q && q.FindOption(c) is null && q.OtherCodes.All(o => o.Code != c)).ToArray();
            if (unknown.Length > 0)
            {
                warnings.Add($"{country} {question}: answer code(s) {string.Join(", ", unknown)} are not options of the item's scale; kept in the distribution");
            }
            if (Math.Abs(total - 1.0) > 1e-6)
            {
                warnings.Add($"{country} {question}: shares summed to {total.ToString("G6", CultureInfo.InvariantCulture)}; normalised to 1");
            }
            var n = options.Values.Sum(o => o.Count);
            distributions.Add(new ItemDistribution(country, question, n, n, n, options.Select(o => new OptionShare(o.Key, o.Value.Share / total, o.Value.Count)).ToArray()));
        }
        if (distributions.Count == 0)
        {
            // A pack with no distribution would replace a good one and make every later step empty: refuse it here.
            throw new InputException(rows == 0
                ? $"{fileName}: no distribution to import: the file has a header but no data rows"
                : $"{fileName}: no distribution to import: every (country, question) has shares summing to 0 (e.g. {notAsked[0].Country} {notAsked[0].Question})");
        }
        var sha256 = reader.FinishHash();
        var provenance = new SurveyPackProvenance("aggregate-csv", new SourceFile(fileName, reader.BytesRead, sha256),
            fileName.Contains("synthetic", StringComparison.OrdinalIgnoreCase), null, rows, rowsPerCountry, "none (aggregated input)", "standard",
            ProgramInfo.Version, _bank.Sha256, DateTimeOffset.UtcNow, []);
        return new SurveyPack(SurveyPack.CurrentFormatVersion, provenance, distributions, notAsked, warnings);
    }

    private static int ParseInt(DelimitedRecordReader reader, int field, string name, string fileName)
    {
        var text = reader.FieldText(field).Trim();
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= 0 && d == Math.Floor(d) && d <= int.MaxValue
                ? (int)d
                : throw InputException.At(fileName, reader.LineNumber, field + 1, name, $"expected a non-negative whole-number answer code, found '{text}'");
    }

    private static double ParseDouble(DelimitedRecordReader reader, int field, string name, string fileName)
    {
        var text = reader.FieldText(field).Trim();
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= 0
            ? value
            : throw InputException.At(fileName, reader.LineNumber, field + 1, name, $"expected a non-negative number, found '{text}'");
    }

    private static long ParseCount(DelimitedRecordReader reader, int field, string fileName)
    {
        var text = reader.FieldText(field).Trim();
        if (text.Length == 0)
        {
            return 0;
        }
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw InputException.At(fileName, reader.LineNumber, field + 1, "n", $"expected a non-negative whole number of respondents, found '{text}'");
    }

    /// <summary>A field as it may be shown in a message: escaped, so a file cannot send terminal sequences, and short.</summary>
    private static string Printable(string text) => CultureProbe.IO.PrintableText.Of(text, 64);
}
