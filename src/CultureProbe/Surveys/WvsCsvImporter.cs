using System.Buffers.Text;
using System.Globalization;
using System.Text;
using CultureProbe.IO;

namespace CultureProbe.Surveys;

/// <summary>How answer codes are written in the file.</summary>
public enum SurveyCoding
{
    /// <summary>The release's standard codes, as in the codebook.</summary>
    Standard,

    /// <summary>The "inverted" release: listed items have their scales reversed; the importer restores standard codes.</summary>
    Inverted,
}

/// <summary>Options of a WVS-7 import.</summary>
/// <param name="WeightVariable">Weight column (<c>W_WEIGHT</c>, <c>S018</c>, <c>PWGHT</c>), or null for unweighted.</param>
/// <param name="Coding">Standard or inverted coding.</param>
/// <param name="Crosswalk">Column names and recodes of another file layout (the joint EVS/WVS file); null for the WVS-7 layout.</param>
public sealed record WvsImportOptions(string? WeightVariable = WvsCsvImporter.DefaultWeight, SurveyCoding Coding = SurveyCoding.Standard, SurveyCrosswalk? Crosswalk = null)
{
    /// <summary>Parses the <c>--weight</c> value: none, W_WEIGHT, S018 or PWGHT.</summary>
    public static string? ParseWeight(string value) => value.ToUpperInvariant() switch
    {
        "NONE" => null,
        "W_WEIGHT" or "S018" or "PWGHT" => value.ToUpperInvariant(),
        _ => throw new InputException($"--weight: expected none, W_WEIGHT, S018 or PWGHT, found '{value}'"),
    };
}

/// <summary>
/// Imports the official WVS-7 cross-national CSV (releases 5.0 and 6.0) into a survey pack.
/// The file is streamed once: memory depends on the number of countries and items, never on
/// the number of rows. Columns are found by header name; unknown columns are ignored.
/// </summary>
public sealed class WvsCsvImporter
{
    /// <summary>The default weight column.</summary>
    public const string DefaultWeight = "W_WEIGHT";

    /// <summary>Country column holding ISO alpha-3 codes.</summary>
    public const string CountryAlphaColumn = "B_COUNTRY_ALPHA";

    /// <summary>Country column holding ISO numeric codes, used when the alpha column is absent.</summary>
    public const string CountryNumericColumn = "B_COUNTRY";

    /// <summary>The column holding the release's version string.</summary>
    public const string VersionColumn = "version";

    private readonly QuestionBank _bank;
    private readonly CountryTable _countries;

    /// <summary>Creates an importer for the items of <paramref name="bank"/>.</summary>
    public WvsCsvImporter(QuestionBank bank, CountryTable countries)
    {
        _bank = bank;
        _countries = countries;
    }

    /// <summary>Reads <paramref name="path"/> and returns its pack; bad input throws <see cref="InputException"/>.</summary>
    public SurveyPack Import(string path, WvsImportOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        CultureProbe.IO.InputFiles.RejectFolder(path);
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: file not found");
        }
        var fileName = Path.GetFileName(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        using var reader = new DelimitedRecordReader(stream, fileName);
        reader.DetectDelimiter();
        if (!reader.ReadRecord())
        {
            throw new InputException($"{fileName}:1: the file is empty (expected a header line with column names)");
        }
        var layout = ReadHeader(reader, fileName, options);
        var state = new ImportState(layout.Items.Length);
        string? releaseVersion = null;

        while (reader.ReadRecord())
        {
            if ((state.RowsRead & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            // Single-country releases end every data row with a delimiter the header lacks: an empty extra field is allowed.
            var trailingDelimiter = reader.FieldCount == layout.FieldCount + 1 && reader.FieldBytes(layout.FieldCount).IsEmpty;
            if (reader.FieldCount != layout.FieldCount && !trailingDelimiter)
            {
                var problem = reader.FieldCount < layout.FieldCount
                    ? $"the row is truncated: expected {layout.FieldCount} fields as in the header, found {reader.FieldCount}"
                    : $"the row has too many fields: expected {layout.FieldCount} as in the header, found {reader.FieldCount}";
                throw InputException.At(fileName, reader.LineNumber, null, null, problem);
            }
            if (state.RowsRead == 0 && layout.VersionIndex >= 0)
            {
                releaseVersion = reader.FieldText(layout.VersionIndex).Trim();
            }
            var country = state.CountryFor(ReadCountry(reader, layout, fileName));
            var weight = layout.WeightIndex < 0 ? 1.0 : ReadWeight(reader, layout, fileName);
            country.Rows++;
            for (var i = 0; i < layout.Items.Length; i++)
            {
                var column = layout.Items[i];
                var code = ReadCode(reader, column.FieldIndex, column.Question.Code, fileName);
                if (code < 0)
                {
                    continue;
                }
                country.Items[i].Add(code, weight);
            }
            state.RowsRead++;
        }
        var sha256 = reader.FinishHash();
        return BuildPack(path, reader.BytesRead, sha256, layout, state, options, releaseVersion);
    }

    private Layout ReadHeader(DelimitedRecordReader reader, string fileName, WvsImportOptions options)
    {
        var columns = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var name = reader.FieldText(i).Trim();
            if (name.Length > 0 && !columns.TryAdd(name, i))
            {
                throw InputException.At(fileName, reader.LineNumber, i + 1, name, $"column name '{name}' appears twice in the header (first at column {columns[name] + 1})");
            }
        }

        var crosswalk = options.Crosswalk;
        var alphaColumn = crosswalk?.CountryAlphaColumn ?? CountryAlphaColumn;
        var numericColumn = crosswalk?.CountryNumericColumn ?? CountryNumericColumn;
        var alphaIndex = alphaColumn.Length == 0 ? -1 : columns.GetValueOrDefault(alphaColumn, -1);
        var numericIndex = columns.GetValueOrDefault(numericColumn, -1);
        if (alphaIndex < 0 && numericIndex < 0)
        {
            throw new InputException($"{fileName}:1: missing required column {(alphaColumn.Length == 0 ? numericColumn : $"{alphaColumn} (or {numericColumn})")}: the country of each respondent");
        }
        var weightIndex = -1;
        if (options.WeightVariable is { } weightName && !columns.TryGetValue(weightName, out weightIndex))
        {
            var choices = crosswalk is null ? "none|W_WEIGHT|S018|PWGHT" : $"none|{string.Join('|', crosswalk.Weights)}";
            throw new InputException($"{fileName}:1: missing required column {weightName} (the weight variable); choose another with --weight {{{choices}}}");
        }

        var items = new List<ItemColumn>();
        var missing = new List<string>();
        foreach (var question in _bank.Questions)
        {
            if (crosswalk is not null)
            {
                if (crosswalk.Items.TryGetValue(question.Code, out var source) && columns.TryGetValue(source.Column, out var mapped))
                {
                    items.Add(new ItemColumn(question, mapped, false, source.Recode));
                }
                else
                {
                    missing.Add(question.Code);
                }
                continue;
            }
            // The inverted release renames every item whose scale it reverses with a "P" suffix (Q1 -> Q1P).
            var reversed = options.Coding == SurveyCoding.Inverted && columns.ContainsKey(InvertedCoding.ColumnName(question));
            if (!columns.TryGetValue(reversed ? InvertedCoding.ColumnName(question) : question.Code, out var index))
            {
                missing.Add(question.Code);
                continue;
            }
            items.Add(new ItemColumn(question, index, reversed, null));
        }
        // The coding is a claim about the file; the columns show which release it is, so a wrong claim is refused
        // rather than written into the pack's provenance (or, the other way round, read as items that are missing).
        var reversedColumns = options.Crosswalk is null ? _bank.Questions.Count(q => columns.ContainsKey(InvertedCoding.ColumnName(q))) : 0;
        if (options.Crosswalk is null && options.Coding == SurveyCoding.Inverted && reversedColumns == 0)
        {
            throw new InputException($"{fileName}:1: --coding inverted, but the header has no reversed item column (such as {InvertedCoding.ColumnName(_bank.Questions[0])}): the file is in the standard coding; leave out --coding");
        }
        if (options.Crosswalk is null && options.Coding == SurveyCoding.Standard && reversedColumns > 0 && items.Count == 0)
        {
            throw new InputException($"{fileName}:1: the header has reversed item columns (such as {InvertedCoding.ColumnName(_bank.Questions[0])}) and none of the standard ones: the file is the inverted release; add --coding inverted");
        }
        return new Layout(reader.FieldCount, alphaIndex, alphaColumn, numericIndex, numericColumn, weightIndex, options.WeightVariable, columns.GetValueOrDefault(VersionColumn, -1), items.ToArray(), missing);
    }

    private static ReadOnlySpan<byte> TrimSpaces(ReadOnlySpan<byte> span)
    {
        while (span.Length > 0 && span[0] == (byte)' ')
        {
            span = span[1..];
        }
        while (span.Length > 0 && span[^1] == (byte)' ')
        {
            span = span[..^1];
        }
        return span;
    }

    private CountryKey ReadCountry(DelimitedRecordReader reader, Layout layout, string fileName)
    {
        if (layout.AlphaIndex >= 0)
        {
            var alpha = TrimSpaces(reader.FieldBytes(layout.AlphaIndex));
            if (alpha.Length > 0)
            {
                return new CountryKey(alpha, null);
            }
            if (layout.NumericIndex < 0)
            {
                throw InputException.At(fileName, reader.LineNumber, layout.AlphaIndex + 1, layout.AlphaName, "expected a country code, found an empty field");
            }
        }
        var raw = TrimSpaces(reader.FieldBytes(layout.NumericIndex));
        if (!TryParseInteger(raw, out var numeric) || numeric <= 0)
        {
            throw InputException.At(fileName, reader.LineNumber, layout.NumericIndex + 1, layout.NumericName,
                $"expected a numeric country code, found '{Encoding.UTF8.GetString(raw)}'");
        }
        return new CountryKey(default, _countries.FindByNumeric(numeric)?.Iso3 ?? numeric.ToString(CultureInfo.InvariantCulture));
    }

    private static double ReadWeight(DelimitedRecordReader reader, Layout layout, string fileName)
    {
        var raw = TrimSpaces(reader.FieldBytes(layout.WeightIndex));
        if (!Utf8Parser.TryParse(raw, out double weight, out var consumed) || consumed != raw.Length || !double.IsFinite(weight) || weight < 0)
        {
            throw InputException.At(fileName, reader.LineNumber, layout.WeightIndex + 1, layout.WeightName,
                $"expected a non-negative number as the weight, found '{Encoding.UTF8.GetString(raw)}'");
        }
        return weight;
    }

    /// <summary>An answer code: a whole number written <c>3</c> or <c>3.0</c>; negative or empty means missing (-1).</summary>
    private static int ReadCode(DelimitedRecordReader reader, int fieldIndex, string question, string fileName)
    {
        var raw = reader.FieldBytes(fieldIndex);
        if (raw.Length == 1 && (uint)(raw[0] - '0') <= 9)
        {
            return raw[0] - '0';
        }
        raw = TrimSpaces(raw);
        if (raw.Length == 0)
        {
            return -1;
        }
        if (TryParseInteger(raw, out var code))
        {
            return code < 0 ? -1 : code;
        }
        var found = Encoding.UTF8.GetString(raw);
        throw InputException.At(fileName, reader.LineNumber, fieldIndex + 1, question,
            $"expected a whole-number answer code (e.g. 3 or 3.0; negative codes are missing values), found '{(found.Length > 40 ? found[..40] + "…" : found)}'");
    }

    private static bool TryParseInteger(ReadOnlySpan<byte> raw, out int value)
    {
        var dot = raw.IndexOf((byte)'.');
        if (dot >= 0)
        {
            // "3.0" and "3.00" are whole numbers; "3.5" is not an answer code.
            foreach (var b in raw[(dot + 1)..])
            {
                if (b != (byte)'0')
                {
                    value = 0;
                    return false;
                }
            }
            raw = raw[..dot];
        }
        return Utf8Parser.TryParse(raw, out value, out var consumed) && consumed == raw.Length && raw.Length > 0;
    }

    private SurveyPack BuildPack(string path, long size, string sha256, Layout layout, ImportState state, WvsImportOptions options, string? releaseVersion)
    {
        var distributions = new List<ItemDistribution>();
        var notAsked = new List<NotAskedItem>();
        var warnings = new List<string>();
        var rowsPerCountry = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var recodes = layout.Items.Select((column, i) => column.Reversed
            ? InvertedCoding.StandardCodes(column.Question, state.Countries.Values.SelectMany(c => c.Items[i].Codes).ToHashSet(), warnings)
            : column.Recode).ToArray();
        foreach (var (country, accumulator) in state.Countries.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            rowsPerCountry[country] = accumulator.Rows;
            for (var i = 0; i < layout.Items.Length; i++)
            {
                var question = layout.Items[i].Question;
                var item = accumulator.Items[i];
                if (item.Count == 0)
                {
                    notAsked.Add(new NotAskedItem(country, question.Code));
                    continue;
                }
                if (item.WeightSum <= 0)
                {
                    warnings.Add($"{country} {question.Code}: {item.Count} valid answers but all weights are zero; no distribution");
                    notAsked.Add(new NotAskedItem(country, question.Code));
                    continue;
                }
                var shares = item.ToShares(recodes[i]);
                var unknown = shares.Where(s => question.FindOption(s.Code) is null && question.OtherCodes.All(o => o.Code != s.Code)).Select(s => s.Code).ToArray();
                if (unknown.Length > 0)
                {
                    warnings.Add($"{country} {question.Code}: answer code(s) {string.Join(", ", unknown)} are not options of the item's scale; kept in the distribution");
                }
                distributions.Add(new ItemDistribution(country, question.Code, item.Count, item.WeightSum * item.WeightSum / item.WeightSquareSum, item.WeightSum, shares));
            }
        }
        if (state.RowsRead == 0)
        {
            throw new InputException($"{Path.GetFileName(path)}: the file has a header but no data rows");
        }
        if (distributions.Count == 0)
        {
            // A pack with no distribution would replace a good one and make every later step empty: refuse it here.
            var reason = warnings.Any(w => w.Contains("all weights are zero", StringComparison.Ordinal))
                ? $"every valid answer has weight 0 in {options.WeightVariable}; choose another weight with --weight (none counts respondents)"
                : "no row has a valid answer to any item of the question bank";
            throw new InputException($"{Path.GetFileName(path)}: no distribution to import: {reason}");
        }
        var fileName = Path.GetFileName(path);
        var synthetic = fileName.Contains("synthetic", StringComparison.OrdinalIgnoreCase)
            || (releaseVersion?.Contains("synthetic", StringComparison.OrdinalIgnoreCase) ?? false);
        var provenance = new SurveyPackProvenance(
            "wvs7-csv",
            new SourceFile(fileName, size, sha256),
            synthetic,
            releaseVersion,
            state.RowsRead,
            rowsPerCountry,
            options.WeightVariable ?? "none",
            options.Coding == SurveyCoding.Inverted ? "inverted" : "standard",
            ProgramInfo.Version,
            _bank.Sha256,
            DateTimeOffset.UtcNow,
            layout.MissingColumns);
        return new SurveyPack(SurveyPack.CurrentFormatVersion, provenance with { Importer = options.Crosswalk?.Name ?? provenance.Importer }, distributions, notAsked, warnings);
    }

    private sealed record ItemColumn(SurveyQuestion Question, int FieldIndex, bool Reversed, IReadOnlyDictionary<int, int>? Recode);

    private sealed record Layout(int FieldCount, int AlphaIndex, string AlphaName, int NumericIndex, string NumericName, int WeightIndex, string? WeightName, int VersionIndex, ItemColumn[] Items, IReadOnlyList<string> MissingColumns);

    private readonly ref struct CountryKey(ReadOnlySpan<byte> alpha, string? resolved)
    {
        public ReadOnlySpan<byte> Alpha { get; } = alpha;

        public string? Resolved { get; } = resolved;
    }

    /// <summary>Weighted tallies of one item in one country, indexed by answer code.</summary>
    private sealed class ItemTally
    {
        // Answer codes are small numbers; a dense array indexes them directly. A file with a huge
        // code (a typo, or a country-specific code list) goes to a dictionary instead of an array of that size.
        private const int DenseLimit = 1024;
        private double[] _weights = new double[12];
        private long[] _counts = new long[12];
        private SortedDictionary<int, (double Weight, long Count)>? _sparse;

        public long Count { get; private set; }

        public double WeightSum { get; private set; }

        public double WeightSquareSum { get; private set; }

        public void Add(int code, double weight)
        {
            if (code >= DenseLimit)
            {
                _sparse ??= [];
                var (w, n) = _sparse.GetValueOrDefault(code);
                _sparse[code] = (w + weight, n + 1);
            }
            else
            {
                if (code >= _weights.Length)
                {
                    var size = Math.Min(DenseLimit, Math.Max(code + 1, _weights.Length * 2));
                    Array.Resize(ref _weights, size);
                    Array.Resize(ref _counts, size);
                }
                _weights[code] += weight;
                _counts[code]++;
            }
            Count++;
            WeightSum += weight;
            WeightSquareSum += weight * weight;
        }

        /// <summary>Codes with at least one answer.</summary>
        public IEnumerable<int> Codes => Enumerable.Range(0, _counts.Length).Where(c => _counts[c] > 0).Concat(_sparse?.Keys ?? Enumerable.Empty<int>());

        private IEnumerable<(int Code, double Weight, long Count)> Cells()
        {
            for (var c = 0; c < _weights.Length; c++)
            {
                if (_counts[c] > 0)
                {
                    yield return (c, _weights[c], _counts[c]);
                }
            }
            foreach (var (code, (weight, count)) in _sparse ?? [])
            {
                yield return (code, weight, count);
            }
        }

        public OptionShare[] ToShares(IReadOnlyDictionary<int, int>? recode)
        {
            // Shares are computed from the per-code sums (not the running total) so they add to 1 up to rounding.
            var cells = Cells().ToArray();
            var total = 0.0;
            foreach (var cell in cells)
            {
                total += cell.Weight;
            }
            var shares = cells.Select(c => new OptionShare(recode is null ? c.Code : recode.GetValueOrDefault(c.Code, c.Code), c.Weight / total, c.Count));
            // A recode may map two file codes onto one standard code: add them up.
            return shares.GroupBy(s => s.Code).Select(g => g.Count() == 1 ? g.First() : new OptionShare(g.Key, g.Sum(x => x.Share), g.Sum(x => x.Count)))
                .OrderBy(s => s.Code).ToArray();
        }
    }

    private sealed class CountryTally(int itemCount)
    {
        public long Rows { get; set; }

        public ItemTally[] Items { get; } = Enumerable.Range(0, itemCount).Select(_ => new ItemTally()).ToArray();
    }

    private sealed class ImportState(int itemCount)
    {
        private byte[] _lastKey = [];
        private CountryTally? _last;

        public long RowsRead { get; set; }

        public Dictionary<string, CountryTally> Countries { get; } = new(StringComparer.Ordinal);

        /// <summary>Finds the tally for a row's country; rows usually come in country blocks, so the last one is checked first.</summary>
        public CountryTally CountryFor(CountryKey key)
        {
            if (key.Resolved is null && _last is not null && key.Alpha.SequenceEqual(_lastKey))
            {
                return _last;
            }
            var name = key.Resolved ?? Encoding.UTF8.GetString(key.Alpha).ToUpperInvariant();
            if (!Countries.TryGetValue(name, out var tally))
            {
                tally = new CountryTally(itemCount);
                Countries[name] = tally;
            }
            _lastKey = key.Resolved is null ? key.Alpha.ToArray() : [];
            _last = key.Resolved is null ? tally : null;
            return tally;
        }
    }
}
