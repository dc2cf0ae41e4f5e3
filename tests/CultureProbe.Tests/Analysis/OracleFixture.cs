using System.Text.Json;

namespace CultureProbe.Tests.Analysis;

/// <summary>
/// Reads the oracle files under Fixtures/analysis and Fixtures/significance (each made once by
/// the make_fixtures.py beside it). JSON null stands for NaN (undefined correlation).
/// </summary>
internal static class OracleFixture
{
    public static IReadOnlyList<JsonElement> Cases(string fileName, string folder = "analysis")
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", folder, fileName);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("cases").EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    public static double[] Doubles(this JsonElement element, string property) =>
        element.GetProperty(property).EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public static int[] Ints(this JsonElement element, string property) =>
        element.GetProperty(property).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public static bool[] Bools(this JsonElement element, string property) =>
        element.GetProperty(property).EnumerateArray().Select(e => e.GetBoolean()).ToArray();

    public static double Number(this JsonElement element, string property)
    {
        var value = element.GetProperty(property);
        return value.ValueKind == JsonValueKind.Null ? double.NaN : value.GetDouble();
    }
}
