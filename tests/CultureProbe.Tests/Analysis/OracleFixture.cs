using System.Text.Json;

namespace CultureProbe.Tests.Analysis;

/// <summary>
/// Reads the scipy oracle files under Fixtures/analysis (made once by make_fixtures.py there).
/// JSON null stands for NaN (undefined correlation).
/// </summary>
internal static class OracleFixture
{
    public static IReadOnlyList<JsonElement> Cases(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "analysis", fileName);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("cases").EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    public static double[] Doubles(this JsonElement element, string property) =>
        element.GetProperty(property).EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public static int[] Ints(this JsonElement element, string property) =>
        element.GetProperty(property).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public static double Number(this JsonElement element, string property)
    {
        var value = element.GetProperty(property);
        return value.ValueKind == JsonValueKind.Null ? double.NaN : value.GetDouble();
    }
}
