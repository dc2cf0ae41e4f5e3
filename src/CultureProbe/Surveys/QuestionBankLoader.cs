using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace CultureProbe.Surveys;

/// <summary>
/// Reads and validates a question bank (see <c>docs/question-bank-format.md</c>): the built-in WVS-7 bank, or any
/// survey's bank from a YAML file. Every problem found is reported at once, each naming the item and field.
/// </summary>
public static class QuestionBankLoader
{
    /// <summary>The newest bank format this program reads; versions 1 and 2 lack only optional fields and still load.</summary>
    public const int CurrentVersion = 3;

    private const string EmbeddedResourceName = "CultureProbe.Data.questions.wvs7.yaml";
    private static readonly Lazy<QuestionBank> Embedded = new(LoadEmbedded);

    /// <summary>The bank shipped inside the core library.</summary>
    public static QuestionBank Default => Embedded.Value;

    /// <summary>Loads a bank from a YAML file.</summary>
    public static QuestionBank LoadFile(string path)
    {
        CultureProbe.IO.InputFiles.RejectFolder(path);
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: question bank file not found");
        }
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses and validates bank YAML; <paramref name="source"/> names it in errors.</summary>
    public static QuestionBank Parse(string yaml, string source)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        BankDocument document;
        try
        {
            document = CreateDeserializer().Deserialize<BankDocument>(yaml) ?? new BankDocument();
        }
        catch (YamlException e)
        {
            throw new InputException($"{source}:{e.Start.Line}:{e.Start.Column}: not a valid question bank: {CultureProbe.IO.YamlMessages.Describe(e)}", e);
        }

        var errors = new List<string>();
        if (document.Version > CurrentVersion)
        {
            errors.Add($"version: {document.Version} is newer than this program reads (up to {CurrentVersion}); use a newer CultureProbe or write the bank in version {CurrentVersion}");
        }
        var categories = BuildCategories(document, errors);
        var questions = BuildQuestions(document, categories, errors);
        var survey = BuildSurvey(document, source, errors);
        if (errors.Count > 0)
        {
            throw Invalid(source, errors);
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml)));
        var bank = new QuestionBank(survey, categories, questions, hash, document.Language ?? "en", new Dictionary<string, IReadOnlyList<SurveyQuestion>>());
        var sets = ResolveSets(bank, document.Sets ?? [], errors);
        if (!string.Equals(survey.DefaultSet, QuestionBank.AllSetName, StringComparison.OrdinalIgnoreCase) && !sets.ContainsKey(survey.DefaultSet))
        {
            errors.Add($"survey.defaultSet: '{survey.DefaultSet}' is neither 'all' nor a set under sets:");
        }
        if (errors.Count > 0)
        {
            throw Invalid(source, errors);
        }
        return bank.WithSets(sets, source);
    }

    private static InputException Invalid(string source, List<string> errors) =>
        new($"{source}: the question bank is invalid ({errors.Count} problem{(errors.Count == 1 ? "" : "s")}):\n  - " + string.Join("\n  - ", errors));

    private static SurveyInfo BuildSurvey(BankDocument document, string source, List<string> errors)
    {
        var dto = document.Survey;
        if (dto is null)
        {
            // A bank without a survey block (the format's first version) is named after its file.
            var name = Path.GetFileNameWithoutExtension(source.Split(' ')[0]);
            return new SurveyInfo(name, name, name, null, QuestionBank.AllSetName, null);
        }
        if (string.IsNullOrWhiteSpace(dto.Id))
        {
            errors.Add("survey.id: expected a short identifier such as wvs7");
        }
        if (string.IsNullOrWhiteSpace(dto.Name))
        {
            errors.Add("survey.name: expected the survey's name, shown in reports");
        }
        if (dto.ReferenceCountry is { } reference && (reference.Length != 3 || !reference.All(char.IsAsciiLetterUpper)))
        {
            errors.Add($"survey.referenceCountry: expected an ISO alpha-3 code such as USA, found '{reference}'");
        }
        if (dto.LabelSource is not null && string.IsNullOrWhiteSpace(dto.LabelSource))
        {
            errors.Add("survey.labelSource: expected the reference the labels follow, with its version (e.g. a codebook's release), or leave the field out");
        }
        return new SurveyInfo(dto.Id ?? "", dto.Name ?? "", dto.ShortName ?? dto.Id ?? "", dto.ReferenceCountry, dto.DefaultSet ?? QuestionBank.AllSetName, dto.CountsSource)
        {
            LabelSource = dto.LabelSource,
        };
    }

    /// <summary>Named sets of the bank: each a list of codes, ranges, categories and earlier sets.</summary>
    private static Dictionary<string, IReadOnlyList<SurveyQuestion>> ResolveSets(QuestionBank bank, Dictionary<string, List<string>> sets, List<string> errors)
    {
        var result = new Dictionary<string, IReadOnlyList<SurveyQuestion>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, parts) in sets)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Equals(QuestionBank.AllSetName, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"sets.{name}: expected a name other than '{QuestionBank.AllSetName}'");
                continue;
            }
            if (parts is null || parts.Count == 0)
            {
                errors.Add($"sets.{name}: lists no items");
                continue;
            }
            try
            {
                result[name] = bank.WithSets(result, "sets").Select(string.Join(",", parts));
            }
            catch (InputException e)
            {
                errors.Add($"sets.{name}: {e.Message}");
            }
        }
        return result;
    }

    /// <summary>
    /// Reads user-defined question sets from a YAML file of the form
    /// <c>sets: { name: [Q1, Q46-Q56, ethics] }</c>; returns <paramref name="bank"/> with them added.
    /// </summary>
    public static QuestionBank WithSetsFile(QuestionBank bank, string path)
    {
        ArgumentNullException.ThrowIfNull(bank);
        CultureProbe.IO.InputFiles.RejectFolder(path);
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: question set file not found");
        }
        SetsDocument document;
        try
        {
            document = CreateDeserializer().Deserialize<SetsDocument>(File.ReadAllText(path)) ?? new SetsDocument();
        }
        catch (YamlException e)
        {
            throw new InputException($"{path}:{e.Start.Line}:{e.Start.Column}: not a valid question set file (expected 'sets: {{ name: [Q1, Q2-Q9, category] }}'): {CultureProbe.IO.YamlMessages.Describe(e)}", e);
        }
        var sets = new Dictionary<string, IReadOnlyList<SurveyQuestion>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, parts) in document.Sets ?? [])
        {
            if (parts is null || parts.Count == 0)
            {
                throw new InputException($"{path}: set '{name}' lists no items");
            }
            try
            {
                sets[name] = bank.Select(string.Join(",", parts));
            }
            catch (InputException e)
            {
                throw new InputException($"{path}: set '{name}': {e.Message}", e);
            }
        }
        return bank.WithSets(sets, path);
    }

    private static QuestionBank LoadEmbedded()
    {
        using var stream = typeof(QuestionBankLoader).Assembly.GetManifestResourceStream(EmbeddedResourceName)
            ?? throw new InvalidOperationException($"embedded resource {EmbeddedResourceName} is missing from the build");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Parse(reader.ReadToEnd(), "questions.wvs7.yaml (embedded)");
    }

    private static IDeserializer CreateDeserializer() =>
        new DeserializerBuilder()
            .WithNamingConvention(CamelCaseNamingConvention.Instance)
            .Build();

    private static List<QuestionCategory> BuildCategories(BankDocument document, List<string> errors)
    {
        var categories = new List<QuestionCategory>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (dto, index) in (document.Categories ?? []).Select((c, i) => (c, i)))
        {
            var where = $"categories[{index}]";
            if (string.IsNullOrWhiteSpace(dto.Id))
            {
                errors.Add($"{where}.id: expected a non-empty id");
                continue;
            }
            if (!seen.Add(dto.Id))
            {
                errors.Add($"{where}.id: category '{dto.Id}' is defined twice");
            }
            if (string.IsNullOrWhiteSpace(dto.Title))
            {
                errors.Add($"{where} ({dto.Id}).title: expected a title");
            }
            if ((dto.First is null) != (dto.Last is null) || dto.First > dto.Last)
            {
                errors.Add($"{where} ({dto.Id}): expected both first and last code numbers with first <= last, or neither, found first={dto.First}, last={dto.Last}");
                continue;
            }
            categories.Add(new QuestionCategory(dto.Id, dto.Title ?? dto.Id, dto.First, dto.Last, dto.PaperCount));
        }
        var ranged = categories.Where(c => c.FirstQuestion is not null).ToArray();
        for (var i = 1; i < ranged.Length; i++)
        {
            if (ranged[i].FirstQuestion <= ranged[i - 1].LastQuestion)
            {
                errors.Add($"categories: '{ranged[i].Id}' ({ranged[i].FirstQuestion}-{ranged[i].LastQuestion}) overlaps or precedes '{ranged[i - 1].Id}'");
            }
        }
        if (categories.Count == 0)
        {
            errors.Add("categories: expected at least one category");
        }
        return categories;
    }

    private static List<SurveyQuestion> BuildQuestions(BankDocument document, List<QuestionCategory> categories, List<string> errors)
    {
        var scales = document.Scales ?? [];
        var questions = new List<SurveyQuestion>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (dto, index) in (document.Items ?? []).Select((q, i) => (q, i)))
        {
            var where = string.IsNullOrWhiteSpace(dto.Code) ? $"items[{index}]" : $"item {dto.Code}";
            if (string.IsNullOrWhiteSpace(dto.Code) || !IsCode(dto.Code))
            {
                errors.Add($"{where}.code: expected the variable's code (letters, digits, '_' or '.', e.g. Q177 or ppltrst), found '{dto.Code}'");
                continue;
            }
            var number = QuestionBank.CodeParts(dto.Code).Number ?? (index + 1);
            if (!seen.Add(dto.Code))
            {
                errors.Add($"{where}.code: '{dto.Code}' appears more than once");
                continue;
            }
            var category = categories.FirstOrDefault(c => c.Id == dto.Category);
            if (category is null)
            {
                errors.Add($"{where}.category: unknown category '{dto.Category}'");
            }
            else if (category.FirstQuestion is { } first && category.LastQuestion is { } last
                && (QuestionBank.CodeParts(dto.Code).Number is not { } codeNumber || codeNumber < first || codeNumber > last))
            {
                errors.Add($"{where}.category: {dto.Code} lies outside '{category.Id}' ({first}-{last})");
            }
            if (string.IsNullOrWhiteSpace(dto.Text))
            {
                errors.Add($"{where}.text: expected the question text");
            }

            ScaleDto? scale;
            string? scaleName = null;
            if (dto.Scale is not null)
            {
                if (dto.Options is not null)
                {
                    errors.Add($"{where}: give either 'scale' or 'options', not both");
                    continue;
                }
                if (!scales.TryGetValue(dto.Scale, out scale))
                {
                    errors.Add($"{where}.scale: unknown scale '{dto.Scale}'");
                    continue;
                }
                scaleName = dto.Scale;
            }
            else
            {
                scale = new ScaleDto { Ordinal = dto.Ordinal, Direction = dto.Direction, Options = dto.Options, OtherCodes = dto.OtherCodes, Collapses = dto.Collapses };
            }
            var built = BuildScale(scale, scaleName is null ? where : $"{where} (scale {scaleName})", errors);
            if (built is null)
            {
                continue;
            }
            var (options, otherCodes) = WithItemNotes(built.Value.Options, built.Value.OtherCodes, dto.LabelNotes, where, errors);
            questions.Add(new SurveyQuestion(dto.Code, number, dto.Category ?? "", dto.Text ?? "", built.Value.Ordinal, built.Value.Direction, options, built.Value.Collapses, scaleName) { OtherCodes = otherCodes });
        }
        return questions;
    }

    /// <summary>
    /// Adds an item's own notes on its labels (<c>labelNotes: {3: "..."}</c>) to the options it shows: the way to
    /// explain one item's label on a shared scale. A note from the scale comes first.
    /// </summary>
    private static (AnswerOption[] Options, AnswerOption[] OtherCodes) WithItemNotes(AnswerOption[] options, AnswerOption[] otherCodes, Dictionary<int, string?>? notes, string where, List<string> errors)
    {
        if (notes is null)
        {
            return (options, otherCodes);
        }
        foreach (var (code, note) in notes.OrderBy(n => n.Key))
        {
            var field = $"{where}.labelNotes.{code.ToString(CultureInfo.InvariantCulture)}";
            if (!options.Any(o => o.Code == code) && !otherCodes.Any(o => o.Code == code))
            {
                errors.Add($"{field}: {code.ToString(CultureInfo.InvariantCulture)} is not one of the item's answer codes ({string.Join(", ", options.Concat(otherCodes).Select(o => o.Code.ToString(CultureInfo.InvariantCulture)))})");
            }
            else if (string.IsNullOrWhiteSpace(note))
            {
                errors.Add($"{field}: expected the reason the label reads as it does, or leave the code out");
            }
        }
        AnswerOption Noted(AnswerOption option) =>
            notes.GetValueOrDefault(option.Code) is { } note && !string.IsNullOrWhiteSpace(note)
                ? option with { Note = option.Note is null ? note : $"{option.Note} {note}" }
                : option;
        return (options.Select(Noted).ToArray(), otherCodes.Select(Noted).ToArray());
    }

    private static (bool Ordinal, ScaleDirection Direction, AnswerOption[] Options, ScaleCollapse[] Collapses, AnswerOption[] OtherCodes)? BuildScale(ScaleDto scale, string where, List<string> errors)
    {
        var options = scale.Options ?? [];
        if (options.Count < 2)
        {
            errors.Add($"{where}.options: expected at least 2 options, found {options.Count}");
            return null;
        }
        var errorCount = errors.Count;
        var codes = new HashSet<int>();
        foreach (var (option, i) in options.Select((o, i) => (o, i)))
        {
            if (option.Code is null)
            {
                errors.Add($"{where}.options[{i}].code: expected an answer code");
            }
            else if (option.Code < 0)
            {
                errors.Add($"{where}.options[{i}].code: {option.Code} is negative; negative codes are missing values, never options");
            }
            else if (!codes.Add(option.Code.Value))
            {
                errors.Add($"{where}.options[{i}].code: code {option.Code} appears more than once");
            }
            if (string.IsNullOrWhiteSpace(option.Label))
            {
                errors.Add($"{where}.options[{i}].label: expected a label");
            }
            CheckNote(option, $"{where}.options[{i}]", errors);
        }

        var ordinal = scale.Ordinal ?? true;
        var direction = ScaleDirection.None;
        var ranks = new int?[options.Count];
        if (!ordinal)
        {
            if (scale.Direction is not null)
            {
                errors.Add($"{where}.direction: a nominal scale has no direction");
            }
            if (options.Any(o => o.Rank is not null))
            {
                errors.Add($"{where}.options: a nominal scale's options carry no rank");
            }
        }
        else
        {
            direction = (scale.Direction ?? "").ToLowerInvariant() switch
            {
                "ascending" => ScaleDirection.Ascending,
                "descending" => ScaleDirection.Descending,
                "custom" => ScaleDirection.Custom,
                _ => ScaleDirection.None,
            };
            if (direction == ScaleDirection.None)
            {
                errors.Add($"{where}.direction: expected ascending, descending or custom for an ordinal scale, found '{scale.Direction}'");
                return null;
            }
            var k = options.Count;
            for (var i = 0; i < k; i++)
            {
                int? implied = direction switch
                {
                    ScaleDirection.Ascending => i,
                    ScaleDirection.Descending => k - 1 - i,
                    _ => null,
                };
                var given = options[i].Rank;
                if (given is not null && implied is not null && given != implied)
                {
                    errors.Add($"{where}.options[{i}].rank: {given} contradicts direction {scale.Direction} (expected {implied})");
                }
                ranks[i] = given ?? implied;
                if (ranks[i] is null)
                {
                    errors.Add($"{where}.options[{i}].rank: direction custom needs an explicit rank on every option");
                }
            }
            var present = ranks.Where(r => r is not null).Select(r => r!.Value).ToArray();
            if (present.Length == k && !present.Order().SequenceEqual(Enumerable.Range(0, k)))
            {
                errors.Add($"{where}.options: ranks must be a permutation of 0..{k - 1}, found [{string.Join(", ", present)}]");
            }
        }

        var built = options.Select((o, i) => new AnswerOption(
            o.Code ?? -1,
            o.Label ?? "",
            ordinal ? ranks[i] : null,
            ordinal && ranks[i] is { } r ? SurveyQuestion.ScoreForRank(r, options.Count) : null) { Note = o.Note }).ToArray();

        var collapses = new List<ScaleCollapse>();
        foreach (var (collapse, ci) in (scale.Collapses ?? []).Select((c, i) => (c, i)))
        {
            var cwhere = $"{where}.collapses[{ci}]";
            if (!ordinal || options.Count != 10)
            {
                errors.Add($"{cwhere}: collapses are only defined for 10-point ordinal scales");
                continue;
            }
            var groups = collapse.Groups ?? [];
            if (collapse.Size != groups.Count)
            {
                errors.Add($"{cwhere}.size: {collapse.Size} does not match the {groups.Count} groups given");
            }
            var covered = groups.SelectMany(g => g.Codes ?? []).ToList();
            if (covered.Count != codes.Count || !covered.ToHashSet().SetEquals(codes))
            {
                errors.Add($"{cwhere}.groups: the groups must cover every option code exactly once");
                continue;
            }
            // Groups must be contiguous runs in semantic order, listed low -> high, or the collapsed scale has no meaning.
            var rankOf = built.ToDictionary(o => o.Code, o => o.Rank ?? -1);
            var expectedRank = 0;
            foreach (var group in groups)
            {
                var groupRanks = (group.Codes ?? []).Select(c => rankOf[c]).Order().ToArray();
                if (groupRanks.Length == 0 || groupRanks[0] != expectedRank || groupRanks[^1] != expectedRank + groupRanks.Length - 1)
                {
                    errors.Add($"{cwhere}.groups: group '{group.Label}' is not the next contiguous run of the scale, listed from low to high");
                    break;
                }
                expectedRank += groupRanks.Length;
            }
            collapses.Add(new ScaleCollapse(collapse.Size ?? groups.Count, groups.Select(g => new CollapseGroup(g.Label ?? "", g.Codes ?? [])).ToArray()));
        }
        var others = new List<AnswerOption>();
        foreach (var (other, oi) in (scale.OtherCodes ?? []).Select((o, i) => (o, i)))
        {
            if (other.Code is null or < 0 || codes.Contains(other.Code.Value) || others.Any(o => o.Code == other.Code))
            {
                errors.Add($"{where}.otherCodes[{oi}].code: expected a non-negative code that is not an option and not listed twice, found '{other.Code}'");
                continue;
            }
            if (other.Rank is not null)
            {
                errors.Add($"{where}.otherCodes[{oi}]: other codes are not on the scale and carry no rank");
            }
            CheckNote(other, $"{where}.otherCodes[{oi}]", errors);
            others.Add(new AnswerOption(other.Code.Value, other.Label ?? "", null, null) { Note = other.Note });
        }
        return errors.Count > errorCount ? null : (ordinal, direction, built, collapses.ToArray(), others.ToArray());
    }

    private static void CheckNote(OptionDto option, string where, List<string> errors)
    {
        if (option.Note is not null && string.IsNullOrWhiteSpace(option.Note))
        {
            errors.Add($"{where}.note: expected the reason the label reads as it does, or leave the field out");
        }
    }

    /// <summary>A code names a column of a survey file: letters, digits, '_' and '.', starting with a letter.</summary>
    private static bool IsCode(string code) =>
        code.Length <= 64 && char.IsAsciiLetter(code[0]) && code.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.');

    private sealed class BankDocument
    {
        public int Version { get; set; }
        public string? Language { get; set; }
        public SurveyDto? Survey { get; set; }
        public Dictionary<string, List<string>>? Sets { get; set; }
        public List<CategoryDto>? Categories { get; set; }
        public Dictionary<string, ScaleDto>? Scales { get; set; }
        public List<ItemDto>? Items { get; set; }
    }

    private sealed class SurveyDto
    {
        public string? Id { get; set; }
        public string? Name { get; set; }
        public string? ShortName { get; set; }
        public string? ReferenceCountry { get; set; }
        public string? DefaultSet { get; set; }
        public string? CountsSource { get; set; }
        public string? LabelSource { get; set; }
    }

    private sealed class SetsDocument
    {
        public Dictionary<string, List<string>>? Sets { get; set; }
    }

    private sealed class CategoryDto
    {
        public string? Id { get; set; }
        public string? Title { get; set; }
        public int? First { get; set; }
        public int? Last { get; set; }
        public int? PaperCount { get; set; }
    }

    private sealed class ScaleDto
    {
        public List<OptionDto>? OtherCodes { get; set; }
        public bool? Ordinal { get; set; }
        public string? Direction { get; set; }
        public List<OptionDto>? Options { get; set; }
        public List<CollapseDto>? Collapses { get; set; }
    }

    private sealed class OptionDto
    {
        public int? Code { get; set; }
        public string? Label { get; set; }
        public int? Rank { get; set; }
        public string? Note { get; set; }
    }

    private sealed class CollapseDto
    {
        public int? Size { get; set; }
        public List<GroupDto>? Groups { get; set; }
    }

    private sealed class GroupDto
    {
        public string? Label { get; set; }
        public List<int>? Codes { get; set; }
    }

    private sealed class ItemDto
    {
        public string? Code { get; set; }
        public string? Category { get; set; }
        public string? Text { get; set; }
        public string? Scale { get; set; }
        public bool? Ordinal { get; set; }
        public string? Direction { get; set; }
        public List<OptionDto>? Options { get; set; }
        public List<OptionDto>? OtherCodes { get; set; }
        public List<CollapseDto>? Collapses { get; set; }
        public Dictionary<int, string?>? LabelNotes { get; set; }
    }
}
