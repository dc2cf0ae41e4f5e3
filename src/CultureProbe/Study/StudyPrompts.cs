using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CultureProbe.IO;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace CultureProbe.Study;

/// <summary>One prompt of the study: a template in one language with a topic's paraphrase filled in. It names no country.</summary>
/// <param name="Id">Stable id: template, topic and paraphrase (the same id in every language).</param>
/// <param name="Language">ISO 639-1.</param>
/// <param name="TemplateId">Template id (a variant of its type).</param>
/// <param name="Topic">Topic key.</param>
/// <param name="Text">The prompt as sent.</param>
/// <param name="TemplateType">The design the template belongs to: <see cref="StudyPrompts.ShippedTemplateType"/> for the shipped
/// templates, the released file's <c>template_type</c> (e.g. <c>survey_hypothetical</c>) for the authors' prompts. The analysis
/// keeps one type, as the authors analysed one.</param>
public sealed record StudyPrompt(string Id, string Language, string TemplateId, string Topic, string Text, string TemplateType = StudyPrompts.ShippedTemplateType);

/// <summary>A prompt template of the study in several languages, each with one <c>{topic}</c>.</summary>
/// <param name="Id">Template id.</param>
/// <param name="Texts">Text by language.</param>
public sealed record StudyTemplate(string Id, IReadOnlyDictionary<string, string> Texts);

/// <summary>The study's prompts: built from the shipped templates and topic paraphrases, or read from the authors' released prompt file.</summary>
public static class StudyPrompts
{
    private const string EmbeddedTemplates = "CultureProbe.Data.study.templates.yaml";

    /// <summary>The type of every shipped template: an interviewer summarises ten citizens' opinions (the paper's survey_hypothetical design).</summary>
    public const string ShippedTemplateType = "interview";

    /// <summary>The shipped templates (a base and ten variants in da, en, nl and pt).</summary>
    public static IReadOnlyList<StudyTemplate> DefaultTemplates => LazyTemplates.Value;

    private static readonly Lazy<IReadOnlyList<StudyTemplate>> LazyTemplates = new(() => ParseTemplates(StudyTopicSet.ReadEmbedded(EmbeddedTemplates), "study/templates.yaml (embedded)"));

    /// <summary>SHA-256 of the shipped templates file, for provenance.</summary>
    public static string DefaultTemplatesSha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(StudyTopicSet.ReadEmbedded(EmbeddedTemplates))));

    /// <summary>
    /// Draws <paramref name="perLanguage"/> (template, topic, paraphrase) combinations without replacement, with a seed, and
    /// writes each in every language: the languages get the same combinations, so the language is the only difference
    /// between them (the paper drew English and translated; here every text is written in each language).
    /// </summary>
    /// <exception cref="SettingException">More prompts than combinations, or a language without templates or paraphrases.</exception>
    public static IReadOnlyList<StudyPrompt> Sample(IReadOnlyList<StudyTemplate> templates, IReadOnlyList<StudyTopic> topics, IReadOnlyList<string> languages, int perLanguage, int seed)
    {
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(languages);
        foreach (var language in languages)
        {
            if (templates.Any(t => !t.Texts.ContainsKey(language)) || topics.Any(t => !t.Paraphrases.ContainsKey(language)))
            {
                throw new SettingException("languages", $"'{language}' has no study templates or topic paraphrases; the shipped ones are in da, en, nl and pt");
            }
        }
        var combinations = (from template in templates
                            from topic in topics
                            from paraphrase in Enumerable.Range(0, topic.Paraphrases.Values.Min(p => p.Count))
                            select (template, topic, paraphrase)).ToArray();
        SettingException.Require(perLanguage >= 1 && perLanguage <= combinations.Length, "prompts_per_language", $"1 to {combinations.Length} (templates × topics × paraphrases)", perLanguage);
        var random = new Random(seed);
        random.Shuffle(combinations);
        var chosen = combinations.Take(perLanguage).OrderBy(c => c.template.Id, StringComparer.Ordinal).ThenBy(c => c.topic.Key, StringComparer.Ordinal).ThenBy(c => c.paraphrase).ToArray();
        return (from language in languages
                from c in chosen
                select new StudyPrompt($"{c.template.Id}/{c.topic.Key}/{c.paraphrase}", language, c.template.Id, c.topic.Key,
                    c.template.Texts[language].Replace("{topic}", c.topic.Paraphrases[language][c.paraphrase], StringComparison.Ordinal))).ToArray();
    }

    /// <summary>
    /// The authors' released prompt file (columns <c>language, template_type, prompt, topic, question_key</c>), so their exact
    /// prompts can be rerun without CultureProbe holding their text. Rows of <paramref name="templateType"/> (the paper analysed
    /// <c>survey_hypothetical</c>) in <paramref name="languages"/> are kept; <c>{topic}</c> is filled with the row's topic.
    /// </summary>
    /// <exception cref="InputException">The file is missing, lacks a column, or a prompt has no {topic} (file:line:column named).</exception>
    public static IReadOnlyList<StudyPrompt> ReadReleased(string path, string templateType, IReadOnlyList<string> languages)
    {
        CultureProbe.IO.InputFiles.RejectFolder(path);
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: prompt file not found");
        }
        var name = Path.GetFileName(path);
        using var stream = File.OpenRead(path);
        using var reader = new DelimitedRecordReader(stream, name);
        reader.DetectDelimiter();
        if (!reader.ReadRecord())
        {
            throw new InputException($"{name}:1: the file is empty (expected the columns language,template_type,prompt,topic,question_key)");
        }
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            index.TryAdd(reader.FieldText(i).Trim(), i);
        }
        foreach (var column in new[] { "language", "template_type", "prompt", "topic", "question_key" })
        {
            if (!index.ContainsKey(column))
            {
                throw new InputException($"{name}:1: missing required column '{column}' (expected the released prompt file's columns language,template_type,prompt,topic,question_key)");
            }
        }
        var wanted = languages.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var prompts = new List<StudyPrompt>();
        var row = 0;
        while (reader.ReadRecord())
        {
            row++;
            var language = reader.FieldText(index["language"]).Trim().ToLowerInvariant();
            if (!wanted.Contains(language) || !reader.FieldText(index["template_type"]).Trim().Equals(templateType, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var template = reader.FieldText(index["prompt"]);
            if (!template.Contains("{topic}", StringComparison.Ordinal))
            {
                throw InputException.At(name, reader.LineNumber, index["prompt"] + 1, "prompt", "expected a template with {topic}");
            }
            var topic = reader.FieldText(index["question_key"]).Trim().ToLowerInvariant();
            var templateId = "t" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(template)))[..8];
            prompts.Add(new StudyPrompt($"row{row.ToString(CultureInfo.InvariantCulture)}", language, templateId, topic,
                template.Replace("{topic}", reader.FieldText(index["topic"]), StringComparison.Ordinal), templateType));
        }
        return prompts.Count > 0
            ? prompts
            : throw new InputException($"{name}: no prompt of template type '{templateType}' in {string.Join(", ", languages)}");
    }

    /// <summary>Reads and validates templates YAML; every problem is reported at once.</summary>
    public static IReadOnlyList<StudyTemplate> ParseTemplates(string yaml, string source)
    {
        FileDto dto;
        try
        {
            dto = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build().Deserialize<FileDto>(yaml) ?? new FileDto();
        }
        catch (YamlException e)
        {
            throw new InputException($"{source}:{e.Start.Line}:{e.Start.Column}: not a valid study template file: {CultureProbe.IO.YamlMessages.Describe(e)}", e);
        }
        var errors = new List<string>();
        var templates = new List<StudyTemplate>();
        foreach (var (entry, i) in (dto.Templates ?? []).Select((t, i) => (t, i)))
        {
            if (!entry.TryGetValue("id", out var id) || string.IsNullOrWhiteSpace(id))
            {
                errors.Add($"templates[{i}].id: expected an id");
                continue;
            }
            var texts = entry.Where(e => e.Key != "id").ToDictionary(e => e.Key, e => e.Value, StringComparer.OrdinalIgnoreCase);
            foreach (var (language, text) in texts)
            {
                if (text is null || text.Split("{topic}").Length != 2)
                {
                    errors.Add($"templates[{i}] ({id}).{language}: expected the text with {{topic}} exactly once");
                }
            }
            templates.Add(new StudyTemplate(id, texts));
        }
        if (templates.Count == 0)
        {
            errors.Add("templates: expected at least one template");
        }
        if (errors.Count > 0)
        {
            throw new InputException($"{source}: the study templates are invalid:\n  - " + string.Join("\n  - ", errors));
        }
        return templates;
    }

    private sealed class FileDto
    {
        public int Version { get; set; }
        public List<Dictionary<string, string>>? Templates { get; set; }
    }
}
