namespace CultureProbe;

/// <summary>
/// Bad input from the user: a file, a field or an option that is not what was expected.
/// The command line maps it to exit code 2. The message names where the problem is
/// (file, line, column or field) and what was expected.
/// </summary>
public class InputException : Exception
{
    /// <summary>Creates the exception with a message that already names the location.</summary>
    public InputException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with an inner cause.</summary>
    public InputException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates an exception that names a position in a text file.</summary>
    public static InputException At(string file, long line, int? column, string? field, string problem)
    {
        var where = column is null ? $"{file}:{line}" : $"{file}:{line}:{column}";
        var fieldPart = field is null ? "" : $" (column {field})";
        return new InputException($"{where}{fieldPart}: {problem}");
    }
}
