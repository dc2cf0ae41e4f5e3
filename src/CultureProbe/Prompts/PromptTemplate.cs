using System.Security.Cryptography;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace CultureProbe.Prompts;

/// <summary>A prompt template, split where the prompt tree branches (see <c>docs/prompt-templates.md</c>).</summary>
/// <param name="Id">Identifier, unique within its language.</param>
/// <param name="Language">ISO 639-1 language code.</param>
/// <param name="Description">What the template is.</param>
/// <param name="Prefix">Text shared by every country: uses {question} and {choices}.</param>
/// <param name="Suffix">Text shared by every answer: uses {country}.</param>
/// <param name="Choice">How one choice is listed: uses {letter} and {label}.</param>
/// <param name="Separator">Between listed choices.</param>
public sealed record PromptTemplate(string Id, string Language, string Description, string Prefix, string Suffix, string Choice, string Separator)
{
    /// <summary>Country names in the template's language, by ISO alpha-3; countries not listed use the country table's English name.</summary>
    public IReadOnlyDictionary<string, string> CountryNames { get; init; } = new Dictionary<string, string>();

    /// <summary>The name of <paramref name="country"/> as this template writes it.</summary>
    public string CountryName(Surveys.Country country)
    {
        ArgumentNullException.ThrowIfNull(country);
        return CountryNames.TryGetValue(country.Iso3, out var name) ? name : country.Name;
    }

    /// <summary>Whether the template lists the choices under letters, so that an answer can be named by its letter.</summary>
    public bool ListsLetters => Choice.Contains("{letter}", StringComparison.Ordinal);

    /// <summary>
    /// SHA-256 of everything that shapes the template's prompts: language, the four text parts and the country
    /// names it writes. Computed from the current values each time, so a copy made with <c>with</c> never carries
    /// a stale hash.
    /// </summary>
    public string Sha256
    {
        get
        {
            var parts = new List<string> { "cultureprobe-template-v2", Language, Prefix, Suffix, Choice, Separator };
            foreach (var (iso3, name) in CountryNames.OrderBy(n => n.Key, StringComparer.Ordinal))
            {
                parts.Add(iso3 + "=" + name);
            }
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts))));
        }
    }
}

/// <summary>The templates of one or more languages.</summary>
public sealed class PromptTemplateSet
{
    private static readonly string[] BuiltInLanguages = ["en", "da", "nl", "pt"];
    private readonly Dictionary<string, List<PromptTemplate>> _byLanguage = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _defaults = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The templates shipped in the core.</summary>
    public static PromptTemplateSet BuiltIn()
    {
        var set = new PromptTemplateSet();
        foreach (var language in BuiltInLanguages)
        {
            var name = $"CultureProbe.Data.templates.{language}.yaml";
            using var stream = typeof(PromptTemplateSet).Assembly.GetManifestResourceStream(name);
            if (stream is null)
            {
                continue;
            }
            using var reader = new StreamReader(stream, Encoding.UTF8);
            set.Add(reader.ReadToEnd(), $"templates/{language}.yaml (embedded)");
        }
        return set;
    }

    /// <summary>Languages with at least one template.</summary>
    public IReadOnlyCollection<string> Languages => _byLanguage.Keys;

    /// <summary>All templates of a language, in file order.</summary>
    public IReadOnlyList<PromptTemplate> For(string language) =>
        _byLanguage.TryGetValue(language, out var list) ? list : throw new InputException($"no prompt templates for language '{language}'; available: {string.Join(", ", _byLanguage.Keys)}");

    /// <summary>The default template of a language.</summary>
    public PromptTemplate Default(string language) => Get(language, _defaults.GetValueOrDefault(language) ?? For(language)[0].Id);

    /// <summary>A template by id; bad input when unknown.</summary>
    public PromptTemplate Get(string language, string id) =>
        For(language).FirstOrDefault(t => t.Id.Equals(id, StringComparison.OrdinalIgnoreCase))
        ?? throw new InputException($"unknown template '{id}' for language '{language}'; available: {string.Join(", ", For(language).Select(t => t.Id))}");

    /// <summary>Resolves <c>all</c> or a comma-separated list of ids.</summary>
    public IReadOnlyList<PromptTemplate> Select(string language, string selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        return selection.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)
            ? For(language)
            : selection.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(id => Get(language, id)).ToArray();
    }

    /// <summary>Adds the templates of a user's file.</summary>
    public void AddFile(string path)
    {
        CultureProbe.IO.InputFiles.RejectFolder(path);
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: template file not found");
        }
        Add(File.ReadAllText(path), path);
    }

    /// <summary>Parses and validates template YAML; <paramref name="source"/> names it in errors.</summary>
    public void Add(string yaml, string source)
    {
        FileDto dto;
        try
        {
            dto = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build().Deserialize<FileDto>(yaml) ?? new FileDto();
        }
        catch (YamlException e)
        {
            throw new InputException($"{source}:{e.Start.Line}:{e.Start.Column}: not a valid template file: {CultureProbe.IO.YamlMessages.Describe(e)}", e);
        }
        if (string.IsNullOrWhiteSpace(dto.Language))
        {
            throw new InputException($"{source}: expected 'language:' with an ISO 639-1 code");
        }
        if (!_byLanguage.TryGetValue(dto.Language, out var list))
        {
            list = [];
            _byLanguage[dto.Language] = list;
        }
        var countryNames = new Dictionary<string, string>(dto.CountryNames ?? [], StringComparer.OrdinalIgnoreCase);
        foreach (var (code, countryName) in countryNames)
        {
            if (code.Length != 3 || string.IsNullOrWhiteSpace(countryName))
            {
                throw new InputException($"{source}: countryNames.{code}: expected an ISO alpha-3 code and a non-empty name");
            }
        }
        foreach (var (t, i) in (dto.Templates ?? []).Select((t, i) => (t, i)))
        {
            var where = $"{source}: templates[{i}]{(t.Id is null ? "" : $" ({t.Id})")}";
            if (string.IsNullOrWhiteSpace(t.Id))
            {
                throw new InputException($"{where}.id: expected an id");
            }
            if (list.Any(x => x.Id.Equals(t.Id, StringComparison.OrdinalIgnoreCase)))
            {
                throw new InputException($"{where}.id: template '{t.Id}' already exists for language '{dto.Language}'");
            }
            var prefix = t.Prefix ?? "";
            var suffix = t.Suffix ?? throw new InputException($"{where}.suffix: expected the text that names the country");
            if (prefix.Contains("{country}", StringComparison.Ordinal))
            {
                throw new InputException($"{where}.prefix: must not use {{country}}; the prefix is shared by every country (put the country in the suffix)");
            }
            if (!suffix.Contains("{country}", StringComparison.Ordinal))
            {
                throw new InputException($"{where}.suffix: expected {{country}}");
            }
            if (!(prefix + suffix).Contains("{question}", StringComparison.Ordinal))
            {
                throw new InputException($"{where}: expected {{question}} in the prefix or the suffix");
            }
            var choice = t.Choice ?? "{letter}) {label}";
            CheckPlaceholders($"{where}.prefix", prefix, "question", "choices");
            CheckPlaceholders($"{where}.suffix", suffix, "country", "question", "choices");
            CheckPlaceholders($"{where}.choice", choice, "letter", "label");
            if (!choice.Contains("{label}", StringComparison.Ordinal) && !choice.Contains("{letter}", StringComparison.Ordinal))
            {
                throw new InputException($"{where}.choice: expected {{letter}} and/or {{label}}");
            }
            list.Add(new PromptTemplate(t.Id, dto.Language, t.Description ?? "", prefix, suffix, choice, t.Separator ?? ", ") { CountryNames = countryNames });
        }
        if (dto.Default is not null)
        {
            if (!list.Any(x => x.Id.Equals(dto.Default, StringComparison.OrdinalIgnoreCase)))
            {
                throw new InputException($"{source}: default: no template '{dto.Default}' in the file");
            }
            _defaults[dto.Language] = dto.Default;
        }
    }

    /// <summary>A placeholder the template cannot fill would go into every prompt as literal text: refuse it.</summary>
    private static void CheckPlaceholders(string where, string text, params string[] allowed)
    {
        foreach (System.Text.RegularExpressions.Match match in System.Text.RegularExpressions.Regex.Matches(text, @"\{([^{}]*)\}"))
        {
            if (!allowed.Contains(match.Groups[1].Value, StringComparer.Ordinal))
            {
                throw new InputException($"{where}: unknown placeholder {match.Value}; expected {string.Join(", ", allowed.Select(a => "{" + a + "}"))}");
            }
        }
    }

    private sealed class FileDto
    {
        public string? Language { get; set; }
        public string? Default { get; set; }
        public Dictionary<string, string>? CountryNames { get; set; }
        public List<TemplateDto>? Templates { get; set; }
    }

    private sealed class TemplateDto
    {
        public string? Id { get; set; }
        public string? Description { get; set; }
        public string? Prefix { get; set; }
        public string? Suffix { get; set; }
        public string? Choice { get; set; }
        public string? Separator { get; set; }
    }
}
