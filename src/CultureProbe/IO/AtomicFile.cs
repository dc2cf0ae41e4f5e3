using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;

namespace CultureProbe.IO;

/// <summary>
/// Writes files so that readers only ever see the old content or the complete new content:
/// the data goes to a temporary file beside the target, is flushed to disk, and then
/// replaces the target in one rename. A failure before the rename leaves the target untouched.
/// </summary>
/// <remarks>
/// Temporary files are named <c>.{target}.{process id}.{random}.tmp</c>. Those of this process are removed when it is
/// stopped by SIGTERM or SIGHUP (a cancelled write removes its own on Ctrl+C); those a killed process left (SIGKILL cannot be caught) are removed by the next
/// write of the same target, once no process with their id is running.
/// </remarks>
public static class AtomicFile
{
    private static readonly ConcurrentDictionary<string, byte> InProgress = new(StringComparer.Ordinal);
    private static readonly Lazy<PosixSignalRegistration[]> SignalCleanup = new(RegisterSignalCleanup);

    /// <summary>Writes <paramref name="path"/> atomically through the stream handed to <paramref name="write"/>.</summary>
    /// <exception cref="InputException">The target's folder cannot be created or written (the message names the target, not the temporary file).</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new InputException($"{path}: is a folder; expected the path of a file to write");
        }
        var directory = Path.GetDirectoryName(fullPath) ?? ".";
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{path}: cannot create its folder {directory}: {Reason(e)}", e);
        }
        _ = SignalCleanup.Value;
        SweepStale(directory, Path.GetFileName(fullPath));
        var temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        InProgress[temporary] = 0;
        try
        {
            FileStream stream;
            try
            {
                stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new InputException($"{path}: cannot write here: permission denied in {directory}", e);
            }
            using (stream)
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (IOException e)
        {
            TryDelete(temporary);
            throw new IOException($"{path}: writing failed, the file is unchanged: {Reason(e, temporary, fullPath)}", e);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
        finally
        {
            InProgress.TryRemove(temporary, out _);
        }
    }

    /// <summary>Writes text atomically, UTF-8 without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
            writer.Write(text);
        });

    /// <summary>Removes temporary files of <paramref name="fileName"/> left by processes that are no longer running.</summary>
    internal static int SweepStale(string directory, string fileName)
    {
        var removed = 0;
        string[] candidates;
        try
        {
            candidates = Directory.GetFiles(directory, $".{fileName}.*.tmp");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
        foreach (var candidate in candidates)
        {
            // .{fileName}.{pid}.{32 hex}.tmp: anything else is not ours and is left alone.
            var middle = Path.GetFileName(candidate)[(fileName.Length + 2)..^4].Split('.');
            if (middle.Length != 2 || middle[1].Length != 32 || !int.TryParse(middle[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || pid == Environment.ProcessId || IsRunning(pid))
            {
                continue;
            }
            removed += TryDelete(candidate) ? 1 : 0;
        }
        return removed;
    }

    private static bool IsRunning(int pid)
    {
        if (Directory.Exists("/proc"))
        {
            return Directory.Exists($"/proc/{pid}");
        }
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static PosixSignalRegistration[] RegisterSignalCleanup()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteInProgress();
        if (OperatingSystem.IsWindows())
        {
            return [];
        }
        // The handler only deletes; it does not cancel, so the signal still ends the process as it would have.
        // SIGINT is left to the command line, which cancels gracefully; the write's own cleanup then removes the file.
        return new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP }
            .Select(signal => PosixSignalRegistration.Create(signal, _ => DeleteInProgress()))
            .ToArray();
    }

    private static void DeleteInProgress()
    {
        foreach (var temporary in InProgress.Keys)
        {
            TryDelete(temporary);
        }
    }

    /// <summary>The reason of a failure in words that name no temporary file.</summary>
    private static string Reason(Exception e, string? temporary = null, string? target = null) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        DirectoryNotFoundException => "a folder on the way does not exist or is a file",
        _ when temporary is not null && target is not null => e.Message.Replace(temporary, target, StringComparison.Ordinal),
        _ => e.Message,
    };

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
            // The temporary file is named so that it is recognisably ours; the next write of the target removes it.
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
