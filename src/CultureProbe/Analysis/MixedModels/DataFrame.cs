using System.Globalization;
using CultureProbe.IO;

namespace CultureProbe.Analysis.MixedModels;

/// <summary>
/// A column of a <see cref="DataFrame"/>: numeric (doubles, <see cref="double.NaN"/> for a
/// missing value) or a factor (level codes into <see cref="Levels"/>, -1 for missing).
/// </summary>
public sealed class DataColumn
{
    private DataColumn(string name, double[]? values, int[]? codes, IReadOnlyList<string> levels)
    {
        Name = name;
        NumericValues = values;
        FactorCodes = codes;
        Levels = levels;
    }

    /// <summary>The column's name from the header.</summary>
    public string Name { get; }

    /// <summary>Whether the column holds numbers (otherwise it is a factor).</summary>
    public bool IsNumeric => NumericValues is not null;

    /// <summary>The values of a numeric column (NaN = missing); null for a factor.</summary>
    public IReadOnlyList<double>? NumericValues { get; }

    /// <summary>The level index of each row of a factor (-1 = missing); null for a numeric column.</summary>
    public IReadOnlyList<int>? FactorCodes { get; }

    /// <summary>The levels of a factor, sorted by ordinal (C-locale) string order as R sorts them under LC_COLLATE=C; empty for a numeric column.</summary>
    public IReadOnlyList<string> Levels { get; }

    /// <summary>Number of rows.</summary>
    public int Count => NumericValues?.Count ?? FactorCodes!.Count;

    /// <summary>Whether row <paramref name="row"/> is missing.</summary>
    public bool IsMissing(int row) => NumericValues is { } v ? double.IsNaN(v[row]) : FactorCodes![row] < 0;

    /// <summary>A numeric column.</summary>
    public static DataColumn Numeric(string name, IReadOnlyList<double> values) => new(name, [.. values], null, []);

    /// <summary>A factor from texts (null or empty = missing); levels are the distinct texts in ordinal order.</summary>
    public static DataColumn Factor(string name, IReadOnlyList<string?> texts)
    {
        var levels = texts.Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < levels.Length; i++)
        {
            index[levels[i]] = i;
        }
        var codes = texts.Select(t => string.IsNullOrEmpty(t) ? -1 : index[t]).ToArray();
        return new DataColumn(name, null, codes, levels);
    }

    /// <summary>The row's value as text: the level of a factor or the number in invariant form.</summary>
    public string TextAt(int row) => NumericValues is { } v
        ? v[row].ToString("R", CultureInfo.InvariantCulture)
        : FactorCodes![row] < 0 ? "" : Levels[FactorCodes[row]];
}

/// <summary>
/// A table of named columns read from CSV, typed as R's <c>read.csv</c> with
/// <c>stringsAsFactors = TRUE</c> types them: a column is numeric when every non-missing value
/// parses as a number, otherwise a factor. Empty fields and <c>NA</c> are missing.
/// </summary>
public sealed class DataFrame
{
    private readonly Dictionary<string, DataColumn> _byName;

    /// <summary>Creates a frame from columns of equal length.</summary>
    public DataFrame(IReadOnlyList<DataColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Columns = columns;
        RowCount = columns.Count == 0 ? 0 : columns[0].Count;
        _byName = new Dictionary<string, DataColumn>(StringComparer.Ordinal);
        foreach (var column in columns)
        {
            if (column.Count != RowCount)
            {
                throw new ArgumentException($"column '{column.Name}' has {column.Count} rows, expected {RowCount}", nameof(columns));
            }
            if (!_byName.TryAdd(column.Name, column))
            {
                throw new InputException($"column name '{column.Name}' appears twice");
            }
        }
    }

    /// <summary>The columns in file order.</summary>
    public IReadOnlyList<DataColumn> Columns { get; }

    /// <summary>Number of rows.</summary>
    public int RowCount { get; }

    /// <summary>The column named <paramref name="name"/>, or null.</summary>
    public DataColumn? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Reads a CSV file (comma, semicolon or tab separated) with a header row.</summary>
    /// <exception cref="InputException">The file is missing, empty, ragged or has duplicate or empty column names.</exception>
    public static DataFrame ReadCsv(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
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
            throw new InputException($"{fileName}:1: the file is empty (expected a header row of column names)");
        }
        var names = new string[reader.FieldCount];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = reader.FieldText(i).Trim();
            if (names[i].Length == 0)
            {
                throw InputException.At(fileName, 1, i + 1, null, "expected a column name, found an empty field");
            }
            if (Array.IndexOf(names, names[i], 0, i) >= 0)
            {
                throw InputException.At(fileName, 1, i + 1, names[i], $"column name '{names[i]}' appears twice");
            }
        }
        var cells = names.Select(_ => new List<string?>()).ToArray();
        while (reader.ReadRecord())
        {
            if (reader.FieldCount == 1 && reader.FieldBytes(0).IsEmpty)
            {
                continue;
            }
            if (reader.FieldCount != names.Length)
            {
                throw InputException.At(fileName, reader.LineNumber, null, null, $"expected {names.Length} fields as in the header ({string.Join(",", names)}), found {reader.FieldCount}");
            }
            for (var i = 0; i < names.Length; i++)
            {
                var text = reader.FieldText(i).Trim();
                cells[i].Add(text.Length == 0 || text == "NA" ? null : text);
            }
        }
        var columns = new DataColumn[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            columns[i] = TypeColumn(names[i], cells[i]);
        }
        return new DataFrame(columns);
    }

    private static DataColumn TypeColumn(string name, List<string?> texts)
    {
        var values = new double[texts.Count];
        for (var r = 0; r < texts.Count; r++)
        {
            if (texts[r] is not { } text)
            {
                values[r] = double.NaN;
            }
            else if (!TryParseNumber(text, out values[r]))
            {
                return DataColumn.Factor(name, texts);
            }
        }
        return DataColumn.Numeric(name, values);
    }

    private static bool TryParseNumber(string text, out double value)
    {
        // R's type.convert accepts decimal and exponent forms and Inf; thousands separators make text a factor.
        if (text is "Inf" or "+Inf")
        {
            value = double.PositiveInfinity;
            return true;
        }
        if (text == "-Inf")
        {
            value = double.NegativeInfinity;
            return true;
        }
        return double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value);
    }
}
