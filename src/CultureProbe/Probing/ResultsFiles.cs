using System.Text.Json;
using System.Text.Json.Serialization;
using CultureProbe.IO;
using CultureProbe.Models;

namespace CultureProbe.Probing;

/// <summary>
/// The files of a finished run: <c>results.json</c> (versioned, full provenance),
/// <c>items.csv</c> (one row per model × country × question × option), <c>alignment.csv</c>
/// (one row per model × country) and <c>alignment_groups.csv</c> (categories, continents,
/// Western vs non-Western, all). All are written atomically.
/// </summary>
public static class ResultsFiles
{
    /// <summary>Name of the JSON results file in a run folder.</summary>
    public const string ResultsJson = "results.json";

    /// <summary>Name of the per-option CSV.</summary>
    public const string ItemsCsv = "items.csv";

    /// <summary>Name of the per-country CSV.</summary>
    public const string AlignmentCsv = "alignment.csv";

    /// <summary>Name of the aggregate-group CSV.</summary>
    public const string AlignmentGroupsCsv = "alignment_groups.csv";

    private const string SchemaName = "cultureprobe.results";

    /// <summary>JSON options of results files: snake_case, NaN written as null.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new NaNAsNullConverter(), new JsonStringEnumConverter() },
    };

    /// <summary>Writes every results file into <paramref name="folder"/>.</summary>
    public static void WriteAll(ProbeResults results, string folder)
    {
        ArgumentNullException.ThrowIfNull(results);
        Directory.CreateDirectory(folder);
        WriteJson(results, Path.Combine(folder, ResultsJson));
        WriteCsv(Path.Combine(folder, ItemsCsv), csv => WriteItems(results, csv));
        WriteCsv(Path.Combine(folder, AlignmentCsv), csv => WriteAlignment(results, csv, countries: true));
        WriteCsv(Path.Combine(folder, AlignmentGroupsCsv), csv => WriteAlignment(results, csv, countries: false));
    }

    /// <summary>Writes <c>results.json</c>.</summary>
    public static void WriteJson(ProbeResults results, string path) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            writer.WriteStartObject();
            writer.WriteString("schema", SchemaName);
            writer.WritePropertyName("results");
            JsonSerializer.Serialize(writer, results, Json);
            writer.WriteEndObject();
        });

    /// <summary>Reads <c>results.json</c>; anything else is bad input.</summary>
    public static ProbeResults ReadJson(string path)
    {
        CultureProbe.IO.InputFiles.RejectFolder(path);
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: results file not found (expected the results.json of a finished run)");
        }
        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream);
            if (!document.RootElement.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.String || schema.GetString() != SchemaName || !document.RootElement.TryGetProperty("results", out var body))
            {
                throw new InputException($"{path}: not a CultureProbe results file (expected \"schema\": \"{SchemaName}\")");
            }
            // A file cut short or edited by hand deserialises with null lists; name what is missing instead of failing later.
            var missing = new[] { "schema_version", "provenance", "method", "models", "items", "alignment" }
                .Where(name => body.ValueKind != JsonValueKind.Object || !body.TryGetProperty(name, out var part) || part.ValueKind == JsonValueKind.Null).ToArray();
            if (missing.Length > 0)
            {
                throw new InputException($"{path}: not a complete results file: missing {string.Join(", ", missing.Select(m => $"\"{m}\""))}; run the probe again to rewrite it");
            }
            var results = body.Deserialize<ProbeResults>(Json) ?? throw new InputException($"{path}: the results are empty");
            if (results.SchemaVersion != ProbeResults.CurrentSchemaVersion)
            {
                throw new InputException($"{path}: results schema version {results.SchemaVersion} is not supported (this build reads {ProbeResults.CurrentSchemaVersion})");
            }
            return results;
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}:{e.LineNumber + 1}: the results file is not valid JSON: {e.Message}", e);
        }
    }

    private static void WriteCsv(string path, Action<CsvWriter> write) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
            write(new CsvWriter(writer));
        });

    private static void WriteItems(ProbeResults results, CsvWriter csv)
    {
        csv.Row("model", "country", "question", "code", "p_model", "p_human", "score", "label", "category", "model_mean", "human_mean", "js_alignment", "wasserstein", "top_match",
            "scoring_method", "normalisation", "template", "answer_format", "option_orders", "orders", "first_listed_share", "order_js_distance", "valid_mass", "low_mass");
        var methods = MethodColumns(results);
        var threshold = results.Method.MinValidMass ?? Analysis.AlignmentOptions.DefaultMinValidMass;
        foreach (var item in results.Items)
        {
            var method = methods[item.Model];
            for (var k = 0; k < item.Codes.Count; k++)
            {
                csv.Row(item.Model, item.Country, item.Question, item.Codes[k], item.ModelShares[k], item.HumanShares[k], item.Scores[k], item.Labels[k], item.Category,
                    item.ModelMean, item.HumanMean, item.JsAlignment, item.Wasserstein, item.TopMatch,
                    method.Scoring, method.Normalisation, method.Template, method.AnswerFormat, results.Method.OptionOrders, item.Orders,
                    Finite(item.FirstListedShare), Finite(item.OrderJsDistance), Finite(item.ValidMass), double.IsFinite(item.ValidMass) ? item.ValidMass < threshold : null);
            }
        }
    }

    private static void WriteAlignment(ProbeResults results, CsvWriter csv, bool countries)
    {
        var header = new List<object?> { "model", "group" };
        if (!countries)
        {
            header.Insert(1, "group_kind");
        }
        header.AddRange(["n_questions", "pearson", "spearman", "pearson_ci_low", "pearson_ci_high", "js_alignment", "wasserstein", "top_match_rate",
            "pearson_pooled", "pearson_shuffled", "js_alignment_uniform", "js_alignment_pooled", "js_alignment_shuffled", "n_countries",
            "scoring_method", "normalisation", "template", "answer_format", "option_orders", "first_listed_share", "order_js_distance", "valid_mass", "low_mass_items", "noise_ceiling", "small_sample_r"]);
        csv.Row([.. header]);
        var methods = MethodColumns(results);
        foreach (var row in results.Alignment.Where(r => (r.GroupKind == GroupKind.Country) == countries))
        {
            var fields = new List<object?> { row.Model, row.Group };
            if (!countries)
            {
                fields.Insert(1, row.GroupKind.WireName());
            }
            var method = methods[row.Model];
            fields.AddRange([row.NQuestions, row.Pearson, row.Spearman, row.PearsonCiLow, row.PearsonCiHigh, row.MeanJsAlignment, row.MeanWasserstein, row.TopMatchRate,
                row.PearsonPooled, row.PearsonShuffled, row.JsAlignmentUniform, row.JsAlignmentPooled, row.JsAlignmentShuffled, row.NCountries,
                method.Scoring, method.Normalisation, method.Template, method.AnswerFormat, results.Method.OptionOrders,
                Finite(row.MeanFirstListedShare), Finite(row.MeanOrderJsDistance), Finite(row.MeanValidMass), row.LowMassItems, Finite(row.NoiseCeiling), Finite(row.SmallSampleAgreement)]);
            csv.Row([.. fields]);
        }
    }

    /// <summary>An empty field for a diagnostic that was not measured (CSV readers take NaN for a number, but it says nothing).</summary>
    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    /// <summary>
    /// The method columns of each model's rows: its own scoring method, and the run's normalisation
    /// (for log-likelihood methods only), template and answer format; empty where they do not apply.
    /// </summary>
    private static Dictionary<string, (string Scoring, string Normalisation, string Template, string AnswerFormat)> MethodColumns(ProbeResults results)
    {
        var method = results.Method;
        return results.Models.ToDictionary(m => m.Id, m => (
            m.ScoringMethod.WireName(),
            m.ScoringMethod.Measures() == MeasurementKind.LogLikelihood && method.Normalisation is { } n ? n.WireName() : "",
            method.TemplateId ?? "",
            method.AnswerFormat?.WireName() ?? ""), StringComparer.Ordinal);
    }
}
