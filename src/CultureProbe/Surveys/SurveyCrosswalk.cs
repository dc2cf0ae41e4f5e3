using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace CultureProbe.Surveys;

/// <summary>Where one bank item lives in another file layout, and how its codes map to WVS-7 codes.</summary>
/// <param name="Column">The column holding the item.</param>
/// <param name="Recode">File code → WVS-7 code; codes not listed are kept; null when the codes are the same.</param>
public sealed record CrosswalkItem(string Column, IReadOnlyDictionary<int, int>? Recode);

/// <summary>
/// A map from another survey file's layout to the question bank, so that its countries land in
/// the same survey pack format. The shipped one (<c>Data/crosswalk.evs-wvs.yaml</c>) reads the
/// joint EVS/WVS 2017–2022 file, whose variables carry the IVS/EVS codes (A001, E069_11, F120, …).
/// </summary>
/// <param name="Name">Importer name recorded in the pack's provenance.</param>
/// <param name="CountryAlphaColumn">Column with ISO alpha-3 codes, or empty when the file has none.</param>
/// <param name="CountryNumericColumn">Column with ISO numeric codes.</param>
/// <param name="DefaultWeight">Weight used unless told otherwise.</param>
/// <param name="Weights">Weight columns the layout offers.</param>
/// <param name="Items">Bank item code → its column and recode.</param>
public sealed record SurveyCrosswalk(string Name, string CountryAlphaColumn, string CountryNumericColumn, string DefaultWeight, IReadOnlyList<string> Weights, IReadOnlyDictionary<string, CrosswalkItem> Items)
{
    private static readonly Lazy<SurveyCrosswalk> JointEvsWvsLazy = new(() =>
    {
        using var stream = typeof(SurveyCrosswalk).Assembly.GetManifestResourceStream("CultureProbe.Data.crosswalk.evs-wvs.yaml")
            ?? throw new InvalidOperationException("embedded resource crosswalk.evs-wvs.yaml is missing from the build");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Parse(reader.ReadToEnd(), "crosswalk.evs-wvs.yaml (embedded)", QuestionBankLoader.Default);
    });

    /// <summary>The joint EVS/WVS 2017–2022 layout.</summary>
    public static SurveyCrosswalk JointEvsWvs => JointEvsWvsLazy.Value;

    /// <summary>Parses and validates a crosswalk against <paramref name="bank"/>.</summary>
    public static SurveyCrosswalk Parse(string yaml, string source, QuestionBank bank)
    {
        ArgumentNullException.ThrowIfNull(bank);
        Dto dto;
        try
        {
            dto = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build().Deserialize<Dto>(yaml) ?? new Dto();
        }
        catch (YamlException e)
        {
            throw new InputException($"{source}:{e.Start.Line}:{e.Start.Column}: not a valid crosswalk: {CultureProbe.IO.YamlMessages.Describe(e)}", e);
        }
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(dto.CountryNumeric))
        {
            errors.Add("countryNumeric: expected the column with ISO numeric country codes");
        }
        if (dto.Weights is null || dto.Weights.Count == 0)
        {
            errors.Add("weights: expected at least one weight column");
        }
        var items = new Dictionary<string, CrosswalkItem>(StringComparer.OrdinalIgnoreCase);
        foreach (var (code, item) in dto.Items ?? [])
        {
            var question = bank.Find(code);
            if (question is null)
            {
                errors.Add($"items.{code}: not an item of the question bank");
                continue;
            }
            if (string.IsNullOrWhiteSpace(item.Column))
            {
                errors.Add($"items.{code}.column: expected the file's variable name");
                continue;
            }
            foreach (var target in (item.Recode ?? []).Values.Where(t => question.FindOption(t) is null && question.OtherCodes.All(o => o.Code != t)))
            {
                errors.Add($"items.{code}.recode: target code {target} is not an option of {code}");
            }
            items[question.Code] = new CrosswalkItem(item.Column, item.Recode);
        }
        if (errors.Count > 0)
        {
            throw new InputException($"{source}: the crosswalk is invalid:\n  - " + string.Join("\n  - ", errors));
        }
        return new SurveyCrosswalk(dto.Name ?? "crosswalk", dto.CountryAlpha ?? "", dto.CountryNumeric!, dto.DefaultWeight ?? dto.Weights![0], dto.Weights!, items);
    }

    private sealed class Dto
    {
        public string? Name { get; set; }
        public string? CountryAlpha { get; set; }
        public string? CountryNumeric { get; set; }
        public string? DefaultWeight { get; set; }
        public List<string>? Weights { get; set; }
        public Dictionary<string, ItemDto>? Items { get; set; }
    }

    private sealed class ItemDto
    {
        public string? Column { get; set; }
        public Dictionary<int, int>? Recode { get; set; }
    }
}
