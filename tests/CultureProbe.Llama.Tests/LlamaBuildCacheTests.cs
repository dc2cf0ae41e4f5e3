using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace CultureProbe.Llama.Tests;

/// <summary>
/// The download of a GPU build on first use, with a stand-in for npm (a shell script that writes a small tarball of
/// the package's layout), so nothing is fetched from the registry.
/// </summary>
public sealed class LlamaBuildCacheTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Cache => _temp.File("cache");

    /// <summary>A tarball laid out as the Vulkan package is, with a stand-in library.</summary>
    private string FakeTarball()
    {
        var path = _temp.File("fake.tgz");
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip);
        var entry = new PaxTarEntry(TarEntryType.RegularFile, "package/bins/linux-x64-vulkan/libllama.vulkan.v0.5.0.so")
        {
            DataStream = new MemoryStream("not a library"u8.ToArray()),
        };
        tar.WriteEntry(entry);
        return path;
    }

    /// <summary>An executable that answers <c>npm pack SPEC --pack-destination DIR --silent</c> as <paramref name="body"/> says.</summary>
    private string FakeNpm(string body)
    {
        var path = _temp.File("npm");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }

    private static LlamaBuild WithHashOf(string tarball) =>
        LlamaBuild.Vulkan with { TarballSha1 = Convert.ToHexStringLower(SHA1.HashData(File.ReadAllBytes(tarball))) };

    [Fact]
    public void The_first_use_downloads_and_extracts_the_build_and_later_uses_find_it_in_the_cache()
    {
        var tarball = FakeTarball();
        var calls = _temp.File("calls");
        var npm = FakeNpm($"echo \"$@\" >> '{calls}'\ncp '{tarball}' \"$4/node-llama-cpp-linux-x64-vulkan-3.22.1.tgz\"");
        var build = WithHashOf(tarball);
        using var notices = new StringWriter();

        var first = LlamaBuildCache.Ensure(build, Cache, notices, npm);
        var second = LlamaBuildCache.Ensure(build, Cache, notices, npm);

        first.ShouldBe(Path.Combine(Cache, "linux-x64-vulkan-3.22.1", "package", "bins", "linux-x64-vulkan"));
        second.ShouldBe(first);
        File.ReadAllText(Path.Combine(first, "libllama.vulkan.v0.5.0.so")).ShouldBe("not a library");
        var lines = File.ReadAllLines(calls);
        lines.Length.ShouldBe(1, "npm runs once");
        lines[0].ShouldStartWith("pack @node-llama-cpp/linux-x64-vulkan@3.22.1 --pack-destination ");
        notices.ToString().ShouldStartWith("Downloading the vulkan build of llama.cpp (@node-llama-cpp/linux-x64-vulkan@3.22.1, 24 MB) with npm into ");
        File.Exists(Path.Combine(Cache, "node-llama-cpp-linux-x64-vulkan-3.22.1.tgz")).ShouldBeTrue();
        Directory.GetDirectories(Cache).Select(Path.GetFileName).ShouldBe(["linux-x64-vulkan-3.22.1"], "no staging folder is left behind");
    }

    [Fact]
    public void A_tarball_already_in_the_cache_is_extracted_without_npm()
    {
        var tarball = FakeTarball();
        Directory.CreateDirectory(Cache);
        File.Copy(tarball, Path.Combine(Cache, "node-llama-cpp-linux-x64-vulkan-3.22.1.tgz"));
        using var notices = new StringWriter();

        var folder = LlamaBuildCache.Ensure(WithHashOf(tarball), Cache, notices, _temp.File("no-npm-here"));

        File.Exists(Path.Combine(folder, "libllama.vulkan.v0.5.0.so")).ShouldBeTrue();
        notices.ToString().ShouldNotContain("Downloading");
    }

    [Fact]
    public void Without_npm_the_error_says_what_to_install_and_which_variable_points_at_a_copy()
    {
        var error = Should.Throw<LlamaRuntimeException>(() =>
            LlamaBuildCache.Ensure(LlamaBuild.Cuda, Cache, TextWriter.Null, _temp.File("no-npm-here")));

        error.Message.ShouldContain("Install Node.js with npm (Debian/Ubuntu: apt-get install npm)");
        error.Message.ShouldContain("npm pack @node-llama-cpp/linux-x64-cuda@3.22.1");
        error.Message.ShouldContain("CULTUREPROBE_LLAMA_CUDA_DIR");
        Directory.GetFileSystemEntries(Cache).ShouldBeEmpty("neither a tarball nor a staging folder is left");
    }

    [Fact]
    public void A_failing_npm_is_reported_with_its_exit_code_and_words()
    {
        var npm = FakeNpm("echo 'npm error code E404' >&2\nexit 1");

        var error = Should.Throw<LlamaRuntimeException>(() => LlamaBuildCache.Ensure(LlamaBuild.Vulkan, Cache, TextWriter.Null, npm));

        error.Message.ShouldContain("'npm pack @node-llama-cpp/linux-x64-vulkan@3.22.1' failed with exit code 1: npm error code E404");
        File.Exists(Path.Combine(Cache, "node-llama-cpp-linux-x64-vulkan-3.22.1.tgz")).ShouldBeFalse();
    }

    [Fact]
    public void A_tarball_that_is_not_the_registrys_is_deleted_and_refused()
    {
        var tarball = FakeTarball();
        var npm = FakeNpm($"cp '{tarball}' \"$4/node-llama-cpp-linux-x64-vulkan-3.22.1.tgz\"");

        // The real build's pinned hash does not match the stand-in.
        var error = Should.Throw<LlamaRuntimeException>(() => LlamaBuildCache.Ensure(LlamaBuild.Vulkan, Cache, TextWriter.Null, npm));

        error.Message.ShouldContain("but the registry lists ce2481e4ad87002dfe569d61e0d03fba937b4158");
        File.Exists(Path.Combine(Cache, "node-llama-cpp-linux-x64-vulkan-3.22.1.tgz")).ShouldBeFalse();
        Directory.Exists(Path.Combine(Cache, "linux-x64-vulkan-3.22.1")).ShouldBeFalse();
    }

    [Fact]
    public void The_cache_folder_follows_the_variable()
    {
        var before = Environment.GetEnvironmentVariable(LlamaBuildCache.CacheVariable);
        if (before is not null)
        {
            Assert.Skip($"{LlamaBuildCache.CacheVariable} is set here");
        }
        // From a checkout (the tests run inside one), the repository's .cache/llama, where the build keeps the CPU package.
        var folder = LlamaBuildCache.Folder();
        folder.ShouldEndWith(Path.Combine(".cache", "llama"));
        File.Exists(Path.Combine(folder, "..", "..", "CultureProbe.slnx")).ShouldBeTrue();
    }
}
