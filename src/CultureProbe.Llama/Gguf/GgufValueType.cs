namespace CultureProbe.Llama.Gguf;

/// <summary>Metadata value types of the GGUF format (version 2 and 3).</summary>
public enum GgufValueType : uint
{
    /// <summary>unsigned 8-bit</summary>
    UInt8 = 0,
    /// <summary>signed 8-bit</summary>
    Int8 = 1,
    /// <summary>unsigned 16-bit</summary>
    UInt16 = 2,
    /// <summary>signed 16-bit</summary>
    Int16 = 3,
    /// <summary>unsigned 32-bit</summary>
    UInt32 = 4,
    /// <summary>signed 32-bit</summary>
    Int32 = 5,
    /// <summary>32-bit float</summary>
    Float32 = 6,
    /// <summary>one-byte boolean</summary>
    Bool = 7,
    /// <summary>length-prefixed UTF-8</summary>
    String = 8,
    /// <summary>typed array</summary>
    Array = 9,
    /// <summary>unsigned 64-bit</summary>
    UInt64 = 10,
    /// <summary>signed 64-bit</summary>
    Int64 = 11,
    /// <summary>64-bit float</summary>
    Float64 = 12,
}

/// <summary>Tensor element types this project writes and reads back (ggml_type values).</summary>
public enum GgmlTensorType : uint
{
    /// <summary>32-bit float</summary>
    F32 = 0,
    /// <summary>16-bit float</summary>
    F16 = 1,
    /// <summary>8-bit blocks: 32 signed bytes sharing one half-precision scale (34 bytes per block)</summary>
    Q8_0 = 8,
}

/// <summary>Byte sizes of ggml tensor types, for checking that a file holds all its tensor data.</summary>
internal static class GgmlTypeSizes
{
    /// <summary>(elements per block, bytes per block) of the types in common use; null for types not known here.</summary>
    public static (int BlockSize, int BlockBytes)? Of(uint type) => type switch
    {
        0 => (1, 4),      // F32
        1 => (1, 2),      // F16
        2 => (32, 18),    // Q4_0
        3 => (32, 20),    // Q4_1
        6 => (32, 22),    // Q5_0
        7 => (32, 24),    // Q5_1
        8 => (32, 34),    // Q8_0
        9 => (32, 36),    // Q8_1
        10 => (256, 84),  // Q2_K
        11 => (256, 110), // Q3_K
        12 => (256, 144), // Q4_K
        13 => (256, 176), // Q5_K
        14 => (256, 210), // Q6_K
        15 => (256, 292), // Q8_K
        24 => (1, 1),     // I8
        25 => (1, 2),     // I16
        26 => (1, 4),     // I32
        27 => (1, 8),     // I64
        28 => (1, 8),     // F64
        30 => (1, 2),     // BF16
        _ => null,
    };
}
