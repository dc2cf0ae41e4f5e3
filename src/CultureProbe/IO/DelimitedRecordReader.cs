using System.Security.Cryptography;
using System.Text;

namespace CultureProbe.IO;

/// <summary>
/// A streaming reader of delimited text (CSV) that works on UTF-8 bytes, so large survey
/// files are read in one pass with constant memory. It handles a byte-order mark, CRLF or LF
/// line ends, quoted fields with doubled quotes, and reports the line each record starts on.
/// It refuses UTF-16 and UTF-32 text (by byte-order mark or zero bytes), naming the encoding.
/// It also hashes every byte it reads, so callers get the file's SHA-256 without a second pass.
/// </summary>
internal sealed class DelimitedRecordReader : IDisposable
{
    private const int InitialBufferSize = 1 << 20;

    private readonly Stream _stream;
    private readonly string _fileName;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[] _buffer = new byte[InitialBufferSize];
    private int _recordStart;
    private int _dataEnd;
    private bool _endOfStream;
    private bool _atStart = true;
    private long _nextLine = 1;
    private int[] _fieldStart = new int[512];
    private int[] _fieldEnd = new int[512];
    private bool[] _fieldEscaped = new bool[512];

    public DelimitedRecordReader(Stream stream, string fileName)
    {
        _stream = stream;
        _fileName = fileName;
    }

    /// <summary>The field separator; detect it from the header with <see cref="DetectDelimiter"/> or set it.</summary>
    public byte Delimiter { get; set; } = (byte)',';

    /// <summary>Line number (1-based) where the current record starts.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Number of fields in the current record.</summary>
    public int FieldCount { get; private set; }

    /// <summary>Total bytes read so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Raw bytes of field <paramref name="index"/> without its surrounding quotes.</summary>
    public ReadOnlySpan<byte> FieldBytes(int index) => _buffer.AsSpan(_fieldStart[index], _fieldEnd[index] - _fieldStart[index]);

    /// <summary>Whether field <paramref name="index"/> holds doubled quotes that <see cref="FieldText"/> unescapes.</summary>
    public bool FieldHasEscapes(int index) => _fieldEscaped[index];

    /// <summary>The field as text, with doubled quotes unescaped.</summary>
    public string FieldText(int index)
    {
        var text = Encoding.UTF8.GetString(FieldBytes(index));
        return _fieldEscaped[index] ? text.Replace("\"\"", "\"", StringComparison.Ordinal) : text;
    }

    /// <summary>SHA-256 of all bytes read; call after the last record.</summary>
    public string FinishHash()
    {
        // Drain what was not parsed (there should be nothing) so the hash covers the whole file.
        while (!_endOfStream)
        {
            Fill();
        }
        return Convert.ToHexStringLower(_hash.GetHashAndReset());
    }

    /// <summary>
    /// Chooses the delimiter from the first line: the most frequent of comma, semicolon and tab
    /// outside quotes. Call before the first <see cref="ReadRecord"/>.
    /// </summary>
    public void DetectDelimiter()
    {
        EnsureStartRead();
        var span = _buffer.AsSpan(_recordStart, _dataEnd - _recordStart);
        var lineEnd = span.IndexOfAny((byte)'\n', (byte)'\r');
        if (lineEnd >= 0)
        {
            span = span[..lineEnd];
        }
        int commas = 0, semicolons = 0, tabs = 0;
        var quoted = false;
        foreach (var b in span)
        {
            switch (b)
            {
                case (byte)'"': quoted = !quoted; break;
                case (byte)',' when !quoted: commas++; break;
                case (byte)';' when !quoted: semicolons++; break;
                case (byte)'\t' when !quoted: tabs++; break;
            }
        }
        Delimiter = semicolons > commas && semicolons >= tabs ? (byte)';' : tabs > commas && tabs > semicolons ? (byte)'\t' : (byte)',';
    }

    /// <summary>Reads the next non-blank record; false at the end of the file.</summary>
    public bool ReadRecord()
    {
        EnsureStartRead();
        while (true)
        {
            var outcome = TryParseRecord(out var consumed, out var linesSpanned);
            if (outcome == ParseOutcome.NeedMoreData)
            {
                if (_endOfStream)
                {
                    if (_recordStart >= _dataEnd)
                    {
                        return false;
                    }
                    throw new InputException($"{_fileName}:{_nextLine}: a quoted field is never closed (expected a closing '\"' before the end of the file)");
                }
                Fill();
                continue;
            }
            LineNumber = _nextLine;
            _nextLine += linesSpanned;
            _recordStart += consumed;
            if (outcome == ParseOutcome.BlankLine)
            {
                continue;
            }
            return true;
        }
    }

    public void Dispose()
    {
        _hash.Dispose();
    }

    private enum ParseOutcome
    {
        Record,
        BlankLine,
        NeedMoreData,
    }

    private void EnsureStartRead()
    {
        if (!_atStart)
        {
            return;
        }
        _atStart = false;
        Fill();
        while (_dataEnd - _recordStart < 4 && !_endOfStream)
        {
            Fill();
        }
        var start = _buffer.AsSpan(_recordStart, _dataEnd - _recordStart);
        if (NotUtf8(start) is { } encoding)
        {
            throw new InputException($"{_fileName}: the file is {encoding}, not UTF-8 (expected UTF-8 text; save it as UTF-8, e.g. \"CSV UTF-8\" in a spreadsheet, or iconv -f {encoding.Split(' ')[0]} -t UTF-8)");
        }
        if (start.StartsWith("\uFEFF"u8))
        {
            _recordStart += 3;
        }
    }

    /// <summary>
    /// Names the encoding of text that is not UTF-8 from its start: a UTF-32 or UTF-16 byte-order mark, or,
    /// without one, the zero bytes that UTF-16/32 put beside every ASCII character (UTF-8 text never holds
    /// a zero byte). Without this check such a file reads as one garbled header and is reported as
    /// missing every column. Null when the start looks like UTF-8 (or ASCII).
    /// </summary>
    internal static string? NotUtf8(ReadOnlySpan<byte> start)
    {
        // UTF-32 LE's mark begins with UTF-16 LE's, so test the longer marks first.
        if (start.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]))
        {
            return "UTF-32 (little-endian)";
        }
        if (start.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF]))
        {
            return "UTF-32 (big-endian)";
        }
        if (start.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return "UTF-16 (little-endian)";
        }
        if (start.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return "UTF-16 (big-endian)";
        }
        var sample = start[..Math.Min(start.Length, 4096)];
        var zeros = sample.Count((byte)0);
        if (zeros == 0 || zeros * 4 < sample.Length)
        {
            return null;
        }
        // ASCII in UTF-16 LE is "c 0", in BE "0 c"; in UTF-32 three of every four bytes are zero.
        if (zeros * 4 >= sample.Length * 3 - 4)
        {
            return sample.Length > 0 && sample[0] == 0 ? "UTF-32 (big-endian)" : "UTF-32 (little-endian)";
        }
        var evenZeros = 0;
        for (var i = 0; i < sample.Length; i += 2)
        {
            evenZeros += sample[i] == 0 ? 1 : 0;
        }
        return evenZeros * 2 > zeros ? "UTF-16 (big-endian)" : "UTF-16 (little-endian)";
    }

    /// <summary>Moves unparsed bytes to the front, grows the buffer if a record fills it, and reads more.</summary>
    private void Fill()
    {
        var remaining = _dataEnd - _recordStart;
        if (_recordStart > 0)
        {
            Buffer.BlockCopy(_buffer, _recordStart, _buffer, 0, remaining);
            _recordStart = 0;
            _dataEnd = remaining;
        }
        if (_dataEnd == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        var read = _stream.Read(_buffer, _dataEnd, _buffer.Length - _dataEnd);
        if (read == 0)
        {
            _endOfStream = true;
            return;
        }
        _hash.AppendData(_buffer, _dataEnd, read);
        _dataEnd += read;
        BytesRead += read;
    }

    private ParseOutcome TryParseRecord(out int consumed, out long linesSpanned)
    {
        consumed = 0;
        linesSpanned = 0;
        var buffer = _buffer;
        var position = _recordStart;
        var end = _dataEnd;
        var delimiter = Delimiter;
        var fields = 0;
        long newlines = 0;

        while (true)
        {
            if (fields == _fieldStart.Length)
            {
                Array.Resize(ref _fieldStart, fields * 2);
                Array.Resize(ref _fieldEnd, fields * 2);
                Array.Resize(ref _fieldEscaped, fields * 2);
            }
            if (position >= end)
            {
                if (!_endOfStream)
                {
                    return ParseOutcome.NeedMoreData;
                }
                // The last line has no line end: the record ends with the data.
                if (fields == 0 && position == _recordStart)
                {
                    return ParseOutcome.NeedMoreData;
                }
                _fieldStart[fields] = position;
                _fieldEnd[fields] = position;
                _fieldEscaped[fields] = false;
                FieldCount = fields + 1;
                consumed = position - _recordStart;
                linesSpanned = newlines + 1;
                return FieldCount == 1 && consumed == 0 ? ParseOutcome.BlankLine : ParseOutcome.Record;
            }

            if (buffer[position] == (byte)'"')
            {
                var contentStart = position + 1;
                var scan = contentStart;
                var escaped = false;
                while (true)
                {
                    var next = buffer.AsSpan(scan, end - scan).IndexOf((byte)'"');
                    if (next < 0)
                    {
                        return ParseOutcome.NeedMoreData;
                    }
                    newlines += buffer.AsSpan(scan, next).Count((byte)'\n');
                    scan += next;
                    if (scan + 1 >= end && !_endOfStream)
                    {
                        return ParseOutcome.NeedMoreData;
                    }
                    if (scan + 1 < end && buffer[scan + 1] == (byte)'"')
                    {
                        escaped = true;
                        scan += 2;
                        continue;
                    }
                    break;
                }
                _fieldStart[fields] = contentStart;
                _fieldEnd[fields] = scan;
                _fieldEscaped[fields] = escaped;
                position = scan + 1;
                if (position < end && buffer[position] != delimiter && buffer[position] != (byte)'\n' && buffer[position] != (byte)'\r')
                {
                    throw new InputException($"{_fileName}:{_nextLine + newlines}:{fields + 1}: expected a delimiter or line end after a closing quote, found '{(char)buffer[position]}'");
                }
            }
            else
            {
                var rest = buffer.AsSpan(position, end - position);
                var stop = rest.IndexOfAny(delimiter, (byte)'\n', (byte)'\r');
                if (stop < 0)
                {
                    if (!_endOfStream)
                    {
                        return ParseOutcome.NeedMoreData;
                    }
                    stop = rest.Length;
                }
                _fieldStart[fields] = position;
                _fieldEnd[fields] = position + stop;
                _fieldEscaped[fields] = false;
                position += stop;
            }
            fields++;

            if (position >= end)
            {
                if (!_endOfStream)
                {
                    return ParseOutcome.NeedMoreData;
                }
                FieldCount = fields;
                consumed = position - _recordStart;
                linesSpanned = newlines + 1;
                return ParseOutcome.Record;
            }
            var terminator = buffer[position];
            if (terminator == delimiter)
            {
                position++;
                continue;
            }
            // A line end: LF, CRLF or a lone CR.
            if (terminator == (byte)'\r')
            {
                if (position + 1 >= end && !_endOfStream)
                {
                    return ParseOutcome.NeedMoreData;
                }
                position += position + 1 < end && buffer[position + 1] == (byte)'\n' ? 2 : 1;
            }
            else
            {
                position++;
            }
            FieldCount = fields;
            consumed = position - _recordStart;
            linesSpanned = newlines + 1;
            var blank = fields == 1 && _fieldEnd[0] == _fieldStart[0] && buffer[_recordStart] != (byte)'"';
            return blank ? ParseOutcome.BlankLine : ParseOutcome.Record;
        }
    }
}
