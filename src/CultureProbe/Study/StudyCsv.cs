using System.Globalization;
using CultureProbe.IO;

namespace CultureProbe.Study;

/// <summary>A logical column of a study file and the header names that may spell it (ours first, then the authors' released name).</summary>
internal sealed record StudyColumn(string Name, string[] Aliases, bool Required = true)
{
    public string Describe() => Aliases.Length == 1 ? Aliases[0] : $"{Aliases[0]} (or {string.Join(" or ", Aliases.Skip(1))})";
}

/// <summary>
/// Reads one study CSV through <see cref="DelimitedRecordReader"/>: resolves each logical column
/// from its aliases (case-insensitive) and names file, line, column number and column name in
/// every error.
/// </summary>
internal sealed class StudyCsv : IDisposable
{
    private readonly Stream _stream;
    private readonly DelimitedRecordReader _reader;
    private readonly Dictionary<string, (int Index, string Header)> _columns = new(StringComparer.Ordinal);
    private readonly int _fieldCount;

    private StudyCsv(Stream stream, string name, string expected, IReadOnlyList<StudyColumn> columns)
    {
        FileName = name;
        _stream = stream;
        _reader = new DelimitedRecordReader(_stream, FileName);
        try
        {
            _reader.DetectDelimiter();
            if (!_reader.ReadRecord())
            {
                throw new InputException($"{FileName}:1: the file is empty (expected the header {expected})");
            }
            var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            var headers = new string[_reader.FieldCount];
            for (var i = 0; i < headers.Length; i++)
            {
                headers[i] = _reader.FieldText(i).Trim();
                index.TryAdd(headers[i], i);
            }
            foreach (var column in columns)
            {
                var found = column.Aliases.FirstOrDefault(index.ContainsKey);
                if (found is not null)
                {
                    // Errors name the column as the file spells it.
                    _columns[column.Name] = (index[found], headers[index[found]]);
                }
                else if (column.Required)
                {
                    throw new InputException($"{FileName}:1: missing required column {column.Describe()} (expected the header {expected})");
                }
            }
            _fieldCount = _reader.FieldCount;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string FileName { get; }

    public long Line => _reader.LineNumber;

    public static StudyCsv Open(string path, string expected, IReadOnlyList<StudyColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(path);
        CultureProbe.IO.InputFiles.RejectFolder(path);
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: file not found");
        }
        return new StudyCsv(File.OpenRead(path), Path.GetFileName(path), expected, columns);
    }

    /// <summary>Reads an open stream (an embedded table); <paramref name="name"/> is what errors call it. The reader owns the stream.</summary>
    public static StudyCsv Open(Stream stream, string name, string expected, IReadOnlyList<StudyColumn> columns) => new(stream, name, expected, columns);

    public bool Has(StudyColumn column) => _columns.ContainsKey(column.Name);

    /// <summary>Advances to the next data record; false at the end.</summary>
    public bool Next()
    {
        while (_reader.ReadRecord())
        {
            if (_reader.FieldCount == 1 && _reader.FieldBytes(0).IsEmpty)
            {
                continue;
            }
            if (_reader.FieldCount != _fieldCount)
            {
                throw InputException.At(FileName, _reader.LineNumber, null, null, $"expected {_fieldCount} fields as in the header, found {_reader.FieldCount}");
            }
            return true;
        }
        return false;
    }

    /// <summary>The trimmed text of a column; empty when the column is absent or the field empty.</summary>
    public string Raw(StudyColumn column) => _columns.TryGetValue(column.Name, out var c) ? _reader.FieldText(c.Index).Trim() : "";

    /// <summary>A field that must hold text.</summary>
    public string Text(StudyColumn column)
    {
        var text = Raw(column);
        return text.Length > 0 ? text : throw Error(column, "expected a value, found an empty field");
    }

    /// <summary>A number; null for an empty field or a missing-value marker (NaN, NA, null).</summary>
    public double? OptionalNumber(StudyColumn column)
    {
        var text = Raw(column);
        if (text.Length == 0 || IsMissingMarker(text))
        {
            return null;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw Error(column, $"expected a number, found '{text}'");
    }

    /// <summary>A number that must be present.</summary>
    public double Number(StudyColumn column) =>
        OptionalNumber(column) ?? throw Error(column, $"expected a number, found '{Raw(column)}'");

    /// <summary>The current record's field of <paramref name="column"/>: <c>file:line:column (column header)</c>.</summary>
    public string Where(StudyColumn column) => _columns.TryGetValue(column.Name, out var c)
        ? $"{FileName}:{_reader.LineNumber}:{c.Index + 1} (column {c.Header})"
        : $"{FileName}:{_reader.LineNumber} (column {column.Aliases[0]})";

    /// <summary>An error at the current record and the column's field.</summary>
    public InputException Error(StudyColumn column, string problem)
    {
        if (_columns.TryGetValue(column.Name, out var c))
        {
            return InputException.At(FileName, _reader.LineNumber, c.Index + 1, c.Header, problem);
        }
        return InputException.At(FileName, _reader.LineNumber, null, column.Aliases[0], problem);
    }

    public static bool IsMissingMarker(string text) =>
        text.Equals("nan", StringComparison.OrdinalIgnoreCase) || text.Equals("na", StringComparison.OrdinalIgnoreCase) || text.Equals("null", StringComparison.OrdinalIgnoreCase);

    public void Dispose()
    {
        _reader.Dispose();
        _stream.Dispose();
    }
}
