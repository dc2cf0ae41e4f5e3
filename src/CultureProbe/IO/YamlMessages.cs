using System.Text.RegularExpressions;

namespace CultureProbe.IO;

/// <summary>
/// Turns the YAML library's messages into words for the person who wrote the file: it speaks of .NET types
/// ("Property 'x' not found on type 'CultureProbe.Prompts.PromptTemplateSet+TemplateDto'"), which mean nothing to
/// them. The caller already names the file, line and column.
/// </summary>
public static partial class YamlMessages
{
    /// <summary>The innermost cause of <paramref name="error"/>, in plain words.</summary>
    public static string Describe(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var innermost = error;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }
        var message = Position().Replace(innermost.Message, "");
        message = UnknownProperty().Replace(message, "unknown field '$1'");
        message = message.Replace("Exception during deserialization", "the value does not have the expected form", StringComparison.Ordinal);
        foreach (var (type, words) in TypeWords)
        {
            message = message.Replace(type, words, StringComparison.Ordinal);
        }
        message = DotNetType().Replace(message, "the expected form");
        return message.Trim().TrimEnd('.');
    }

    private static readonly (string Type, string Words)[] TypeWords =
    [
        ("System.Int32", "a whole number"),
        ("System.Int64", "a whole number"),
        ("System.Double", "a number"),
        ("System.Boolean", "true or false"),
        ("System.String", "text"),
    ];

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex Position();

    [GeneratedRegex(@"Property '([^']*)' not found on type '[^']*'")]
    private static partial Regex UnknownProperty();

    /// <summary>Any remaining namespace-qualified type name, generic arguments and nested types included.</summary>
    [GeneratedRegex(@"'?(System|CultureProbe|YamlDotNet)\.[\w.`+\[\], ]*'?")]
    private static partial Regex DotNetType();
}
