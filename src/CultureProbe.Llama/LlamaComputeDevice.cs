using System.Globalization;

namespace CultureProbe.Llama;

/// <summary>A device ggml registered after loading (its backend device enumeration).</summary>
/// <param name="Name">ggml's name, e.g. <c>CUDA0</c>, <c>Vulkan0</c>, <c>CPU</c>.</param>
/// <param name="Description">What the driver calls it, e.g. <c>NVIDIA H200</c>.</param>
/// <param name="Kind"><c>cpu</c>, <c>gpu</c>, <c>igpu</c> (integrated, host memory), <c>accel</c> or <c>meta</c>.</param>
/// <param name="Backend">The backend that registered it: <c>CPU</c>, <c>CUDA</c>, <c>Vulkan</c>.</param>
/// <param name="TotalMemory">Device memory in bytes (0 where ggml does not know).</param>
/// <param name="FreeMemory">Free device memory in bytes when enumerated.</param>
public sealed record LlamaComputeDevice(string Name, string Description, string Kind, string Backend, ulong TotalMemory, ulong FreeMemory)
{
    /// <summary>Whether layers can be offloaded to it (a discrete or integrated GPU).</summary>
    public bool IsGpu => Kind is "gpu" or "igpu";

    /// <summary><c>CUDA0 NVIDIA H200 (139.8 GiB)</c>.</summary>
    public override string ToString() => TotalMemory > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{Name} {Description} ({TotalMemory / (double)(1L << 30):F1} GiB)")
        : $"{Name} {Description}";
}
