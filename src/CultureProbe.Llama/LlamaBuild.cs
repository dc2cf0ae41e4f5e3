namespace CultureProbe.Llama;

/// <summary>A library the system must provide for a GPU build, and what provides it.</summary>
/// <param name="File">The file name the loader looks for, e.g. <c>libcuda.so.1</c>.</param>
/// <param name="ProvidedBy">What to install to get it.</param>
/// <param name="PinnedBuildOnly">Needed by the pinned package's GPU plug-in; another folder (a variable's) may need a different one.</param>
public sealed record SystemLibrary(string File, string ProvidedBy, bool PinnedBuildOnly = false);

/// <summary>
/// One prebuilt llama.cpp library of the pinned release (llama.cpp v0.5.0, npm <c>@node-llama-cpp/*@3.22.1</c>, MIT):
/// which npm package holds it, which files it has, what the system must provide, and the variable that points at
/// a copy extracted by hand.
/// </summary>
public sealed record LlamaBuild
{
    /// <summary>The npm version of every build (llama.cpp release v0.5.0).</summary>
    public const string PinnedNpmVersion = "3.22.1";

    private LlamaBuild()
    {
    }

    /// <summary>The device this build runs on.</summary>
    public required LlamaDevice Device { get; init; }

    /// <summary>The npm package, e.g. <c>@node-llama-cpp/linux-x64-cuda</c>.</summary>
    public required string NpmPackage { get; init; }

    /// <summary>The npm version (<see cref="PinnedNpmVersion"/>).</summary>
    public string NpmVersion { get; init; } = PinnedNpmVersion;

    /// <summary>The folder under <c>package/bins/</c> that holds the libraries, e.g. <c>linux-x64-cuda</c>.</summary>
    public required string BinsFolder { get; init; }

    /// <summary>The llama library's file name, e.g. <c>libllama.cuda.v0.5.0.so</c>; the runtime looks for <see cref="LlamaPattern"/>.</summary>
    public required string LlamaFile { get; init; }

    /// <summary>Glob of the llama library in a folder.</summary>
    public required string LlamaPattern { get; init; }

    /// <summary>The ggml library's file name, e.g. <c>libggml.cuda.v0.5.0.so</c>.</summary>
    public required string GgmlFile { get; init; }

    /// <summary>Glob of the ggml library in a folder.</summary>
    public required string GgmlPattern { get; init; }

    /// <summary>Environment variable naming a folder that holds this build (extracted by hand), instead of the default.</summary>
    public required string DirectoryVariable { get; init; }

    /// <summary>ggml's registry name of the GPU backend (<c>CUDA</c>, <c>Vulkan</c>); null for the CPU build.</summary>
    public string? GpuBackendName { get; init; }

    /// <summary>The GPU plug-in that ggml loads from the folder (<c>libggml-cuda.so</c>); null for the CPU build.</summary>
    public string? GpuPlugin { get; init; }

    /// <summary>SHA-1 of the npm tarball as the registry lists it (<c>dist.shasum</c>); checked after a download.</summary>
    public string? TarballSha1 { get; init; }

    /// <summary>The tarball's size, for the download message.</summary>
    public string? DownloadSize { get; init; }

    /// <summary>Libraries the system must provide before the build can load (checked before anything is downloaded).</summary>
    public IReadOnlyList<SystemLibrary> SystemLibraries { get; init; } = [];

    /// <summary>What to install for this device, in one sentence.</summary>
    public string Requirements { get; init; } = "";

    /// <summary><c>package@version</c>, as <c>npm pack</c> takes it.</summary>
    public string PackageSpec => $"{NpmPackage}@{NpmVersion}";

    /// <summary>The file <c>npm pack</c> writes: the scope's <c>@</c> dropped and <c>/</c> made <c>-</c>.</summary>
    public string TarballName => $"{NpmPackage.TrimStart('@').Replace('/', '-')}-{NpmVersion}.tgz";

    /// <summary>The folder the tarball is extracted to, inside the cache (<c>linux-x64-cuda-3.22.1</c>).</summary>
    public string ExtractFolder => $"{BinsFolder}-{NpmVersion}";

    /// <summary>The CPU build: copied next to the program by the build (<c>&lt;app&gt;/llama/</c>).</summary>
    public static LlamaBuild Cpu { get; } = new()
    {
        Device = LlamaDevice.Cpu,
        NpmPackage = "@node-llama-cpp/linux-x64",
        BinsFolder = "linux-x64",
        LlamaFile = "libllama.v0.5.0.so",
        // "v?." and not "v*": libllama.v*.so would also match libllama.vulkan.v0.5.0.so.
        LlamaPattern = "libllama.v?.*.so",
        GgmlFile = "libggml.v0.5.0.so",
        GgmlPattern = "libggml.v?.*.so",
        DirectoryVariable = LlamaRuntime.LibraryDirectoryVariable,
        TarballSha1 = "cf9934edd4cf034260358123d65f9f8c9fb6b5fd",
        DownloadSize = "11 MB",
        Requirements = "nothing beyond glibc 2.34 and libstdc++ (GLIBCXX 3.4.30)",
    };

    /// <summary>
    /// The CUDA build. Its plug-in <c>libggml-cuda.so</c> was compiled with CUDA 13.1 and links the system's
    /// <c>libcudart.so.13</c> and <c>libcublas.so.13</c>, and the driver's <c>libcuda.so.1</c>; none of them is in the package.
    /// </summary>
    public static LlamaBuild Cuda { get; } = new()
    {
        Device = LlamaDevice.Cuda,
        NpmPackage = "@node-llama-cpp/linux-x64-cuda",
        BinsFolder = "linux-x64-cuda",
        LlamaFile = "libllama.cuda.v0.5.0.so",
        LlamaPattern = "libllama.cuda.v*.so",
        GgmlFile = "libggml.cuda.v0.5.0.so",
        GgmlPattern = "libggml.cuda.v*.so",
        DirectoryVariable = "CULTUREPROBE_LLAMA_CUDA_DIR",
        GpuBackendName = "CUDA",
        GpuPlugin = "libggml-cuda.so",
        TarballSha1 = "cc2f74eedb0df653a1195f6a168a5f88119dcd00",
        DownloadSize = "143 MB",
        SystemLibraries =
        [
            new("libcuda.so.1", "the NVIDIA driver"),
            new("libcudart.so.13", "the CUDA 13 runtime", PinnedBuildOnly: true),
            new("libcublas.so.13", "cuBLAS 13", PinnedBuildOnly: true),
        ],
        // The plug-in has machine code for sm_86/89/120/121 and PTX of CUDA 13.1 for the rest (sm_75/80/90: T4, A100,
        // H100, H200), which the driver compiles on first use and only a 590-branch driver understands.
        Requirements = "an NVIDIA GPU and its driver (580 or newer; 590 or newer for T4, A100, H100 and H200, whose kernels this build ships as CUDA 13.1 PTX), " +
            "and the CUDA 13 runtime and cuBLAS (libcudart.so.13, libcublas.so.13, libcublasLt.so.13: a CUDA 13.x toolkit, or NVIDIA's cuda-cudart-13-x and libcublas-13-x packages) " +
            "on the loader path (ldconfig or LD_LIBRARY_PATH)",
    };

    /// <summary>The Vulkan build. Its plug-in <c>libggml-vulkan.so</c> links the system's Vulkan loader <c>libvulkan.so.1</c>.</summary>
    public static LlamaBuild Vulkan { get; } = new()
    {
        Device = LlamaDevice.Vulkan,
        NpmPackage = "@node-llama-cpp/linux-x64-vulkan",
        BinsFolder = "linux-x64-vulkan",
        LlamaFile = "libllama.vulkan.v0.5.0.so",
        LlamaPattern = "libllama.vulkan.v*.so",
        GgmlFile = "libggml.vulkan.v0.5.0.so",
        GgmlPattern = "libggml.vulkan.v*.so",
        DirectoryVariable = "CULTUREPROBE_LLAMA_VULKAN_DIR",
        GpuBackendName = "Vulkan",
        GpuPlugin = "libggml-vulkan.so",
        TarballSha1 = "ce2481e4ad87002dfe569d61e0d03fba937b4158",
        DownloadSize = "24 MB",
        SystemLibraries =
        [
            new("libvulkan.so.1", "the Vulkan loader"),
        ],
        Requirements = "the Vulkan loader libvulkan.so.1 (package libvulkan1) and a Vulkan driver for the GPU (the NVIDIA driver's ICD, or Mesa's RADV/ANV in mesa-vulkan-drivers)",
    };

    /// <summary>Every build, by device.</summary>
    public static IReadOnlyList<LlamaBuild> All { get; } = [Cpu, Cuda, Vulkan];

    /// <summary>The build of <paramref name="device"/>.</summary>
    public static LlamaBuild For(LlamaDevice device) => device switch
    {
        LlamaDevice.Cpu => Cpu,
        LlamaDevice.Cuda => Cuda,
        LlamaDevice.Vulkan => Vulkan,
        _ => throw new ArgumentOutOfRangeException(nameof(device), device, "not a declared LlamaDevice"),
    };
}
