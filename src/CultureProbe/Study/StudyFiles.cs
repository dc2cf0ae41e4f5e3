using System.Text;
using System.Text.Json;
using CultureProbe.Analysis.MixedModels;
using CultureProbe.IO;
using CultureProbe.Probing;

namespace CultureProbe.Study;

/// <summary>One input file of a study, for provenance.</summary>
/// <param name="Role">What the file is: <c>responses</c>, <c>survey</c>, <c>survey_by_language</c>, <c>capability</c>, …</param>
/// <param name="File">Name, size and SHA-256.</param>
public sealed record StudyInputFile(string Role, Surveys.SourceFile File)
{
    /// <summary>Describes <paramref name="path"/> (reads it once for the hash).</summary>
    public static StudyInputFile Of(string role, string path)
    {
        using var stream = System.IO.File.OpenRead(path);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
        return new StudyInputFile(role, new Surveys.SourceFile(Path.GetFileName(path), new FileInfo(path).Length, sha));
    }
}

/// <summary>Where a study's numbers come from: enough to say what was measured, with what, and how to do it again.</summary>
/// <param name="Program">CultureProbe's version.</param>
/// <param name="CreatedAt">When the tables were written.</param>
/// <param name="Design"><c>paper</c> (Rystrøm, Kirk &amp; Hale's: free text, a judge, no country named).</param>
/// <param name="Inputs">Every file read, with its hash.</param>
/// <param name="Models">The models that wrote responses (empty when responses were read from a file).</param>
/// <param name="Judge">The judge (null when responses were read from a file).</param>
/// <param name="JudgePromptVersion">The judge prompt's version, when CultureProbe judged.</param>
/// <param name="JudgeError">The judge error rate that divides self-consistency.</param>
/// <param name="JudgeErrorSource">Where it came from: <c>judge-check</c> (measured), <c>option</c> or <c>paper</c> (0.045).</param>
/// <param name="JudgeCheck">The judge's measured agreement on a labelled sample, or null.</param>
/// <param name="Prompts">How the prompts were made (shipped templates with their hashes and draw, or the released file).</param>
/// <param name="Generation">The sampling settings of the responses, or null.</param>
/// <param name="SamplesPerPrompt">Responses per prompt and model, or null.</param>
/// <param name="Weights">The survey weights multiplied (gwght × pwght), when populations were computed from microdata.</param>
/// <param name="PooledLanguages">Languages whose population pools countries, when so configured.</param>
/// <param name="Synthetic">Whether any input is synthetic (then every page and table says so).</param>
public sealed record StudyProvenance(
    string Program,
    DateTimeOffset CreatedAt,
    string Design,
    IReadOnlyList<StudyInputFile> Inputs,
    IReadOnlyList<ModelInfo> Models,
    ModelInfo? Judge,
    string? JudgePromptVersion,
    double JudgeError,
    string JudgeErrorSource,
    JudgeCheck? JudgeCheck,
    string? Prompts,
    string? Generation,
    int? SamplesPerPrompt,
    IReadOnlyList<string>? Weights,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? PooledLanguages,
    bool Synthetic);

/// <summary>
/// The study's files: <c>study_alignment.csv</c> (language and country populations),
/// <c>study_alignment_global.csv</c>, <c>us_bias.csv</c>, <c>study_consistency.csv</c>,
/// <c>study_regressions.csv</c>, <c>study_bootstrap.csv</c> (every round, the authors' layout) and
/// <c>study.json</c> (everything, with provenance). Every file is written atomically.
/// </summary>
public static class StudyFiles
{
    /// <summary>Alignment with language and country populations.</summary>
    public const string AlignmentCsv = "study_alignment.csv";

    /// <summary>Alignment with the global population.</summary>
    public const string GlobalAlignmentCsv = "study_alignment_global.csv";

    /// <summary>US-centric bias per (model, language).</summary>
    public const string UsBiasCsv = "us_bias.csv";

    /// <summary>Self-consistency per (model, language).</summary>
    public const string ConsistencyCsv = "study_consistency.csv";

    /// <summary>RQ1 coefficients.</summary>
    public const string RegressionsCsv = "study_regressions.csv";

    /// <summary>Every bootstrap round.</summary>
    public const string BootstrapCsv = "study_bootstrap.csv";

    /// <summary>Everything, with provenance.</summary>
    public const string Json = "study.json";

    /// <summary>The judged responses, in the layout <c>--responses</c> reads back.</summary>
    public const string ResponsesCsv = "study_responses.csv";

    /// <summary>Writes every table and <c>study.json</c> into <paramref name="folder"/>.</summary>
    public static void WriteAll(StudyReport report, StudyProvenance provenance, string folder)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(provenance);
        Directory.CreateDirectory(folder);
        Csv(Path.Combine(folder, AlignmentCsv), csv => Alignment(csv, report.Alignment.Where(a => a.PopulationKind != PopulationKind.Global)));
        Csv(Path.Combine(folder, GlobalAlignmentCsv), csv => Alignment(csv, report.Alignment.Where(a => a.PopulationKind == PopulationKind.Global)));
        Csv(Path.Combine(folder, UsBiasCsv), csv =>
        {
            csv.Row("model", "language", "estimate", "ci_low", "ci_high");
            foreach (var row in (report.UsBias ?? report.UsBiasPoint)?.Rows ?? [])
            {
                csv.Row(row.Model, row.Language, row.Estimate, row.CiLow, row.CiHigh);
            }
        });
        Csv(Path.Combine(folder, ConsistencyCsv), csv =>
        {
            csv.Row("model", "language", "consistency", "observed", "pairs", "responses", "topics", "bootstrap_mean", "ci_low", "ci_high");
            foreach (var c in report.Consistency)
            {
                csv.Row(c.Model, c.Language, c.Point, c.Observed, c.Pairs, c.Responses, c.Topics, c.BootstrapMean, c.CiLow, c.CiHigh);
            }
        });
        Csv(Path.Combine(folder, RegressionsCsv), csv =>
        {
            csv.Row("formula", "term", "estimate", "std_error", "z", "p_value", "ci_low", "ci_high");
            foreach (var regression in report.Regressions)
            {
                foreach (var f in regression.Coefficients)
                {
                    csv.Row(regression.Formula.WireName(), f.Term, f.Estimate, f.StandardError, f.Statistic, f.PValue, f.ConfidenceLow, f.ConfidenceHigh);
                }
            }
        });
        Csv(Path.Combine(folder, BootstrapCsv), csv =>
        {
            csv.Row("population_kind", "round", "model", "population", "response_language", "spearman", "n", "consistency");
            foreach (var r in report.Rounds)
            {
                csv.Row(r.Kind.WireName(), r.Round, r.Model, r.Population, r.ResponseLanguage, r.Spearman, r.N, r.Consistency);
            }
        });
        AtomicFile.Write(Path.Combine(folder, Json), stream =>
        {
            using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            JsonSerializer.Serialize(writer, new
            {
                schema = "cultureprobe.study",
                schemaVersion = 2,
                design = provenance.Design,
                provenance,
                options = new
                {
                    report.Options.Rounds,
                    report.Options.Seed,
                    report.Options.JudgeError,
                    report.Options.ReferenceCountry,
                    report.Options.ReferenceModel,
                    report.Options.ExcludedModels,
                    report.Options.Templates,
                },
                alignment = report.Alignment,
                consistency = report.Consistency,
                usBias = report.UsBias,
                usBiasPoint = report.UsBiasPoint,
                regressions = report.Regressions.Select(r => new
                {
                    formula = r.Formula.WireName(),
                    text = r.FormulaText,
                    problem = r.Problem,
                    rSquared = r.RSquared,
                    fit = r.Fit is null ? null : MixedModelJson.Of(r.Fit),
                }),
                capability = report.Capability,
                humanReferences = report.HumanReferences,
                humanReferencesComputed = report.HumanReferencesComputed,
                warnings = report.Warnings,
            }, ResultsFiles.Json);
        });
    }

    /// <summary>Writes judged responses in our column names (what <c>--responses</c> reads).</summary>
    public static void WriteResponses(IEnumerable<StudyResponse> responses, string path) =>
        Csv(path, csv =>
        {
            csv.Row("model", "family", "template", "prompt_language", "response_language", "topic", "pro_score");
            foreach (var r in responses)
            {
                csv.Row(r.Model, r.Family, r.Template, r.PromptLanguage, r.ResponseLanguage, r.Topic, r.ProScore);
            }
        });

    private static void Alignment(CsvWriter csv, IEnumerable<StudyAlignmentRow> rows)
    {
        csv.Row("model", "population", "population_kind", "response_language", "spearman", "n", "ci_low", "ci_high");
        foreach (var a in rows)
        {
            csv.Row(a.Model, a.Population, a.PopulationKind.WireName(), a.ResponseLanguage, a.Spearman, a.N, a.CiLow, a.CiHigh);
        }
    }

    private static void Csv(string path, Action<CsvWriter> write) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            write(new CsvWriter(writer));
        });
}
