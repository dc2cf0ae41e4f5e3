namespace CultureProbe.Llama;

/// <summary>
/// A model file that is missing, truncated or malformed. Raised by managed validation before llama.cpp
/// sees the file, because llama.cpp aborts the whole process on some malformed files. Exit code 2.
/// </summary>
public sealed class InvalidModelFileException : InputException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public InvalidModelFileException(string path, string problem) : base($"{path}: {problem}") => FilePath = path;

    /// <summary>Creates the exception with its cause.</summary>
    public InvalidModelFileException(string path, string problem, Exception innerException)
        : base($"{path}: {problem}", innerException) => FilePath = path;

    /// <summary>The model file.</summary>
    public string FilePath { get; }
}

/// <summary>A text or token sequence longer than the model context allows. Exit code 2.</summary>
public sealed class ContextOverflowException : InputException
{
    /// <summary>Creates the exception.</summary>
    public ContextOverflowException(string what, int tokenCount, int contextSize)
        : base($"{what} is {tokenCount} tokens long, but the context holds {contextSize}; shorten it or raise the context size.")
    {
        TokenCount = tokenCount;
        ContextSize = contextSize;
    }

    /// <summary>Tokens needed.</summary>
    public int TokenCount { get; }

    /// <summary>Tokens the context holds.</summary>
    public int ContextSize { get; }
}
