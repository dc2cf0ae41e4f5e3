namespace CultureProbe.Surveys;

/// <summary>What a bank is a bank of: the survey's names and the facts analyses need about it.</summary>
/// <param name="Id">Short identifier, e.g. <c>wvs7</c>.</param>
/// <param name="Name">Full name shown in reports, e.g. <c>World Values Survey, wave 7</c>.</param>
/// <param name="ShortName">Short name for titles and tables, e.g. <c>WVS-7</c>.</param>
/// <param name="ReferenceCountry">The population the country-cued study contrasts every language's own with (the paper's USA); null when the bank names none.</param>
/// <param name="DefaultSet">The set asked when no <c>--questions</c> is given.</param>
/// <param name="CountsSource">Whose item counts <see cref="QuestionCategory.PaperCount"/> holds (e.g. a paper's table), shown beside the bank's own counts.</param>
public sealed record SurveyInfo(string Id, string Name, string ShortName, string? ReferenceCountry, string DefaultSet, string? CountsSource)
{
    /// <summary>
    /// The reference the answer labels were checked against, naming its version (for WVS-7, the codebook of a data
    /// release); null when the bank names none. <see cref="AnswerOption.Note"/> says where a label follows it after a
    /// change or differs from it on purpose.
    /// </summary>
    public string? LabelSource { get; init; }
}

/// <summary>A theme of the bank. When it has a numeric range, its items' code numbers must lie in it.</summary>
/// <param name="Id">Stable identifier used by items, e.g. <c>ethics</c>.</param>
/// <param name="Title">The theme's name.</param>
/// <param name="FirstQuestion">First code number of the theme (e.g. 176 for Q176), or null when the theme has no range.</param>
/// <param name="LastQuestion">Last code number of the theme, or null.</param>
/// <param name="PaperCount">Items a reference study used from this theme (see <see cref="SurveyInfo.CountsSource"/>); null when none or not used.</param>
public sealed record QuestionCategory(string Id, string Title, int? FirstQuestion, int? LastQuestion, int? PaperCount)
{
    /// <summary>The range as text, e.g. <c>Q176–Q198</c>, or empty when the theme has none.</summary>
    public string RangeText(string prefix) => FirstQuestion is { } first && LastQuestion is { } last ? $"{prefix}{first}–{prefix}{last}" : "";
}

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
public sealed record AnswerOption(int Code, string Label, int? Rank, double? Score)
{
    /// <summary>
    /// Why the label reads as it does against <see cref="SurveyInfo.LabelSource"/>: that it was changed to the source's
    /// wording, or kept different from it and why; null when the label is an ordinary short wording of the source's
    /// category. A translation keeps the English label's note.
    /// </summary>
    public string? Note { get; init; }
}

/// <summary>A group of adjacent options in a collapsed scale.</summary>
public sealed record CollapseGroup(string Label, IReadOnlyList<int> Codes);

/// <summary>
/// An optional coarser version of a 10-point scale (e.g. Kim &amp; Baek's
/// "Never justifiable / Neutral / Justifiable"); groups are listed low → high.
/// </summary>
public sealed record ScaleCollapse(int Size, IReadOnlyList<CollapseGroup> Groups);

/// <summary>A survey item.</summary>
/// <param name="Code">Variable code as the survey file names it, e.g. <c>Q177</c> or <c>ppltrst</c>.</param>
/// <param name="Number">The code's trailing number (177 for Q177), or the item's position in the bank when the code ends in none.</param>
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
/// The validated question bank: the survey it belongs to, categories, items and named question sets.
/// Load it with <see cref="QuestionBankLoader"/>. A bank never changes once loaded: adding sets gives a new bank.
/// </summary>
public sealed class QuestionBank
{
    /// <summary>Name of the set holding every item.</summary>
    public const string AllSetName = "all";

    /// <summary>Name of the WVS-7 bank's set matching Kim &amp; Baek's 12 categories (all themes but Economic values).</summary>
    public const string Paper12SetName = "paper-12";

    private readonly Dictionary<string, SurveyQuestion> _byCode;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<SurveyQuestion>> _sets;

    internal QuestionBank(SurveyInfo survey, IReadOnlyList<QuestionCategory> categories, IReadOnlyList<SurveyQuestion> questions, string sha256, string language,
        IReadOnlyDictionary<string, IReadOnlyList<SurveyQuestion>> sets)
    {
        Survey = survey;
        Categories = categories;
        Questions = questions;
        Sha256 = sha256;
        Language = language;
        _byCode = questions.ToDictionary(q => q.Code, StringComparer.OrdinalIgnoreCase);
        _sets = new Dictionary<string, IReadOnlyList<SurveyQuestion>>(sets, StringComparer.OrdinalIgnoreCase) { [AllSetName] = questions };
    }

    /// <summary>The survey this bank belongs to.</summary>
    public SurveyInfo Survey { get; }

    /// <summary>Themes in bank order.</summary>
    public IReadOnlyList<QuestionCategory> Categories { get; }

    /// <summary>Items in bank order.</summary>
    public IReadOnlyList<SurveyQuestion> Questions { get; }

    /// <summary>SHA-256 of the bank's source text, for provenance.</summary>
    public string Sha256 { get; }

    /// <summary>Language of the texts and labels (ISO 639-1).</summary>
    public string Language { get; }

    /// <summary>The same bank with translated questions (same codes, ranks, scores and sets).</summary>
    internal QuestionBank WithQuestions(IReadOnlyList<SurveyQuestion> questions, string language)
    {
        var byCode = questions.ToDictionary(q => q.Code, StringComparer.OrdinalIgnoreCase);
        var sets = _sets.Where(s => s.Key != AllSetName).ToDictionary(s => s.Key, s => (IReadOnlyList<SurveyQuestion>)s.Value.Select(q => byCode[q.Code]).ToArray());
        return new(Survey, Categories, questions, Sha256, language, sets);
    }

    /// <summary>A new bank with <paramref name="sets"/> added; their names must not clash with existing ones.</summary>
    /// <exception cref="InputException">A name is already a set.</exception>
    public QuestionBank WithSets(IReadOnlyDictionary<string, IReadOnlyList<SurveyQuestion>> sets, string source)
    {
        ArgumentNullException.ThrowIfNull(sets);
        var combined = new Dictionary<string, IReadOnlyList<SurveyQuestion>>(_sets, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, questions) in sets)
        {
            if (!combined.TryAdd(name, questions))
            {
                throw new InputException($"{source}: set '{name}' already exists; choose another name");
            }
        }
        combined.Remove(AllSetName);
        return new(Survey, Categories, Questions, Sha256, Language, combined);
    }

    /// <summary>Names of the sets, built-in and user-defined.</summary>
    public IReadOnlyCollection<string> SetNames => _sets.Keys.ToArray();

    /// <summary>The item with this code, or null.</summary>
    public SurveyQuestion? Find(string code) => _byCode.GetValueOrDefault(code);

    /// <summary>The item with this code; bad input when unknown.</summary>
    public SurveyQuestion Get(string code) =>
        Find(code) ?? throw new InputException($"unknown question code '{code}': expected a code of the {Survey.ShortName} bank such as {string.Join(" or ", Questions.Take(2).Select(q => q.Code))}");

    /// <summary>The category with this id.</summary>
    public QuestionCategory GetCategory(string id) => Categories.First(c => c.Id == id);

    /// <summary>The named set; bad input when unknown.</summary>
    public IReadOnlyList<SurveyQuestion> GetSet(string name) =>
        _sets.TryGetValue(name, out var set)
            ? set
            : throw new InputException($"unknown question set '{name}': expected one of {string.Join(", ", _sets.Keys.Order(StringComparer.Ordinal))}");

    /// <summary>
    /// Resolves a selection: a set name, or a comma-separated list of codes, ranges
    /// (<c>Q177-Q195</c>: codes with the same prefix and a number in the range) and category ids.
    /// The result is in bank order without duplicates.
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

    /// <summary>A code's prefix and trailing number: <c>Q177</c> → (<c>Q</c>, 177), <c>ppltrst</c> → (<c>ppltrst</c>, null).</summary>
    public static (string Prefix, int? Number) CodeParts(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var digits = code.Length;
        while (digits > 0 && char.IsAsciiDigit(code[digits - 1]))
        {
            digits--;
        }
        return digits < code.Length && digits > 0 && int.TryParse(code.AsSpan(digits), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? (code[..digits], number)
            : (code, null);
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
        if (Find(part) is { } single)
        {
            return [single];
        }
        var dash = part.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0)
        {
            var (firstPrefix, first) = CodeParts(part[..dash].Trim());
            var (lastPrefix, last) = CodeParts(part[(dash + 1)..].Trim());
            if (first is null || last is null || !firstPrefix.Equals(lastPrefix, StringComparison.OrdinalIgnoreCase))
            {
                throw new InputException($"question range '{part}': expected two codes with the same prefix and a number, such as {RangeExample()}");
            }
            if (last < first)
            {
                throw new InputException($"question range '{part}' runs backwards");
            }
            // Both ends must lie within the bank's codes of that prefix, as a single code must exist: Q1-Q99999 is a typo.
            var numbers = Questions.Select(q => CodeParts(q.Code)).Where(c => c.Prefix.Equals(firstPrefix, StringComparison.OrdinalIgnoreCase) && c.Number is not null).Select(c => c.Number!.Value).ToArray();
            if (numbers.Length == 0 || first < numbers.Min() || last > numbers.Max())
            {
                throw new InputException(numbers.Length == 0
                    ? $"question range '{part}': the bank has no codes starting with '{firstPrefix}'"
                    : $"question range '{part}' reaches beyond the bank's items ({firstPrefix}{numbers.Min()}–{firstPrefix}{numbers.Max()})");
            }
            return Questions.Where(q => CodeParts(q.Code) is var (prefix, number) && number >= first && number <= last && prefix.Equals(firstPrefix, StringComparison.OrdinalIgnoreCase));
        }
        return [Get(part)];
    }

    private string RangeExample()
    {
        var numbered = Questions.Where(q => CodeParts(q.Code).Number is not null).Take(2).ToArray();
        return numbered.Length == 2 ? $"{numbered[0].Code}-{numbered[1].Code}" : "Q1-Q9";
    }
}
