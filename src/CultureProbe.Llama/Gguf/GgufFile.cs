using System.Buffers.Binary;
using System.Text;

namespace CultureProbe.Llama.Gguf;

/// <summary>Where one tensor lies in a GGUF file.</summary>
/// <param name="Name">Tensor name, e.g. <c>blk.0.attn_q.weight</c>.</param>
/// <param name="Dimensions">Sizes, fastest-varying first.</param>
/// <param name="Type">ggml type id.</param>
/// <param name="Offset">Byte offset from the start of the data section.</param>
/// <param name="ByteCount">Bytes of data, when the type's size is known.</param>
public sealed record GgufTensorInfo(string Name, IReadOnlyList<long> Dimensions, uint Type, long Offset, long? ByteCount)
{
    /// <summary>Number of elements.</summary>
    public long ElementCount => Dimensions.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// The header, metadata and tensor directory of a GGUF file, read and validated in managed code so that a
/// malformed file becomes an <see cref="InvalidModelFileException"/> instead of a native abort.
/// </summary>
public sealed class GgufFile
{
    private const uint Magic = 0x46554747; // "GGUF" little-endian
    private const int MaxCount = 1 << 24;

    private GgufFile(string path, uint version, IReadOnlyDictionary<string, object> metadata, IReadOnlyList<GgufTensorInfo> tensors, long dataOffset, long length)
    {
        Path = path;
        Version = version;
        Metadata = metadata;
        Tensors = tensors;
        DataOffset = dataOffset;
        Length = length;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>GGUF format version (2 or 3).</summary>
    public uint Version { get; }

    /// <summary>Metadata values: string, bool, long (all integers), double (all floats), or arrays of those.</summary>
    public IReadOnlyDictionary<string, object> Metadata { get; }

    /// <summary>The tensor directory in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>Absolute offset of the data section.</summary>
    public long DataOffset { get; }

    /// <summary>File length in bytes.</summary>
    public long Length { get; }

    /// <summary>A string metadata value, or null.</summary>
    public string? GetString(string key) => Metadata.TryGetValue(key, out var v) ? v as string : null;

    /// <summary>An integer metadata value, or null.</summary>
    public long? GetInteger(string key) => Metadata.TryGetValue(key, out var v) && v is long l ? l : null;

    /// <summary>A float metadata value (integers convert), or null.</summary>
    public double? GetFloat(string key) => Metadata.TryGetValue(key, out var v) ? v switch { double d => d, long l => l, _ => null } : null;

    /// <summary>Reads and validates <paramref name="path"/>.</summary>
    /// <exception cref="InvalidModelFileException">The file is missing, truncated or malformed; the message says which and where.</exception>
    public static GgufFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            throw new InvalidModelFileException(path, "is a folder, not a GGUF model file");
        }
        if (!File.Exists(path))
        {
            throw new InvalidModelFileException(path, "model file not found");
        }
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var reader = new Reader(stream, path);
            var file = ReadHeader(reader, path, stream.Length);
            Validate(file);
            return file;
        }
        catch (IOException ex)
        {
            throw new InvalidModelFileException(path, $"cannot be read: {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new InvalidModelFileException(path, $"cannot be read: {ex.Message}", ex);
        }
    }

    private static GgufFile ReadHeader(Reader reader, string path, long length)
    {
        if (length < 24)
        {
            throw new InvalidModelFileException(path, $"is {length} bytes long, too short for a GGUF header (24 bytes): truncated or not a model");
        }
        var magic = reader.UInt32("magic");
        if (magic != Magic)
        {
            throw new InvalidModelFileException(path, $"is not a GGUF file: it starts with 0x{magic:X8}, expected the magic 'GGUF'");
        }
        var version = reader.UInt32("version");
        if (version is not (2 or 3))
        {
            throw new InvalidModelFileException(path, $"has GGUF version {version}; versions 2 and 3 are supported");
        }
        var tensorCount = reader.UInt64("tensor count");
        var kvCount = reader.UInt64("metadata count");
        if (tensorCount > MaxCount || kvCount > MaxCount)
        {
            throw new InvalidModelFileException(path, $"header claims {tensorCount} tensors and {kvCount} metadata entries: corrupt header");
        }
        var metadata = new Dictionary<string, object>(StringComparer.Ordinal);
        for (ulong i = 0; i < kvCount; i++)
        {
            var key = reader.String($"key of metadata entry {i}");
            var type = reader.UInt32($"type of '{key}'");
            var value = ReadValue(reader, (GgufValueType)type, key, allowArray: true);
            if (!metadata.TryAdd(key, value))
            {
                throw new InvalidModelFileException(path, $"metadata key '{key}' appears twice");
            }
        }
        long alignment = 32;
        if (metadata.TryGetValue("general.alignment", out var alignValue))
        {
            alignment = alignValue is long a && a > 0 && (a & (a - 1)) == 0
                ? a
                : throw new InvalidModelFileException(path, $"general.alignment = {alignValue} is not a power of two");
        }
        var tensors = new List<GgufTensorInfo>((int)tensorCount);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (ulong i = 0; i < tensorCount; i++)
        {
            var name = reader.String($"name of tensor {i}");
            if (!names.Add(name))
            {
                throw new InvalidModelFileException(path, $"tensor '{name}' appears twice");
            }
            var nDims = reader.UInt32($"dimension count of tensor '{name}'");
            if (nDims is 0 or > 4)
            {
                throw new InvalidModelFileException(path, $"tensor '{name}' has {nDims} dimensions; 1 to 4 expected");
            }
            var dims = new long[nDims];
            long elements = 1;
            for (var d = 0; d < nDims; d++)
            {
                var size = reader.UInt64($"dimension {d} of tensor '{name}'");
                if (size is 0 or > int.MaxValue)
                {
                    throw new InvalidModelFileException(path, $"tensor '{name}' dimension {d} is {size}");
                }
                dims[d] = (long)size;
                elements = checked(elements * (long)size);
            }
            var type = reader.UInt32($"type of tensor '{name}'");
            var offset = reader.UInt64($"offset of tensor '{name}'");
            if (offset % (ulong)alignment != 0)
            {
                throw new InvalidModelFileException(path, $"tensor '{name}' data offset {offset} is not aligned to {alignment}");
            }
            long? bytes = null;
            if (GgmlTypeSizes.Of(type) is { } size2)
            {
                if (dims[0] % size2.BlockSize != 0)
                {
                    throw new InvalidModelFileException(path, $"tensor '{name}' row of {dims[0]} elements is not a whole number of type-{type} blocks");
                }
                bytes = elements / size2.BlockSize * size2.BlockBytes;
            }
            tensors.Add(new GgufTensorInfo(name, dims, type, (long)offset, bytes));
        }
        var dataOffset = (reader.Position + alignment - 1) / alignment * alignment;
        foreach (var tensor in tensors)
        {
            if (tensor.ByteCount is { } n && dataOffset + tensor.Offset + n > length)
            {
                throw new InvalidModelFileException(path,
                    $"is truncated: tensor '{tensor.Name}' needs bytes up to {dataOffset + tensor.Offset + n}, but the file has {length}");
            }
            if (dataOffset + tensor.Offset > length)
            {
                throw new InvalidModelFileException(path, $"is truncated: tensor '{tensor.Name}' starts past the end of the file");
            }
        }
        return new GgufFile(path, version, metadata, tensors, dataOffset, length);
    }

    private static object ReadValue(Reader reader, GgufValueType type, string key, bool allowArray)
    {
        switch (type)
        {
            case GgufValueType.UInt8: return (long)reader.Bytes(1, key)[0];
            case GgufValueType.Int8: return (long)(sbyte)reader.Bytes(1, key)[0];
            case GgufValueType.UInt16: return (long)BinaryPrimitives.ReadUInt16LittleEndian(reader.Bytes(2, key));
            case GgufValueType.Int16: return (long)BinaryPrimitives.ReadInt16LittleEndian(reader.Bytes(2, key));
            case GgufValueType.UInt32: return (long)reader.UInt32(key);
            case GgufValueType.Int32: return (long)(int)reader.UInt32(key);
            case GgufValueType.Float32: return (double)BinaryPrimitives.ReadSingleLittleEndian(reader.Bytes(4, key));
            case GgufValueType.Bool:
                var b = reader.Bytes(1, key)[0];
                return b <= 1 ? b == 1 : throw reader.Corrupt($"'{key}' holds {b}, not a boolean");
            case GgufValueType.String: return reader.String(key);
            case GgufValueType.UInt64: return (long)reader.UInt64(key);
            case GgufValueType.Int64: return (long)reader.UInt64(key);
            case GgufValueType.Float64: return BinaryPrimitives.ReadDoubleLittleEndian(reader.Bytes(8, key));
            case GgufValueType.Array when allowArray:
                var elementType = (GgufValueType)reader.UInt32($"element type of '{key}'");
                var count = reader.UInt64($"length of '{key}'");
                var minBytes = elementType switch
                {
                    GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1UL,
                    GgufValueType.UInt16 or GgufValueType.Int16 => 2UL,
                    GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4UL,
                    GgufValueType.String or GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 => 8UL,
                    _ => throw reader.Corrupt($"'{key}' is an array of unsupported element type {(uint)elementType}"),
                };
                if (count > MaxCount * 4UL || count * minBytes > (ulong)(reader.Length - reader.Position))
                {
                    throw reader.Truncated($"array '{key}' of {count} elements");
                }
                var values = new object[count];
                for (ulong i = 0; i < count; i++)
                {
                    values[i] = ReadValue(reader, elementType, key, allowArray: false);
                }
                return values;
            default:
                throw reader.Corrupt($"'{key}' has unknown value type {(uint)type}");
        }
    }

    private static void Validate(GgufFile file)
    {
        var path = file.Path;
        var architecture = file.GetString("general.architecture")
            ?? throw new InvalidModelFileException(path, "has no general.architecture string");
        if (!file.Metadata.TryGetValue("tokenizer.ggml.tokens", out var tokensValue) || tokensValue is not object[] tokens || tokens.Length == 0)
        {
            throw new InvalidModelFileException(path, "has no vocabulary (tokenizer.ggml.tokens)");
        }
        var seen = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (var i = 0; i < tokens.Length; i++)
        {
            if (tokens[i] is not string piece)
            {
                throw new InvalidModelFileException(path, $"tokenizer.ggml.tokens[{i}] is not a string");
            }
            if (!seen.TryAdd(piece, i))
            {
                throw new InvalidModelFileException(path, $"vocabulary holds the piece '{piece}' twice (ids {seen[piece]} and {i}); llama.cpp would abort on it");
            }
        }
        foreach (var key in new[] { "tokenizer.ggml.scores", "tokenizer.ggml.token_type" })
        {
            if (file.Metadata.TryGetValue(key, out var v) && (v is not object[] array || array.Length != tokens.Length))
            {
                throw new InvalidModelFileException(path, $"{key} does not have one entry per token ({tokens.Length})");
            }
        }
        foreach (var key in new[] { "bos", "eos", "unknown", "padding", "seperator" })
        {
            var id = file.GetInteger($"tokenizer.ggml.{key}_token_id");
            if (id is { } value && (value < -1 || value >= tokens.Length))
            {
                throw new InvalidModelFileException(path, $"tokenizer.ggml.{key}_token_id = {value} is outside the vocabulary of {tokens.Length}");
            }
        }
        var embd = file.GetInteger($"{architecture}.embedding_length");
        if (embd is null || embd <= 0)
        {
            throw new InvalidModelFileException(path, $"has no positive {architecture}.embedding_length");
        }
        // llama.cpp asserts (aborting the process) that 1 <= n_layer <= LLAMA_MAX_LAYERS (512).
        if (file.GetInteger($"{architecture}.block_count") is not (> 0 and <= 512))
        {
            throw new InvalidModelFileException(path, $"has no {architecture}.block_count between 1 and 512 (llama.cpp's limit)");
        }
        // Shapes llama.cpp divides by or asserts on: a zero head count is a division by zero in native code.
        var heads = file.GetInteger($"{architecture}.attention.head_count");
        if (heads is { } h && (h <= 0 || embd % h != 0))
        {
            throw new InvalidModelFileException(path, $"{architecture}.attention.head_count = {h} does not divide {architecture}.embedding_length = {embd}");
        }
        var kvHeads = file.GetInteger($"{architecture}.attention.head_count_kv");
        if (heads is { } h2 && kvHeads is { } kv && (kv <= 0 || h2 % kv != 0))
        {
            throw new InvalidModelFileException(path, $"{architecture}.attention.head_count_kv = {kv} does not divide the head count {h2}");
        }
        foreach (var key in new[] { "context_length", "feed_forward_length" })
        {
            if (file.GetInteger($"{architecture}.{key}") is <= 0)
            {
                throw new InvalidModelFileException(path, $"{architecture}.{key} must be positive");
            }
        }
        var tokenEmbedding = file.Tensors.FirstOrDefault(t => t.Name == "token_embd.weight")
            ?? throw new InvalidModelFileException(path, "has no token_embd.weight tensor");
        if (tokenEmbedding.Dimensions.Count != 2 || tokenEmbedding.Dimensions[0] != embd || tokenEmbedding.Dimensions[1] != tokens.Length)
        {
            throw new InvalidModelFileException(path,
                $"token_embd.weight is [{string.Join(", ", tokenEmbedding.Dimensions)}], expected [{embd}, {tokens.Length}] (embedding length, vocabulary size)");
        }
    }

    /// <summary>Reads a F32 or F16 tensor as doubles, in file order (fastest-varying dimension first).</summary>
    internal double[] ReadTensor(string name)
    {
        var info = Tensors.FirstOrDefault(t => t.Name == name) ?? throw new KeyNotFoundException($"tensor {name} not in {Path}");
        var count = checked((int)info.ElementCount);
        var result = new double[count];
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read);
        stream.Position = DataOffset + info.Offset;
        var bytes = new byte[info.ByteCount ?? throw new NotSupportedException($"tensor type {info.Type}")];
        stream.ReadExactly(bytes);
        for (var i = 0; i < count; i++)
        {
            result[i] = info.Type switch
            {
                0 => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4)),
                1 => (double)BinaryPrimitives.ReadHalfLittleEndian(bytes.AsSpan(i * 2)),
                _ => throw new NotSupportedException($"tensor type {info.Type}"),
            };
        }
        return result;
    }

    private sealed class Reader(Stream stream, string path)
    {
        private readonly byte[] _buffer = new byte[8];

        public long Position => stream.Position;

        public long Length => stream.Length;

        public InvalidModelFileException Truncated(string what) =>
            new(path, $"is truncated or corrupt: {what} runs past the end of the file ({Length} bytes) at offset {Position}");

        public InvalidModelFileException Corrupt(string what) => new(path, $"is corrupt at offset {Position}: {what}");

        public ReadOnlySpan<byte> Bytes(int count, string what)
        {
            if (stream.Read(_buffer, 0, count) is var n && n != count)
            {
                if (n > 0 && stream.Position != Length)
                {
                    stream.ReadExactly(_buffer, n, count - n);
                    return _buffer.AsSpan(0, count);
                }
                throw Truncated(what);
            }
            return _buffer.AsSpan(0, count);
        }

        public uint UInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4, what));

        public ulong UInt64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Bytes(8, what));

        public string String(string what)
        {
            var length = UInt64($"length of {what}");
            if (length > (ulong)(Length - Position) || length > 1 << 26)
            {
                throw Truncated($"{what} ({length} bytes)");
            }
            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            try
            {
                return new UTF8Encoding(false, true).GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw Corrupt($"{what} is not valid UTF-8");
            }
        }
    }
}
