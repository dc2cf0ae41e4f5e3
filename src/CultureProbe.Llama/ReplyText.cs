using System.Text;

namespace CultureProbe.Llama;

/// <summary>
/// The text of one generated reply, built from the bytes of its tokens and cut at the first stop string. A token may end
/// inside a multi-byte character (byte-fallback pieces): the decoder keeps those bytes until a later token completes the
/// character, and only a sequence still incomplete at the end becomes U+FFFD.
/// </summary>
internal sealed class ReplyText(IReadOnlyList<string> stops)
{
    private readonly Decoder _decoder = new UTF8Encoding(false, false).GetDecoder();
    private readonly StringBuilder _text = new();
    private readonly int _longestStop = stops.Count == 0 ? 0 : stops.Max(s => s.Length);
    private bool _stopped;

    /// <summary>Adds a token's bytes; true when the text now holds a stop string (the text then ends before it and takes nothing more).</summary>
    public bool Append(ReadOnlySpan<byte> bytes) => Add(bytes, flush: false);

    /// <summary>The final text (incomplete trailing bytes as U+FFFD) and whether a stop string ended it.</summary>
    public (string Text, bool Stopped) Finish()
    {
        Add([], flush: true);
        return (_text.ToString(), _stopped);
    }

    private bool Add(ReadOnlySpan<byte> bytes, bool flush)
    {
        if (_stopped)
        {
            return true;
        }
        var before = _text.Length;
        Span<char> chars = stackalloc char[_decoder.GetCharCount(bytes, flush)];
        _decoder.GetChars(bytes, chars, flush);
        _text.Append(chars);
        if (_longestStop == 0 || _text.Length == before)
        {
            return false;
        }
        // A stop string that ends in the new characters starts at most (longest - 1) characters before them.
        var from = Math.Max(0, before - (_longestStop - 1));
        var tail = _text.ToString(from, _text.Length - from);
        var cut = -1;
        foreach (var stop in stops)
        {
            var at = tail.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (cut < 0 || at < cut))
            {
                cut = at;
            }
        }
        if (cut < 0)
        {
            return false;
        }
        _text.Length = from + cut;
        _stopped = true;
        return true;
    }
}
