namespace CultureProbe.IO;

/// <summary>Checks on the files a user names as input, so each reader says the same clear thing.</summary>
public static class InputFiles
{
    /// <summary>Throws <see cref="InputException"/> when <paramref name="path"/> is a folder, which .NET would otherwise report as a missing file or as access denied.</summary>
    public static void RejectFolder(string path)
    {
        if (Directory.Exists(path))
        {
            throw new InputException($"{path}: is a folder; expected a file");
        }
    }

    /// <summary>Throws <see cref="InputException"/> unless <paramref name="path"/> is an existing file; a folder is named as one.</summary>
    /// <param name="path">The path as given.</param>
    /// <param name="what">What the file should be, e.g. "survey pack".</param>
    public static void RequireFile(string path, string what)
    {
        if (File.Exists(path))
        {
            return;
        }
        throw new InputException(Directory.Exists(path)
            ? $"{path}: is a folder; expected a {what} file"
            : $"{path}: {what} not found");
    }
}
