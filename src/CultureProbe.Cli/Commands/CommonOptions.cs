using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CultureProbe.Cli.Commands;

/// <summary>Options and output helpers shared by several verbs.</summary>
internal static class CommonOptions
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new CultureProbe.IO.NaNAsNullConverter(), new JsonStringEnumConverter() },
        // Output is for people and JSON readers, not for embedding in HTML: keep '+', '<' and non-ASCII as they are.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A <c>--format</c> option restricted to <paramref name="allowed"/>.</summary>
    public static Option<string> Format(string defaultValue, params string[] allowed)
    {
        var option = new Option<string>("--format")
        {
            Description = $"Output format: {string.Join(" or ", allowed)}.",
            DefaultValueFactory = _ => defaultValue,
        };
        option.AcceptOnlyFromAmong(allowed);
        return option;
    }

    /// <summary>Makes a negative value of <paramref name="option"/> a usage error (exit 2) before the verb runs.</summary>
    public static Option<int> NonNegative(this Option<int> option, int max = int.MaxValue)
    {
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<int>();
            if (value < 0 || value > max)
            {
                result.AddError($"{option.Name}: expected a whole number from 0 to {max}, found {value}");
            }
        });
        return option;
    }

    /// <summary>The value of an enum option by its wire name; bad usage names the flag and the accepted names.</summary>
    public static T Parse<T>(string flag, string? text)
        where T : struct, Enum =>
        WireNames.TryParse<T>(text, out var value)
            ? value
            : throw new InputException($"{flag}: expected {string.Join(", ", WireNames.All<T>())}, found '{text}'");

    /// <summary>Writes <paramref name="value"/> as indented JSON followed by a newline.</summary>
    public static void WriteJson<T>(TextWriter output, T value)
    {
        output.WriteLine(JsonSerializer.Serialize(value, Json));
    }
}
