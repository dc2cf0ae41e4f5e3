using System.CommandLine;
using System.CommandLine.Parsing;

namespace CultureProbe.Cli;

/// <summary>
/// Refuses, before a verb runs, output paths that would destroy an input or cannot be written as asked: an output
/// equal to any file the command reads (<c>import copy.csv --out copy.csv</c> used to replace the CSV with the pack),
/// a folder where a file is written, or a file where a folder of results is written. Checked once for every verb from
/// the parsed options, so a new verb is covered without code of its own.
/// </summary>
internal static class OutputPathGuard
{
    /// <summary>Options whose path the verb writes; every other path option or argument is read.</summary>
    private static readonly HashSet<string> OutputOptions = new(StringComparer.Ordinal) { "--out", "--cache" };

    /// <summary>String options that name a file when one exists at that path (a GGUF model), and a served model's name otherwise.</summary>
    private static readonly HashSet<string> MaybeFileOptions = new(StringComparer.Ordinal) { "--model", "--judge", "--capability" };

    /// <summary>Throws <see cref="InputException"/> for the first conflict found.</summary>
    public static void Check(ParseResult parse)
    {
        var outputs = new List<(string Flag, string Path, bool IsFolder)>();
        var inputs = new List<(string Flag, string Path)>();
        foreach (var child in parse.CommandResult.Children)
        {
            var (name, values) = child switch
            {
                OptionResult option => (option.Option.Name, Values(option)),
                ArgumentResult argument => ($"<{argument.Argument.Name}>", Values(argument)),
                _ => ("", []),
            };
            foreach (var (path, isFolder, maybe) in values)
            {
                if (OutputOptions.Contains(name))
                {
                    outputs.Add((name, path, isFolder));
                }
                else if (!maybe || MaybeFileOptions.Contains(name) && File.Exists(path))
                {
                    inputs.Add((name, path));
                }
            }
        }
        foreach (var output in outputs)
        {
            CheckKind(output.Flag, output.Path, output.IsFolder);
            var target = Canonical(output.Path);
            foreach (var input in inputs.Where(i => Canonical(i.Path) == target))
            {
                throw new InputException($"{output.Flag} {output.Path}: is also the input given as {input.Flag}; choose another output path (inputs are never overwritten)");
            }
            foreach (var other in outputs.Where(o => o.Flag != output.Flag && Canonical(o.Path) == target))
            {
                throw new InputException($"{output.Flag} {output.Path}: is also given as {other.Flag}; each output needs its own path");
            }
        }
    }

    private static void CheckKind(string flag, string path, bool isFolder)
    {
        if (isFolder && File.Exists(path))
        {
            throw new InputException($"{flag} {path}: is a file; expected a folder to write the results into");
        }
        if (!isFolder && Directory.Exists(path))
        {
            throw new InputException($"{flag} {path}: is a folder; expected the path of a file to write");
        }
    }

    /// <summary>The full path with links resolved, so that two spellings of one file compare equal.</summary>
    private static string Canonical(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            var info = new FileInfo(full);
            return info.Exists && info.LinkTarget is not null ? info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full : full;
        }
        catch (IOException)
        {
            return full;
        }
    }

    private static IEnumerable<(string Path, bool IsFolder, bool MaybeFile)> Values(SymbolResult result)
    {
        object? value = result switch
        {
            OptionResult option => option.Implicit ? null : SafeValue(() => option.GetValueOrDefault<object?>()),
            ArgumentResult argument => SafeValue(() => argument.GetValueOrDefault<object?>()),
            _ => null,
        };
        return value switch
        {
            FileInfo file => [(file.FullName, false, false)],
            DirectoryInfo folder => [(folder.FullName, true, false)],
            FileInfo[] files => files.Select(f => (f.FullName, false, false)),
            DirectoryInfo[] folders => folders.Select(f => (f.FullName, true, false)),
            string text when text.Length > 0 => [(text, false, true)],
            string[] texts => texts.Where(t => t.Length > 0).Select(t => (t, false, true)),
            _ => [],
        };
    }

    private static object? SafeValue(Func<object?> read)
    {
        try
        {
            return read();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
        catch (InvalidCastException)
        {
            return null;
        }
    }
}
