using System.Text.Json.Serialization;

namespace CultureProbe.Llama;

/// <summary>
/// Where llama.cpp runs: each value selects one prebuilt library of the pinned release (npm
/// <c>@node-llama-cpp/linux-x64*@3.22.1</c>, llama.cpp v0.5.0). One process loads one of them.
/// </summary>
public enum LlamaDevice
{
    /// <summary>The CPU build (<c>@node-llama-cpp/linux-x64</c>), copied next to the program by the build. The default.</summary>
    [JsonStringEnumMemberName("cpu")]
    Cpu,

    /// <summary>The CUDA build (<c>@node-llama-cpp/linux-x64-cuda</c>): NVIDIA GPUs, CUDA 13 runtime.</summary>
    [JsonStringEnumMemberName("cuda")]
    Cuda,

    /// <summary>The Vulkan build (<c>@node-llama-cpp/linux-x64-vulkan</c>): any GPU with a Vulkan driver.</summary>
    [JsonStringEnumMemberName("vulkan")]
    Vulkan,
}

/// <summary>Helpers for <see cref="LlamaDevice"/>.</summary>
public static class LlamaDeviceExtensions
{
    /// <summary>Whether the device is a GPU (layers are offloaded to it).</summary>
    public static bool IsGpu(this LlamaDevice device) => device != LlamaDevice.Cpu;
}
