namespace CultureProbe.Surveys;

/// <summary>One of the official WVS-7 themes, with its inclusive Q-number range.</summary>
/// <param name="Id">Stable identifier used by items, e.g. <c>ethics</c>.</param>
/// <param name="Title">The theme's name as the codebook gives it.</param>
/// <param name="FirstQuestion">First Q-number of the theme.</param>
/// <param name="LastQuestion">Last Q-number of the theme.</param>
/// <param name="PaperCount">Items Kim &amp; Baek (2024, Table 2) used from this theme; null when the theme is not among their 12.</param>
public sealed record QuestionCategory(string Id, string Title, int FirstQuestion, int LastQuestion, int? PaperCount);

/// <summary>How the native answer codes relate to the semantic low → high order.</summary>
public enum ScaleDirection
{
    /// <summary>The item is nominal: no order, no scores.</summary>
    None,

    /// <summary>Code order runs from the low pole to the high pole.</summary>
    Ascending,

    /// <summary>Code order runs from the high pole to the low pole.</summary>
    Descending,

    /// <summary>Each option states its semantic rank (codes are not in semantic order).</summary>
    Custom,
}

/// <summary>An answer option in native code order.</summary>
/// <param name="Code">The answer code used in the survey file.</param>
/// <param name="Label">A short label in the project's own words.</param>
/// <param name="Rank">Semantic position, 0 = low pole; null for nominal items.</param>
/// <param name="Score">Evenly spaced score over [-1, 1] in semantic order; null for nominal items.</param>
public sealed record AnswerOption(int Code, string Label, int? Rank, double? Score);

/// <summary>A group of adjacent options in a collapsed scale.</summary>
public sealed record CollapseGroup(string Label, IReadOnlyList<int> Codes);

/// <summary>
/// An optional coarser version of a 10-point scale (e.g. Kim &amp; Baek's
/// "Never justifiable / Neutral / Justifiable"); groups are listed low → high.
/// </summary>
public sealed record ScaleCollapse(int Size, IReadOnlyList<CollapseGroup> Groups);

/// <summary>A WVS-7 value item.</summary>
/// <param name="Code">Variable code, e.g. <c>Q177</c>.</param>
/// <param name="Number">The numeric part of the code.</param>
/// <param name="CategoryId">The theme it belongs to.</param>
/// <param name="Text">A short question in the project's own words.</param>
/// <param name="IsOrdinal">Whether options carry an order and scores.</param>
/// <param name="Direction">How code order relates to semantic order.</param>
/// <param name="Options">Options in native code order.</param>
/// <param name="Collapses">Optional coarser scales (10-point items only).</param>
/// <param name="ScaleName">The shared scale it uses, when it uses one.</param>
public sealed record SurveyQuestion(
    string Code,
    int Number,
    string CategoryId,
    string Text,
    bool IsOrdinal,
    ScaleDirection Direction,
    IReadOnlyList<AnswerOption> Options,
    IReadOnlyList<ScaleCollapse> Collapses,
    string? ScaleName)
{
    /// <summary>
    /// Codes that occur in the data but are not answers on the scale (e.g. "not allowed to vote").
    /// Imports keep them; analyses leave them out and renormalise over <see cref="Options"/>.
    /// </summary>
    public IReadOnlyList<AnswerOption> OtherCodes { get; init; } = [];

    /// <summary>The option with this code, or null.</summary>
    public AnswerOption? FindOption(int code)
    {
        foreach (var option in Options)
        {
            if (option.Code == code)
            {
                return option;
            }
        }
        return null;
    }

    /// <summary>Evenly spaced score for a semantic rank among <paramref name="optionCount"/> options.</summary>
    public static double ScoreForRank(int rank, int optionCount) =>
        optionCount < 2 ? 0.0 : ((2.0 * rank) - (optionCount - 1)) / (optionCount - 1);
}

/// <summary>
/// The validated question bank: categories, items and named question sets.
/// Load it with <see cref="QuestionBankLoader"/>.
/// </summary>
public sealed class QuestionBank
{
    /// <summary>Name of the set holding every item.</summary>
    public const string AllSetName = "all";

    /// <summary>Name of the set matching Kim &amp; Baek's 12 categories (all themes but Economic values).</summary>
    public const string Paper12SetName = "paper-12";

    private readonly Dictionary<string, SurveyQuestion> _byCode;
    private readonly Dictionary<string, IReadOnlyList<SurveyQuestion>> _sets;

    internal QuestionBank(IReadOnlyList<QuestionCategory> categories, IReadOnlyList<SurveyQuestion> questions, string sha256, string language = "en")
    {
        Categories = categories;
        Questions = questions;
        Sha256 = sha256;
        Language = language;
        _byCode = questions.ToDictionary(q => q.Code, StringComparer.OrdinalIgnoreCase);
        var paperCategories = categories.Where(c => c.PaperCount is not null).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        _sets = new Dictionary<string, IReadOnlyList<SurveyQuestion>>(StringComparer.OrdinalIgnoreCase)
        {
            [AllSetName] = questions,
            [Paper12SetName] = questions.Where(q => paperCategories.Contains(q.CategoryId)).ToArray(),
        };
    }

    /// <summary>Themes in codebook order.</summary>
    public IReadOnlyList<QuestionCategory> Categories { get; }

    /// <summary>Items in code order.</summary>
    public IReadOnlyList<SurveyQuestion> Questions { get; }

    /// <summary>SHA-256 of the bank's source text, for provenance.</summary>
    public string Sha256 { get; }

    /// <summary>Language of the texts and labels (ISO 639-1).</summary>
    public string Language { get; }

    /// <summary>The same bank with translated questions (same codes, ranks and scores).</summary>
    internal QuestionBank WithQuestions(IReadOnlyList<SurveyQuestion> questions, string language) => new(Categories, questions, Sha256, language);

    /// <summary>Names of the sets, built-in and user-defined.</summary>
    public IReadOnlyCollection<string> SetNames => _sets.Keys;

    /// <summary>The item with this code, or null.</summary>
    public SurveyQuestion? Find(string code) => _byCode.GetValueOrDefault(code);

    /// <summary>The item with this code; bad input when unknown.</summary>
    public SurveyQuestion Get(string code) =>
        Find(code) ?? throw new InputException($"unknown question code '{code}': expected a code from the question bank such as Q1 or Q177");

    /// <summary>The category with this id.</summary>
    public QuestionCategory GetCategory(string id) => Categories.First(c => c.Id == id);

    /// <summary>The named set; bad input when unknown.</summary>
    public IReadOnlyList<SurveyQuestion> GetSet(string name) =>
        _sets.TryGetValue(name, out var set)
            ? set
            : throw new InputException($"unknown question set '{name}': expected one of {string.Join(", ", _sets.Keys.Order(StringComparer.Ordinal))}");

    /// <summary>
    /// Resolves a selection: a set name, or a comma-separated list of codes, ranges
    /// (<c>Q177-Q195</c>) and category ids. The result is in bank order without duplicates.
    /// </summary>
    public IReadOnlyList<SurveyQuestion> Select(string selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        if (_sets.TryGetValue(selection.Trim(), out var named))
        {
            return named;
        }
        var chosen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var rawPart in selection.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            foreach (var question in ResolvePart(rawPart))
            {
                chosen.Add(question.Code);
            }
        }
        if (chosen.Count == 0)
        {
            throw new InputException($"question selection '{selection}' selects no items");
        }
        return Questions.Where(q => chosen.Contains(q.Code)).ToArray();
    }

    /// <summary>Adds user-defined sets; names must not clash with existing ones.</summary>
    public void AddSets(IReadOnlyDictionary<string, IReadOnlyList<SurveyQuestion>> sets, string source)
    {
        ArgumentNullException.ThrowIfNull(sets);
        foreach (var (name, questions) in sets)
        {
            if (_sets.ContainsKey(name))
            {
                throw new InputException($"{source}: set '{name}' already exists; choose another name");
            }
            _sets[name] = questions;
        }
    }

    private IEnumerable<SurveyQuestion> ResolvePart(string part)
    {
        if (_sets.TryGetValue(part, out var set))
        {
            return set;
        }
        if (Categories.Any(c => c.Id.Equals(part, StringComparison.OrdinalIgnoreCase)))
        {
            return Questions.Where(q => q.CategoryId.Equals(part, StringComparison.OrdinalIgnoreCase));
        }
        var dash = part.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0)
        {
            var first = ParseNumber(part[..dash], part);
            var last = ParseNumber(part[(dash + 1)..], part);
            if (last < first)
            {
                throw new InputException($"question range '{part}' runs backwards");
            }
            return Questions.Where(q => q.Number >= first && q.Number <= last);
        }
        return [Get(part)];
    }

    private static int ParseNumber(string code, string part)
    {
        var digits = code.Trim().TrimStart('Q', 'q');
        return int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new InputException($"question range '{part}': expected codes like Q177-Q195, found '{code}'");
    }
}
