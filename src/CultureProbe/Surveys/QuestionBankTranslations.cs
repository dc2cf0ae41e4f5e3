using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace CultureProbe.Surveys;

/// <summary>
/// The question bank in other languages (see <c>docs/translations.md</c>). A translation
/// replaces texts and labels only: codes, ranks and scores are the English bank's, and the
/// loader refuses a translation whose options differ from the original.
/// </summary>
public static class QuestionBankTranslations
{
    /// <summary>Languages with a translation shipped in the core.</summary>
    public static readonly IReadOnlyList<string> ShippedLanguages = ["da", "nl", "pt"];

    private static readonly Dictionary<string, QuestionBank> Cache = new(StringComparer.OrdinalIgnoreCase);
    private static readonly Lock CacheLock = new();

    /// <summary>Every language the bank can be shown in, English first.</summary>
    public static IReadOnlyList<string> Languages => ["en", .. ShippedLanguages.Where(HasShipped)];

    /// <summary>The shipped bank in <paramref name="language"/> (en gives the bank itself).</summary>
    public static QuestionBank ForLanguage(string language)
    {
        ArgumentNullException.ThrowIfNull(language);
        if (language.Equals("en", StringComparison.OrdinalIgnoreCase))
        {
            return QuestionBankLoader.Default;
        }
        lock (CacheLock)
        {
            if (Cache.TryGetValue(language, out var cached))
            {
                return cached;
            }
            if (!HasShipped(language))
            {
                throw new InputException($"no translation of the question bank for language '{language}'; available: {string.Join(", ", Languages)}");
            }
            using var stream = typeof(QuestionBankTranslations).Assembly.GetManifestResourceStream(ResourceName(language))!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var translated = Apply(QuestionBankLoader.Default, reader.ReadToEnd(), $"questions.wvs7.{language}.yaml (embedded)");
            Cache[language] = translated;
            return translated;
        }
    }

    /// <summary>
    /// Applies a translation file to <paramref name="english"/> and validates it; every problem is
    /// reported at once, naming the item or scale and the code.
    /// </summary>
    public static QuestionBank Apply(QuestionBank english, string yaml, string source)
    {
        ArgumentNullException.ThrowIfNull(english);
        TranslationDto dto;
        try
        {
            dto = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build().Deserialize<TranslationDto>(yaml) ?? new TranslationDto();
        }
        catch (YamlException e)
        {
            throw new InputException($"{source}:{e.Start.Line}:{e.Start.Column}: not a valid translation file: {CultureProbe.IO.YamlMessages.Describe(e)}", e);
        }
        var errors = new List<string>();
        var language = dto.Language ?? "";
        if (language.Length == 0)
        {
            errors.Add("language: expected an ISO 639-1 code");
        }
        var scales = dto.Scales ?? [];
        var items = dto.Items ?? [];
        foreach (var code in items.Keys.Where(code => english.Find(code) is null))
        {
            errors.Add($"items.{code}: no such item in the English bank");
        }
        var usedScales = english.Questions.Where(q => q.ScaleName is not null).Select(q => q.ScaleName!).ToHashSet(StringComparer.Ordinal);
        foreach (var name in scales.Keys.Where(name => !usedScales.Contains(name)))
        {
            errors.Add($"scales.{name}: no such scale in the English bank");
        }
        var paperSet = english.GetSet(QuestionBank.Paper12SetName).Select(q => q.Code).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var translated = new List<SurveyQuestion>();
        foreach (var question in english.Questions)
        {
            if (!items.TryGetValue(question.Code, out var item))
            {
                if (paperSet.Contains(question.Code))
                {
                    errors.Add($"items.{question.Code}: missing; every item of the paper-12 set needs a translation");
                }
                translated.Add(question);
                continue;
            }
            var where = $"items.{question.Code}";
            if (string.IsNullOrWhiteSpace(item.Text))
            {
                errors.Add($"{where}.text: expected the translated question");
            }
            ScaleDto? labels;
            string labelsWhere;
            if (question.ScaleName is not null)
            {
                if (item.Options is not null)
                {
                    errors.Add($"{where}.options: the item uses the shared scale {question.ScaleName}; translate it under scales.{question.ScaleName}");
                }
                scales.TryGetValue(question.ScaleName, out labels);
                labelsWhere = $"scales.{question.ScaleName}";
                if (labels is null)
                {
                    errors.Add($"{labelsWhere}: missing (used by {question.Code})");
                    continue;
                }
            }
            else
            {
                labels = new ScaleDto { Options = item.Options, OtherCodes = item.OtherCodes, Collapses = item.Collapses };
                labelsWhere = where;
            }
            var before = errors.Count;
            var options = Relabel(question.Options, labels.Options, $"{labelsWhere}.options", errors);
            var others = Relabel(question.OtherCodes, labels.OtherCodes, $"{labelsWhere}.otherCodes", errors);
            var collapses = question.Collapses.Select(c =>
            {
                var groupLabels = labels.Collapses?.GetValueOrDefault(c.Size);
                if (groupLabels is null || groupLabels.Count != c.Groups.Count || groupLabels.Any(string.IsNullOrWhiteSpace))
                {
                    errors.Add($"{labelsWhere}.collapses.{c.Size}: expected {c.Groups.Count} group labels, low to high");
                    return c;
                }
                return c with { Groups = c.Groups.Select((g, i) => g with { Label = groupLabels[i] }).ToArray() };
            }).ToArray();
            if (errors.Count == before)
            {
                translated.Add(question with { Text = item.Text ?? question.Text, Options = options, Collapses = collapses, OtherCodes = others });
            }
        }
        if (errors.Count > 0)
        {
            throw new InputException($"{source}: the translation is invalid ({errors.Count} problem{(errors.Count == 1 ? "" : "s")}):\n  - " + string.Join("\n  - ", errors.Distinct()));
        }
        return english.WithQuestions(translated, language);
    }

    private static AnswerOption[] Relabel(IReadOnlyList<AnswerOption> english, Dictionary<int, string>? labels, string where, List<string> errors)
    {
        labels ??= [];
        var expected = english.Select(o => o.Code).Order().ToArray();
        var given = labels.Keys.Order().ToArray();
        if (!expected.SequenceEqual(given))
        {
            errors.Add($"{where}: codes [{string.Join(", ", given)}] differ from the English original's [{string.Join(", ", expected)}]");
            return english.ToArray();
        }
        foreach (var (code, label) in labels.Where(l => string.IsNullOrWhiteSpace(l.Value)))
        {
            errors.Add($"{where}.{code.ToString(CultureInfo.InvariantCulture)}: empty label");
        }
        return english.Select(o => o with { Label = labels[o.Code] }).ToArray();
    }

    private static string ResourceName(string language) => $"CultureProbe.Data.questions.wvs7.{language.ToLowerInvariant()}.yaml";

    private static bool HasShipped(string language) =>
        typeof(QuestionBankTranslations).Assembly.GetManifestResourceInfo(ResourceName(language)) is not null;

    private sealed class TranslationDto
    {
        public string? Language { get; set; }
        public string? Name { get; set; }
        public Dictionary<string, ScaleDto>? Scales { get; set; }
        public Dictionary<string, ItemDto>? Items { get; set; }
    }

    private sealed class ScaleDto
    {
        public Dictionary<int, string>? Options { get; set; }
        public Dictionary<int, string>? OtherCodes { get; set; }
        public Dictionary<int, List<string>>? Collapses { get; set; }
    }

    private sealed class ItemDto
    {
        public string? Text { get; set; }
        public Dictionary<int, string>? Options { get; set; }
        public Dictionary<int, string>? OtherCodes { get; set; }
        public Dictionary<int, List<string>>? Collapses { get; set; }
    }
}
