using CultureProbe.Analysis;
using CultureProbe.Models;
using CultureProbe.Probing;
using CultureProbe.Surveys;

namespace CultureProbe.Reports;

/// <summary>The inputs of one report with the look-ups every section needs, computed once.</summary>
internal sealed class ReportContext
{
    /// <summary>Continents in the order the figures show them.</summary>
    public static readonly IReadOnlyList<string> ContinentOrder = ["Africa", "Asia", "Europe", "North America", "South America", "Oceania"];

    private readonly Dictionary<string, int> _modelIndex;
    private readonly Dictionary<string, int> _categoryIndex;
    private readonly ILookup<(string Model, GroupKind Kind), AlignmentRow> _rows;

    public ReportContext(ProbeResults results, CountryTable countries, QuestionBank bank, ReportOptions options)
    {
        Results = results;
        Countries = countries;
        Bank = bank;
        Options = options;
        _modelIndex = results.Models.Select((m, i) => (m.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        _categoryIndex = bank.Categories.Select((c, i) => (c.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        foreach (var id in results.Items.Select(i => i.Category).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            _categoryIndex.TryAdd(id, _categoryIndex.Count);
        }
        _rows = results.Alignment.ToLookup(r => (r.Model, r.GroupKind));
        CountriesByItemCount = results.Items
            .GroupBy(i => i.Country, StringComparer.Ordinal)
            .Select(g => (Country: g.Key, Count: g.Select(i => i.Question).Distinct(StringComparer.Ordinal).Count()))
            .OrderByDescending(p => p.Count)
            .ThenBy(p => p.Country, StringComparer.Ordinal)
            .Select(p => p.Country)
            .ToList();
        Categories = results.Items.Select(i => i.Category).Distinct(StringComparer.Ordinal).OrderBy(CategoryIndex).ToList();
        IsSynthetic = results.Provenance.SyntheticSurvey || results.Models.Any(m => m.Synthetic);
        var m = results.Method;
        MethodNote = MethodSentence(results);
    }

    public ProbeResults Results { get; }

    /// <summary>How the figures were made, naming only what applies (a run given as distributions has no template).</summary>
    private static string MethodSentence(ProbeResults results)
    {
        var m = results.Method;
        var parts = new List<string>
        {
            "Scoring: " + (m.ScoringMethod?.WireName() ?? string.Join(", ", results.Models.Select(x => $"{x.Id} {x.ScoringMethod.WireName()}"))),
        };
        if (m.Normalisation is { } normalisation && results.Models.Any(x => x.ScoringMethod.Measures() == MeasurementKind.LogLikelihood))
        {
            parts.Add("normalisation: " + normalisation.WireName());
        }
        if (m.TemplateId is not null)
        {
            parts.Add("template: " + m.TemplateId);
        }
        if (m.AnswerFormat is { } format)
        {
            parts.Add("answer format: " + format.WireName());
        }
        if (m.Language is not null)
        {
            parts.Add("language: " + m.Language);
        }
        if (m.Chat)
        {
            parts.Add("chat template");
        }
        return string.Join("; ", parts) + ".";
    }

    public CountryTable Countries { get; }

    public QuestionBank Bank { get; }

    public ReportOptions Options { get; }

    public IReadOnlyList<ModelInfo> Models => Results.Models;

    /// <summary>Countries (or groups) with items, most questions first.</summary>
    public IReadOnlyList<string> CountriesByItemCount { get; }

    /// <summary>Categories with items, in bank order.</summary>
    public IReadOnlyList<string> Categories { get; }

    /// <summary>Whether any input is synthetic, so every number in the report is meaningless.</summary>
    public bool IsSynthetic { get; }

    /// <summary>How every figure was made, in one sentence for captions.</summary>
    public string MethodNote { get; }

    public int ModelIndex(string id) => _modelIndex.GetValueOrDefault(id, _modelIndex.Count);

    public int CategoryIndex(string id) => _categoryIndex.GetValueOrDefault(id, int.MaxValue);

    public string CategoryTitle(string id) => Bank.Categories.FirstOrDefault(c => c.Id == id)?.Title ?? id;

    /// <summary>A country's name for reading ("United States" rather than the prompt's "the United States").</summary>
    public string CountryName(string iso3)
    {
        var name = Countries.FindByIso3(iso3)?.Name;
        if (name is null)
        {
            return iso3;
        }
        return name.StartsWith("the ", StringComparison.Ordinal) ? char.ToUpperInvariant(name[4]) + name[5..] : name;
    }

    public IReadOnlyList<AlignmentRow> Rows(string model, GroupKind kind) => _rows[(model, kind)].ToList();

    public AlignmentRow? Row(string model, GroupKind kind, string group) =>
        _rows[(model, kind)].FirstOrDefault(r => string.Equals(r.Group, group, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Mean Pearson over all countries: the <c>all</c> row when the analysis wrote one, else the mean
    /// of the finite per-country correlations; NaN when there is none.
    /// </summary>
    public double MeanPearson(string model)
    {
        var all = Row(model, GroupKind.All, AlignmentTable.All);
        if (all is not null)
        {
            return all.Pearson;
        }
        var values = Rows(model, GroupKind.Country).Select(r => r.Pearson).Where(double.IsFinite).ToList();
        return values.Count == 0 ? double.NaN : values.Average();
    }
}
