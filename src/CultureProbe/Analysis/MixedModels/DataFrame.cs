using System.Globalization;
using CultureProbe.IO;

namespace CultureProbe.Analysis.MixedModels;

/// <summary>
/// A column of a <see cref="DataFrame"/>: numeric (doubles, <see cref="double.NaN"/> for a
/// missing value) or a factor (level codes into <see cref="Levels"/>, -1 for missing).
/// </summary>
public sealed class DataColumn
{
    private DataColumn(string name, double[]? values, int[]? codes, IReadOnlyList<string> levels, int problemRow = -1, string? problem = null)
    {
        Name = name;
        NumericValues = values;
        FactorCodes = codes;
        Levels = levels;
        ProblemRow = problemRow;
        Problem = problem;
    }

    /// <summary>
    /// Why a model may not use this column, or null: set by <see cref="DataFrame.ReadCsv"/> for a column that is
    /// mostly numbers but holds a value that is not a finite number (see <see cref="DataFrame"/>).
    /// </summary>
    public string? Problem { get; }

    /// <summary>The row of the first value that <see cref="Problem"/> is about; -1 when there is none.</summary>
    public int ProblemRow { get; }

    /// <summary>This column with a problem about row <paramref name="row"/>.</summary>
    internal DataColumn WithProblem(int row, string problem) => new(Name, NumericValues as double[], FactorCodes as int[], Levels, row, problem);

    /// <summary>The column's name from the header.</summary>
    public string Name { get; }

    /// <summary>Whether the column holds numbers (otherwise it is a factor).</summary>
    public bool IsNumeric => NumericValues is not null;

    /// <summary>The values of a numeric column (NaN = missing); null for a factor.</summary>
    public IReadOnlyList<double>? NumericValues { get; }

    /// <summary>The level index of each row of a factor (-1 = missing); null for a numeric column.</summary>
    public IReadOnlyList<int>? FactorCodes { get; }

    /// <summary>
    /// The levels of a factor, sorted by ordinal (C-locale) string order as R sorts them under LC_COLLATE=C, or for a
    /// column of numbers declared a factor in numeric order as R's factor() orders them; empty for a numeric column.
    /// </summary>
    public IReadOnlyList<string> Levels { get; }

    /// <summary>Number of rows.</summary>
    public int Count => NumericValues?.Count ?? FactorCodes!.Count;

    /// <summary>Whether row <paramref name="row"/> is missing.</summary>
    public bool IsMissing(int row) => NumericValues is { } v ? double.IsNaN(v[row]) : FactorCodes![row] < 0;

    /// <summary>A numeric column.</summary>
    public static DataColumn Numeric(string name, IReadOnlyList<double> values) => new(name, [.. values], null, []);

    /// <summary>A factor from texts (null or empty = missing); levels are the distinct texts in ordinal order.</summary>
    public static DataColumn Factor(string name, IReadOnlyList<string?> texts) =>
        Factor(name, texts, texts.Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray());

    /// <summary>A factor from texts with the levels in the given order (every text must be one of them).</summary>
    internal static DataColumn Factor(string name, IReadOnlyList<string?> texts, string[] levels)
    {
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
/// A table of named columns, typed when read from CSV by one rule that a user can predict:
/// <list type="bullet">
/// <item>a column whose every value is a finite number is numeric;</item>
/// <item>a column declared a factor, or in which fewer than half of the values are numbers, is a factor
/// (levels are the distinct texts; NaN or Inf there is a level like any other);</item>
/// <item>any other column (at least half numbers, but some value is text, NaN, Inf or out of range) is
/// held as a factor with a <see cref="DataColumn.Problem"/>: a model that uses it is refused, naming the
/// first value that is not a finite number, since a stray text cell would otherwise turn a covariate into
/// a factor with a level per value.</item>
/// </list>
/// Empty fields and <c>NA</c> are missing.
/// </summary>
public sealed class DataFrame
{
    private readonly Dictionary<string, DataColumn> _byName;
    private readonly IReadOnlyList<long>? _lines;

    /// <summary>Creates a frame from columns of equal length.</summary>
    public DataFrame(IReadOnlyList<DataColumn> columns)
        : this(columns, null, null)
    {
    }

    private DataFrame(IReadOnlyList<DataColumn> columns, string? fileName, IReadOnlyList<long>? lines)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Columns = columns;
        RowCount = columns.Count == 0 ? 0 : columns[0].Count;
        FileName = fileName;
        _lines = lines;
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

    /// <summary>The file the frame was read from (its name, as messages give it), or null for a frame built in code.</summary>
    public string? FileName { get; }

    /// <summary>The column named <paramref name="name"/>, or null.</summary>
    public DataColumn? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// An error about one cell: <c>file:line:column (column name)</c> for a frame read from CSV, otherwise
    /// <c>row r (column name)</c> with r counted from 1.
    /// </summary>
    public InputException CellError(DataColumn column, int row, string problem)
    {
        ArgumentNullException.ThrowIfNull(column);
        var index = -1;
        for (var i = 0; i < Columns.Count; i++)
        {
            if (ReferenceEquals(Columns[i], column))
            {
                index = i;
            }
        }
        return FileName is not null && _lines is not null && index >= 0
            ? InputException.At(FileName, _lines[row], index + 1, column.Name, problem)
            : new InputException($"row {row + 1} (column {column.Name}): {problem}");
    }

    /// <summary>Where row <paramref name="row"/> is: <c>file:line</c>, or <c>row r</c> for a frame built in code.</summary>
    public string RowLocation(int row) => FileName is not null && _lines is not null ? $"{FileName}:{_lines[row]}" : $"row {row + 1}";

    /// <summary>Reads a CSV file (comma, semicolon or tab separated) with a header row.</summary>
    /// <param name="path">The file.</param>
    /// <param name="factors">Columns to read as factors whatever their values (as R's <c>factor(x)</c>); numeric values become levels in numeric order.</param>
    /// <exception cref="InputException">The file is missing, empty, not UTF-8, ragged, has duplicate or empty column names, or <paramref name="factors"/> names a column it lacks.</exception>
    public static DataFrame ReadCsv(string path, IReadOnlyCollection<string>? factors = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        CultureProbe.IO.InputFiles.RejectFolder(path);
        factors ??= [];
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
        foreach (var factor in factors)
        {
            if (!names.Contains(factor, StringComparer.Ordinal))
            {
                throw new InputException($"{fileName}:1: a factor column '{factor}' was asked for, but the header has no such column (columns: {string.Join(", ", names)})");
            }
        }
        var cells = names.Select(_ => new List<string?>()).ToArray();
        var lines = new List<long>();
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
            lines.Add(reader.LineNumber);
            for (var i = 0; i < names.Length; i++)
            {
                var text = reader.FieldText(i).Trim();
                cells[i].Add(text.Length == 0 || text == "NA" ? null : text);
            }
        }
        var columns = new DataColumn[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            columns[i] = TypeColumn(names[i], cells[i], factors.Contains(names[i], StringComparer.Ordinal));
        }
        return new DataFrame(columns, fileName, lines);
    }

    private enum CellKind
    {
        Missing,
        Number,
        NonFinite,
        Text,
    }

    private static DataColumn TypeColumn(string name, List<string?> texts, bool factor)
    {
        var values = new double[texts.Count];
        int finite = 0, nonFinite = 0, text = 0, firstBad = -1;
        for (var r = 0; r < texts.Count; r++)
        {
            var kind = Classify(texts[r], out values[r]);
            switch (kind)
            {
                case CellKind.Missing:
                    values[r] = double.NaN;
                    continue;
                case CellKind.Number:
                    finite++;
                    continue;
                case CellKind.NonFinite:
                    nonFinite++;
                    break;
                default:
                    text++;
                    break;
            }
            if (firstBad < 0)
            {
                firstBad = r;
            }
        }
        if (factor)
        {
            return firstBad < 0 && finite > 0 ? NumericFactor(name, values) : DataColumn.Factor(name, texts);
        }
        if (firstBad < 0)
        {
            return DataColumn.Numeric(name, values);
        }
        var column = DataColumn.Factor(name, texts);
        // NaN and Inf count as numbers when deciding what the column is meant to hold, though a model cannot use them.
        var numbers = finite + nonFinite;
        if (numbers * 2 < numbers + text)
        {
            return column;
        }
        var found = texts[firstBad]!;
        var problem = Classify(found, out _) == CellKind.NonFinite
            ? $"expected a finite number, found '{found}' (for a missing value leave the cell empty or write NA)"
            : $"expected a number, found '{found}': {numbers} of the column's {numbers + text} values are numbers (correct the cell, or declare '{name}' a factor, lmm --factor {name}, to use its values as levels)";
        return column.WithProblem(firstBad, problem);
    }

    /// <summary>A factor of numbers, as R's factor() of a numeric column: levels written as R writes the numbers, in numeric order.</summary>
    private static DataColumn NumericFactor(string name, double[] values)
    {
        var texts = values.Select(v => double.IsNaN(v) ? null : v.ToString("R", CultureInfo.InvariantCulture)).ToArray();
        var levels = values.Where(v => !double.IsNaN(v)).Distinct().Order().Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray();
        return DataColumn.Factor(name, texts, levels);
    }

    private static CellKind Classify(string? text, out double value)
    {
        value = double.NaN;
        if (text is null)
        {
            return CellKind.Missing;
        }
        var unsigned = text.Length > 0 && text[0] is '+' or '-' ? text[1..] : text;
        if (unsigned.Equals("NaN", StringComparison.OrdinalIgnoreCase) || unsigned.Equals("Inf", StringComparison.OrdinalIgnoreCase)
            || unsigned.Equals("Infinity", StringComparison.OrdinalIgnoreCase))
        {
            return CellKind.NonFinite;
        }
        // Decimal and exponent forms, as R's type.convert; thousands separators make text. A number beyond the
        // range of a double (1e999) parses as infinite and is refused like Inf.
        if (!double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value))
        {
            return CellKind.Text;
        }
        return double.IsFinite(value) ? CellKind.Number : CellKind.NonFinite;
    }
}
