using System.Text.Json;

namespace CultureProbe.Tests.Analysis.MixedModels;

/// <summary>
/// Reads the lme4 oracle fixtures in Fixtures/lmm (made by make_fixtures.R there): for each
/// data set, lmer fits by REML and ML with lme4's default settings, and lm fits.
/// </summary>
public static class LmeFixtures
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "lmm");

    public static readonly string[] DataSets = ["intercept", "slope", "crossed", "nested", "paper", "factors", "sleepstudy", "slopes3", "boundary", "crossed_large"];

    public static JsonElement Load(string dataSet)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, dataSet + ".json")));
        return document.RootElement.Clone();
    }

    public static string DataPath(string dataSet) => Path.Combine(Folder, dataSet + ".csv");

    /// <summary>(data set, case index) for every lmer case.</summary>
    public static TheoryData<string, int> MixedCases()
    {
        var data = new TheoryData<string, int>();
        foreach (var set in DataSets)
        {
            var count = Load(set).GetProperty("cases").GetArrayLength();
            for (var i = 0; i < count; i++)
            {
                data.Add(set, i);
            }
        }
        return data;
    }

    /// <summary>(data set, case index) for every lm case.</summary>
    public static TheoryData<string, int> OlsCases()
    {
        var data = new TheoryData<string, int>();
        foreach (var set in DataSets)
        {
            var root = Load(set);
            var count = root.TryGetProperty("ols", out var ols) ? ols.GetArrayLength() : 0;
            for (var i = 0; i < count; i++)
            {
                data.Add(set, i);
            }
        }
        return data;
    }
}
