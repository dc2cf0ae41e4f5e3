using System.Buffers.Binary;
using System.Text;

namespace CultureProbe.Llama.Gguf;

/// <summary>
/// Fills <paramref name="destination"/> with a tensor's values from element <paramref name="start"/> on (file order,
/// fastest-varying dimension first). Called for disjoint ranges, possibly from several threads at once.
/// </summary>
public delegate void TensorValues(long start, Span<float> destination);

/// <summary>
/// Writes GGUF version 3 files: metadata in insertion order, then tensors (F32, F16 or Q8_0) aligned to 32 bytes.
/// Tensor data are produced and encoded a chunk at a time while writing, so memory stays bounded whatever the model's
/// size. Used to make models for tests, the demo and the benchmark.
/// </summary>
public sealed class GgufWriter
{
    private const int Alignment = 32;
    private const int ChunkElements = 1 << 20;
    private const int PartElements = 1 << 16;
    private readonly List<(string Key, GgufValueType Type, object Value)> _metadata = [];
    private readonly List<(string Name, long[] Dimensions, GgmlTensorType Type, long Count, TensorValues Values)> _tensors = [];

    /// <summary>Adds a string value.</summary>
    public GgufWriter Add(string key, string value) => AddEntry(key, GgufValueType.String, value);

    /// <summary>Adds an unsigned 32-bit value.</summary>
    public GgufWriter Add(string key, uint value) => AddEntry(key, GgufValueType.UInt32, value);

    /// <summary>Adds a 32-bit float value.</summary>
    public GgufWriter Add(string key, float value) => AddEntry(key, GgufValueType.Float32, value);

    /// <summary>Adds a boolean value.</summary>
    public GgufWriter Add(string key, bool value) => AddEntry(key, GgufValueType.Bool, value);

    /// <summary>Adds an array of strings.</summary>
    public GgufWriter Add(string key, IReadOnlyList<string> values) => AddEntry(key, GgufValueType.Array, new ArrayValue(GgufValueType.String, values));

    /// <summary>Adds an array of 32-bit floats.</summary>
    public GgufWriter Add(string key, IReadOnlyList<float> values) => AddEntry(key, GgufValueType.Array, new ArrayValue(GgufValueType.Float32, values));

    /// <summary>Adds an array of signed 32-bit integers.</summary>
    public GgufWriter Add(string key, IReadOnlyList<int> values) => AddEntry(key, GgufValueType.Array, new ArrayValue(GgufValueType.Int32, values));

    /// <summary>Adds a tensor; <paramref name="dimensions"/> fastest-varying first, <paramref name="data"/> in that order.</summary>
    public GgufWriter AddTensor(string name, IReadOnlyList<long> dimensions, GgmlTensorType type, float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var count = ElementCount(dimensions);
        if (count != data.Length)
        {
            throw new ArgumentException($"tensor {name}: {data.Length} values for dimensions [{string.Join(", ", dimensions)}]", nameof(data));
        }
        return AddTensor(name, dimensions, type, (start, destination) => data.AsSpan((int)start, destination.Length).CopyTo(destination));
    }

    /// <summary>Adds a tensor whose values <paramref name="values"/> produces while the file is written.</summary>
    /// <exception cref="ArgumentException">A Q8_0 tensor's rows are not a whole number of 32-value blocks.</exception>
    public GgufWriter AddTensor(string name, IReadOnlyList<long> dimensions, GgmlTensorType type, TensorValues values)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(values);
        var count = ElementCount(dimensions);
        if (type == GgmlTensorType.Q8_0 && dimensions[0] % Q8Block != 0)
        {
            throw new ArgumentException($"tensor {name}: a Q8_0 row holds whole blocks of {Q8Block} values, but its rows have {dimensions[0]}", nameof(dimensions));
        }
        if (type is not (GgmlTensorType.F32 or GgmlTensorType.F16 or GgmlTensorType.Q8_0))
        {
            throw new ArgumentException($"tensor {name}: cannot write type {type}", nameof(type));
        }
        _tensors.Add((name, [.. dimensions], type, count, values));
        return this;
    }

    /// <summary>Writes the file (atomically: a temporary file renamed into place).</summary>
    public void Write(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var temporary = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(0x46554747u);
                writer.Write(3u);
                writer.Write((ulong)_tensors.Count);
                writer.Write((ulong)_metadata.Count);
                foreach (var (key, type, value) in _metadata)
                {
                    WriteString(writer, key);
                    writer.Write((uint)type);
                    WriteValue(writer, type, value);
                }
                long offset = 0;
                foreach (var (name, dims, type, count, _) in _tensors)
                {
                    WriteString(writer, name);
                    writer.Write((uint)dims.Length);
                    foreach (var d in dims)
                    {
                        writer.Write((ulong)d);
                    }
                    writer.Write((uint)type);
                    writer.Write((ulong)offset);
                    offset = Align(offset + ByteCount(type, count));
                }
                Pad(writer);
                var floats = new float[ChunkElements];
                var bytes = new byte[ByteCount(GgmlTensorType.F32, ChunkElements)];
                foreach (var (_, _, type, count, values) in _tensors)
                {
                    for (long start = 0; start < count; start += ChunkElements)
                    {
                        var n = (int)Math.Min(ChunkElements, count - start);
                        var byteCount = (int)ByteCount(type, n);
                        var parts = (n + PartElements - 1) / PartElements;
                        if (parts == 1)
                        {
                            Encode(type, values, start, floats.AsSpan(0, n), bytes.AsSpan(0, byteCount));
                        }
                        else
                        {
                            var chunkStart = start;
                            Parallel.For(0, parts, part =>
                            {
                                var from = part * PartElements;
                                var length = Math.Min(PartElements, n - from);
                                Encode(type, values, chunkStart + from, floats.AsSpan(from, length),
                                    bytes.AsSpan((int)ByteCount(type, from), (int)ByteCount(type, length)));
                            });
                        }
                        writer.Write(bytes, 0, byteCount);
                    }
                    Pad(writer);
                }
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Bytes of <paramref name="count"/> values of <paramref name="type"/> (whole blocks for Q8_0).</summary>
    public static long ByteCount(GgmlTensorType type, long count) => type switch
    {
        GgmlTensorType.F32 => count * 4,
        GgmlTensorType.F16 => count * 2,
        GgmlTensorType.Q8_0 => count / Q8Block * Q8BlockBytes,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a type this writer encodes"),
    };

    private const int Q8Block = 32;
    private const int Q8BlockBytes = 34;

    private static void Encode(GgmlTensorType type, TensorValues values, long start, Span<float> floats, Span<byte> bytes)
    {
        values(start, floats);
        switch (type)
        {
            case GgmlTensorType.F32:
                for (var i = 0; i < floats.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(bytes[(i * 4)..], floats[i]);
                }
                break;
            case GgmlTensorType.F16:
                for (var i = 0; i < floats.Length; i++)
                {
                    BinaryPrimitives.WriteHalfLittleEndian(bytes[(i * 2)..], (Half)floats[i]);
                }
                break;
            default:
                for (var block = 0; block * Q8Block < floats.Length; block++)
                {
                    QuantizeQ8(floats.Slice(block * Q8Block, Q8Block), bytes.Slice(block * Q8BlockBytes, Q8BlockBytes));
                }
                break;
        }
    }

    /// <summary>
    /// One Q8_0 block as ggml's reference quantizer makes it: a half-precision scale d = max|x| / 127, then
    /// 32 signed bytes round(x / d), halves away from zero. A value is read back as d · q.
    /// </summary>
    internal static void QuantizeQ8(ReadOnlySpan<float> values, Span<byte> block)
    {
        var max = 0f;
        foreach (var v in values)
        {
            max = Math.Max(max, Math.Abs(v));
        }
        var d = max / 127f;
        var inverse = d != 0f ? 1f / d : 0f;
        BinaryPrimitives.WriteHalfLittleEndian(block, (Half)d);
        for (var i = 0; i < Q8Block; i++)
        {
            block[2 + i] = (byte)(sbyte)MathF.Round(values[i] * inverse, MidpointRounding.AwayFromZero);
        }
    }

    private static long ElementCount(IReadOnlyList<long> dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        if (dimensions.Count is 0 or > 4 || dimensions.Any(d => d <= 0))
        {
            throw new ArgumentException($"1 to 4 positive dimensions expected, got [{string.Join(", ", dimensions)}]", nameof(dimensions));
        }
        return dimensions.Aggregate(1L, (a, b) => checked(a * b));
    }

    private sealed record ArrayValue(GgufValueType ElementType, object Values);

    private GgufWriter AddEntry(string key, GgufValueType type, object value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        _metadata.Add((key, type, value));
        return this;
    }

    private static long Align(long offset) => (offset + Alignment - 1) / Alignment * Alignment;

    private static void Pad(BinaryWriter writer)
    {
        var position = writer.BaseStream.Position;
        for (var i = position; i < Align(position); i++)
        {
            writer.Write((byte)0);
        }
    }

    private static void WriteString(BinaryWriter writer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        writer.Write((ulong)bytes.Length);
        writer.Write(bytes);
    }

    private static void WriteValue(BinaryWriter writer, GgufValueType type, object value)
    {
        switch (type)
        {
            case GgufValueType.String: WriteString(writer, (string)value); break;
            case GgufValueType.UInt32: writer.Write((uint)value); break;
            case GgufValueType.Float32: writer.Write((float)value); break;
            case GgufValueType.Bool: writer.Write((bool)value ? (byte)1 : (byte)0); break;
            case GgufValueType.Array:
                var (elementType, values) = (ArrayValue)value;
                writer.Write((uint)elementType);
                switch (values)
                {
                    case IReadOnlyList<string> strings:
                        writer.Write((ulong)strings.Count);
                        foreach (var s in strings)
                        {
                            WriteString(writer, s);
                        }
                        break;
                    case IReadOnlyList<float> floats:
                        writer.Write((ulong)floats.Count);
                        foreach (var f in floats)
                        {
                            writer.Write(f);
                        }
                        break;
                    case IReadOnlyList<int> ints:
                        writer.Write((ulong)ints.Count);
                        foreach (var i in ints)
                        {
                            writer.Write(i);
                        }
                        break;
                    default:
                        throw new InvalidOperationException($"array of {values.GetType()}");
                }
                break;
            default:
                throw new InvalidOperationException($"value type {type}");
        }
    }
}
