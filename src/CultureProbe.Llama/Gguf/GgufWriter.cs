using System.Buffers.Binary;
using System.Text;

namespace CultureProbe.Llama.Gguf;

/// <summary>
/// Writes GGUF version 3 files: metadata in insertion order, then tensors (F32 or F16) aligned to 32 bytes.
/// Used to make tiny models for tests, the demo and the benchmark.
/// </summary>
public sealed class GgufWriter
{
    private const int Alignment = 32;
    private readonly List<(string Key, GgufValueType Type, object Value)> _metadata = [];
    private readonly List<(string Name, long[] Dimensions, GgmlTensorType Type, float[] Data)> _tensors = [];

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
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(data);
        var count = dimensions.Aggregate(1L, (a, b) => a * b);
        if (count != data.Length)
        {
            throw new ArgumentException($"tensor {name}: {data.Length} values for dimensions [{string.Join(", ", dimensions)}]", nameof(data));
        }
        _tensors.Add((name, [.. dimensions], type, data));
        return this;
    }

    /// <summary>Writes the file (atomically: a temporary file renamed into place).</summary>
    public void Write(string path)
    {
        var temporary = path + ".tmp";
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
            foreach (var (name, dims, type, data) in _tensors)
            {
                WriteString(writer, name);
                writer.Write((uint)dims.Length);
                foreach (var d in dims)
                {
                    writer.Write((ulong)d);
                }
                writer.Write((uint)type);
                writer.Write((ulong)offset);
                offset = Align(offset + ByteCount(type, data.Length));
            }
            Pad(writer);
            var buffer = new byte[1 << 20];
            foreach (var (_, _, type, data) in _tensors)
            {
                var elementSize = type == GgmlTensorType.F32 ? 4 : 2;
                var perChunk = buffer.Length / elementSize;
                for (var start = 0; start < data.Length; start += perChunk)
                {
                    var n = Math.Min(perChunk, data.Length - start);
                    for (var i = 0; i < n; i++)
                    {
                        if (type == GgmlTensorType.F32)
                        {
                            BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * 4), data[start + i]);
                        }
                        else
                        {
                            BinaryPrimitives.WriteHalfLittleEndian(buffer.AsSpan(i * 2), (Half)data[start + i]);
                        }
                    }
                    writer.Write(buffer, 0, n * elementSize);
                }
                Pad(writer);
            }
        }
        File.Move(temporary, path, overwrite: true);
    }

    private sealed record ArrayValue(GgufValueType ElementType, object Values);

    private GgufWriter AddEntry(string key, GgufValueType type, object value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        _metadata.Add((key, type, value));
        return this;
    }

    private static long ByteCount(GgmlTensorType type, long count) => type == GgmlTensorType.F32 ? count * 4 : count * 2;

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
