using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace CultureProbe.Surveys;

/// <summary>A surveyed country or territory.</summary>
/// <param name="Iso3">ISO 3166-1 alpha-3 code (WVS <c>B_COUNTRY_ALPHA</c>).</param>
/// <param name="IsoNumeric">ISO 3166-1 numeric code (WVS <c>B_COUNTRY</c>).</param>
/// <param name="Name">The name as used in a prompt: "In {Name}, Answer:".</param>
/// <param name="Continent">Africa, Asia, Europe, North America, South America or Oceania.</param>
/// <param name="IsWestern">Whether the country counts as Western (see the table's rule).</param>
/// <param name="CulturalZone">Inglehart–Welzel cultural map zone.</param>
/// <param name="Languages">Main survey languages, ISO 639-1.</param>
/// <param name="Surveys">Which surveys cover it: WVS7, EVS2017.</param>
public sealed record Country(
    string Iso3,
    int IsoNumeric,
    string Name,
    string Continent,
    bool IsWestern,
    string CulturalZone,
    IReadOnlyList<string> Languages,
    IReadOnlyList<string> Surveys)
{
    /// <summary>The country's code in the joint EVS/WVS file's <c>cntry_AN</c> column (ISO alpha-2; <c>NIR</c> for Northern Ireland); null when unknown.</summary>
    public string? FileCode { get; init; }
}

/// <summary>The table of surveyed countries shipped in the core.</summary>
public sealed class CountryTable
{
    private const string EmbeddedResourceName = "CultureProbe.Data.countries.yaml";
    private static readonly Lazy<CountryTable> Embedded = new(LoadEmbedded);

    private readonly Dictionary<string, Country> _byIso3;
    private readonly Dictionary<int, Country> _byNumeric;

    private CountryTable(IReadOnlyList<Country> countries, string westernRule)
    {
        Countries = countries;
        WesternRule = westernRule;
        _byIso3 = countries.ToDictionary(c => c.Iso3, StringComparer.OrdinalIgnoreCase);
        // Countries added by a user's file may have no numeric code (0): they are found by alpha-3 code only.
        _byNumeric = countries.Where(c => c.IsoNumeric > 0).ToDictionary(c => c.IsoNumeric);
    }

    /// <summary>The table shipped inside the core library.</summary>
    public static CountryTable Default => Embedded.Value;

    /// <summary>All countries, sorted by alpha-3 code.</summary>
    public IReadOnlyList<Country> Countries { get; }

    /// <summary>The documented rule that decides <see cref="Country.IsWestern"/>.</summary>
    public string WesternRule { get; }

    /// <summary>The country with this alpha-3 code, or null.</summary>
    public Country? FindByIso3(string iso3) => _byIso3.GetValueOrDefault(iso3.Trim());

    /// <summary>The country whose joint-file code (<c>cntry_AN</c>, e.g. <c>DK</c>) is <paramref name="code"/>, or null.</summary>
    public Country? FindByFileCode(string code) => Countries.FirstOrDefault(c => string.Equals(c.FileCode, code.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The country with this numeric code, or null.</summary>
    public Country? FindByNumeric(int code) => _byNumeric.GetValueOrDefault(code);

    /// <summary>
    /// Resolves a comma-separated list of alpha-3 codes or prompt names; bad input when unknown.
    /// </summary>
    public IReadOnlyList<Country> Select(string selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var result = new List<Country>();
        foreach (var part in selection.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var country = FindByIso3(part)
                ?? Countries.FirstOrDefault(c => c.Name.Equals(part, StringComparison.OrdinalIgnoreCase)
                    || c.Name.StartsWith("the ", StringComparison.OrdinalIgnoreCase) && c.Name[4..].Equals(part, StringComparison.OrdinalIgnoreCase))
                ?? throw new InputException($"unknown country '{part}': expected an ISO alpha-3 code such as USA or JPN (see 'cultureprobe countries')");
            if (!result.Contains(country))
            {
                result.Add(country);
            }
        }
        return result;
    }

    /// <summary>
    /// This table with the countries of a user's file (same format, see <c>docs/question-bank-format.md</c>) added; a
    /// country whose code is already here replaces the built-in entry. In such a file <c>isoNumeric</c>, <c>languages</c>
    /// and <c>surveys</c> may be left out.
    /// </summary>
    /// <exception cref="InputException">The file is missing or invalid (every problem named).</exception>
    public CountryTable ExtendedWith(string path)
    {
        CultureProbe.IO.InputFiles.RejectFolder(path);
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: country file not found");
        }
        var added = Parse(File.ReadAllText(path), path, extension: true);
        var merged = Countries.Where(c => added.FindByIso3(c.Iso3) is null).Concat(added.Countries).ToList();
        var numericClash = merged.Where(c => c.IsoNumeric > 0).GroupBy(c => c.IsoNumeric).FirstOrDefault(g => g.Count() > 1);
        if (numericClash is not null)
        {
            throw new InputException($"{path}: isoNumeric {numericClash.Key} is used by {string.Join(" and ", numericClash.Select(c => c.Iso3))}");
        }
        merged.Sort((a, b) => string.CompareOrdinal(a.Iso3, b.Iso3));
        return new CountryTable(merged, WesternRule);
    }

    /// <summary>Parses and validates a country table; <paramref name="source"/> names it in errors.</summary>
    public static CountryTable Parse(string yaml, string source) => Parse(yaml, source, extension: false);

    private static CountryTable Parse(string yaml, string source, bool extension)
    {
        TableDto dto;
        try
        {
            dto = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build().Deserialize<TableDto>(yaml) ?? new TableDto();
        }
        catch (YamlException e)
        {
            throw new InputException($"{source}:{e.Start.Line}:{e.Start.Column}: not a valid country table: {CultureProbe.IO.YamlMessages.Describe(e)}", e);
        }
        var errors = new List<string>();
        var countries = new List<Country>();
        var iso3Seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var numericSeen = new HashSet<int>();
        foreach (var (c, i) in (dto.Countries ?? []).Select((c, i) => (c, i)))
        {
            var where = $"countries[{i}]{(c.Iso3 is null ? "" : $" ({c.Iso3})")}";
            if (c.Iso3 is null || c.Iso3.Length != 3 || !c.Iso3.All(char.IsAsciiLetterUpper))
            {
                errors.Add($"{where}.iso3: expected three capital letters, found '{c.Iso3}'");
            }
            else if (!iso3Seen.Add(c.Iso3))
            {
                errors.Add($"{where}.iso3: '{c.Iso3}' appears more than once");
            }
            if (extension && c.IsoNumeric is null)
            {
                // Optional in a user's file: such a country has no shape on the world map.
            }
            else if (c.IsoNumeric is null or <= 0 or > 999)
            {
                errors.Add($"{where}.isoNumeric: expected a number 1..999, found '{c.IsoNumeric}'");
            }
            else if (!numericSeen.Add(c.IsoNumeric.Value))
            {
                errors.Add($"{where}.isoNumeric: {c.IsoNumeric} appears more than once");
            }
            if (string.IsNullOrWhiteSpace(c.Name))
            {
                errors.Add($"{where}.name: expected the name used in prompts");
            }
            if (c.Continent is not ("Africa" or "Asia" or "Europe" or "North America" or "South America" or "Oceania"))
            {
                errors.Add($"{where}.continent: expected Africa, Asia, Europe, North America, South America or Oceania, found '{c.Continent}'");
            }
            if (c.Western is null)
            {
                errors.Add($"{where}.western: expected true or false");
            }
            if (string.IsNullOrWhiteSpace(c.Zone))
            {
                errors.Add($"{where}.zone: expected the Inglehart–Welzel zone");
            }
            if (!extension && (c.Surveys is null || c.Surveys.Count == 0))
            {
                errors.Add($"{where}.surveys: expected the surveys that cover it, e.g. WVS7 and/or EVS2017");
            }
            if (c.FileCode is { } fileCode && (fileCode.Length is < 2 or > 3 || !fileCode.All(char.IsAsciiLetterUpper)))
            {
                errors.Add($"{where}.fileCode: expected the joint file's two- or three-letter country code such as DK, found '{fileCode}'");
            }
            countries.Add(new Country(c.Iso3 ?? "", c.IsoNumeric ?? 0, c.Name ?? "", c.Continent ?? "", c.Western ?? false, c.Zone ?? "", c.Languages ?? [], c.Surveys ?? [])
            {
                FileCode = c.FileCode,
            });
        }
        if (errors.Count > 0)
        {
            throw new InputException($"{source}: the country table is invalid ({errors.Count} problem{(errors.Count == 1 ? "" : "s")}):\n  - " + string.Join("\n  - ", errors));
        }
        countries.Sort((a, b) => string.CompareOrdinal(a.Iso3, b.Iso3));
        return new CountryTable(countries, (dto.WesternRule ?? "").Trim());
    }

    private static CountryTable LoadEmbedded()
    {
        using var stream = typeof(CountryTable).Assembly.GetManifestResourceStream(EmbeddedResourceName)
            ?? throw new InvalidOperationException($"embedded resource {EmbeddedResourceName} is missing from the build");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Parse(reader.ReadToEnd(), "countries.yaml (embedded)");
    }

    private sealed class TableDto
    {
        public int Version { get; set; }
        public string? WesternRule { get; set; }
        public List<CountryDto>? Countries { get; set; }
    }

    private sealed class CountryDto
    {
        public string? Iso3 { get; set; }
        public string? FileCode { get; set; }
        public int? IsoNumeric { get; set; }
        public string? Name { get; set; }
        public string? Continent { get; set; }
        public bool? Western { get; set; }
        public string? Zone { get; set; }
        public List<string>? Languages { get; set; }
        public List<string>? Surveys { get; set; }
    }
}
