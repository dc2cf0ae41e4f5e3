using System.Globalization;
using System.Text.Json;

namespace CultureProbe.Surveys;

/// <summary>
/// Checks a survey pack's JSON before it is used. Every later step assumes what is checked here (one distribution per
/// cell, shares that are probabilities summing to 1, distinct codes), so a pack edited by hand or written by another
/// tool is refused with every problem listed, each with its country and question, instead of being renormalised or
/// dropped silently further on. The check walks the JSON rather than the deserialised records because a missing share
/// and a share of 0 deserialise to the same number.
/// </summary>
public static class SurveyPackValidator
{
    /// <summary>How far the shares of one distribution may sum from 1: importers write sums within 1e-12; 1e-6 leaves room for a file rounded to six decimals.</summary>
    public const double ShareSumTolerance = 1e-6;

    /// <summary>Most problems listed in one message; the count of the rest follows.</summary>
    public const int MaxListedProblems = 20;

    /// <summary>Checks the <c>pack</c> body of a pack file and throws one <see cref="InputException"/> listing every problem.</summary>
    public static void Check(JsonElement pack, string path)
    {
        var problems = Problems(pack);
        if (problems.Count > 0)
        {
            throw new InputException(Message(path, problems));
        }
    }

    /// <summary>Checks that every question of the pack is in <paramref name="bank"/>: a pack imported with another bank would otherwise be compared item by item with the wrong questions.</summary>
    public static void CheckQuestions(SurveyPack pack, QuestionBank bank, string path)
    {
        ArgumentNullException.ThrowIfNull(pack);
        ArgumentNullException.ThrowIfNull(bank);
        var unknown = pack.Distributions.Select(d => d.Question).Concat(pack.NotAsked.Select(n => n.Question))
            .Distinct(StringComparer.Ordinal).Where(q => bank.Find(q) is null).Order(StringComparer.Ordinal).ToArray();
        if (unknown.Length > 0)
        {
            throw new InputException(Message(path, unknown.Select(q => $"question {q} is not in the question bank ({bank.Survey.Name}); import the survey with the bank it was made with (--bank)").ToList()));
        }
    }

    private static string Message(string path, IReadOnlyList<string> problems)
    {
        var listed = problems.Take(MaxListedProblems).Select(p => "\n  " + p);
        var more = problems.Count > MaxListedProblems ? $"\n  … and {problems.Count - MaxListedProblems} more" : "";
        return $"{path}: the survey pack has {problems.Count} problem(s); import the survey again or fix the file:{string.Concat(listed)}{more}";
    }

    /// <summary>Every problem of a pack body, in file order.</summary>
    public static IReadOnlyList<string> Problems(JsonElement pack)
    {
        var problems = new List<string>();
        if (pack.ValueKind != JsonValueKind.Object)
        {
            problems.Add("\"pack\" must be a JSON object");
            return problems;
        }
        var countries = CheckProvenance(pack, problems);
        if (!TryArray(pack, "distributions", problems, out var distributions))
        {
            return problems;
        }
        var seen = new HashSet<(string, string)>();
        var index = 0;
        foreach (var distribution in distributions.EnumerateArray())
        {
            CheckDistribution(distribution, index++, countries, seen, problems);
        }
        if (TryArray(pack, "not_asked", problems, out var notAsked))
        {
            index = 0;
            foreach (var cell in notAsked.EnumerateArray())
            {
                var where = $"not_asked[{index++}]";
                var country = Text(cell, "country", where, problems);
                var question = Text(cell, "question", where, problems);
                if (country is not null && question is not null && seen.Contains((country, question)))
                {
                    problems.Add($"{country} {question}: listed both with a distribution and as not asked");
                }
            }
        }
        if (pack.TryGetProperty("warnings", out var warnings) && warnings.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null))
        {
            problems.Add("\"warnings\" must be an array of strings");
        }
        return problems;
    }

    private static HashSet<string>? CheckProvenance(JsonElement pack, List<string> problems)
    {
        if (!pack.TryGetProperty("provenance", out var provenance) || provenance.ValueKind != JsonValueKind.Object)
        {
            problems.Add("missing \"provenance\" (an object with the source file, weight and rows per country)");
            return null;
        }
        if (!provenance.TryGetProperty("source", out var source) || source.ValueKind != JsonValueKind.Object
            || !source.TryGetProperty("sha256", out var hash) || hash.ValueKind != JsonValueKind.String)
        {
            problems.Add("provenance: missing \"source\" (an object with file_name, size_bytes and sha256)");
        }
        foreach (var name in new[] { "importer", "weight_variable", "coding" })
        {
            if (!provenance.TryGetProperty(name, out var text) || text.ValueKind != JsonValueKind.String)
            {
                problems.Add($"provenance: missing \"{name}\" (expected a string)");
            }
        }
        if (!provenance.TryGetProperty("rows_per_country", out var rows) || rows.ValueKind != JsonValueKind.Object)
        {
            problems.Add("provenance: missing \"rows_per_country\" (an object of country code → rows)");
            return null;
        }
        var countries = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows.EnumerateObject())
        {
            if (!IsCountryCode(row.Name))
            {
                problems.Add($"provenance.rows_per_country: '{CultureProbe.IO.PrintableText.Of(row.Name)}' is not a country code (expected 2 to 8 letters or digits)");
            }
            countries.Add(row.Name);
        }
        return countries;
    }

    private static void CheckDistribution(JsonElement distribution, int index, HashSet<string>? countries, HashSet<(string, string)> seen, List<string> problems)
    {
        var where = $"distributions[{index}]";
        if (distribution.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{where}: expected an object with country, question, n, effective_n, weight_sum and options");
            return;
        }
        var country = Text(distribution, "country", where, problems);
        var question = Text(distribution, "question", where, problems);
        if (country is not null && question is not null)
        {
            where = $"{country} {question}";
            if (!seen.Add((country, question)))
            {
                problems.Add($"{where}: a second distribution for the same country and question");
            }
        }
        if (country is not null && !IsCountryCode(country))
        {
            problems.Add($"{where}: country '{CultureProbe.IO.PrintableText.Of(country)}' is not a country code (expected 2 to 8 letters or digits)");
        }
        else if (country is not null && countries is not null && !countries.Contains(country))
        {
            problems.Add($"{where}: country {country} is not in provenance.rows_per_country");
        }
        Number(distribution, "n", where, problems, min: 0);
        Number(distribution, "effective_n", where, problems, min: 0);
        Number(distribution, "weight_sum", where, problems, min: 0);
        if (!distribution.TryGetProperty("options", out var options) || options.ValueKind != JsonValueKind.Array)
        {
            problems.Add($"{where}: missing \"options\" (an array of code, share, count)");
            return;
        }
        if (options.GetArrayLength() == 0)
        {
            problems.Add($"{where}: \"options\" is empty; a cell nobody answered belongs in not_asked");
            return;
        }
        var codes = new HashSet<int>();
        var sum = 0.0;
        var sharesReadable = true;
        var optionIndex = 0;
        foreach (var option in options.EnumerateArray())
        {
            var optionWhere = $"{where} options[{optionIndex++}]";
            if (option.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"{optionWhere}: expected an object with code, share and count");
                sharesReadable = false;
                continue;
            }
            if (!option.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.Number || !code.TryGetInt32(out var codeValue))
            {
                problems.Add($"{optionWhere}: missing or non-integer \"code\"");
            }
            else if (!codes.Add(codeValue))
            {
                problems.Add($"{where}: code {codeValue} appears twice");
            }
            var share = Number(option, "share", optionWhere, problems, min: 0, max: 1);
            sharesReadable &= share is not null;
            sum += share ?? 0;
            Number(option, "count", optionWhere, problems, min: 0);
        }
        if (sharesReadable && Math.Abs(sum - 1) > ShareSumTolerance)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{where}: shares sum to {sum:G6}, expected 1 (±{ShareSumTolerance:G1})"));
        }
    }

    private static bool TryArray(JsonElement parent, string name, List<string> problems, out JsonElement array)
    {
        if (parent.TryGetProperty(name, out array) && array.ValueKind == JsonValueKind.Array)
        {
            return true;
        }
        problems.Add($"missing \"{name}\" (expected an array)");
        return false;
    }

    private static string? Text(JsonElement element, string name, string where, List<string> problems)
    {
        if (element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
        {
            return text;
        }
        problems.Add($"{where}: missing \"{name}\" (expected a non-empty string)");
        return null;
    }

    private static double? Number(JsonElement element, string name, string where, List<string> problems, double min, double max = double.MaxValue)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number))
        {
            problems.Add($"{where}: missing \"{name}\" (expected a number)");
            return null;
        }
        if (!double.IsFinite(number) || number < min || number > max)
        {
            var range = max == double.MaxValue ? $"≥ {min}" : $"from {min} to {max}";
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{where}: \"{name}\" is {number:G6}, expected a number {range}"));
            return null;
        }
        return number;
    }

    /// <summary>Letters and digits only: ISO alpha-3 codes, or the short codes of a survey file without them. Control characters (a NUL inside "US\0A") never pass.</summary>
    public static bool IsCountryCode(string code) =>
        code.Length is >= 2 and <= 8 && code.All(char.IsAsciiLetterOrDigit);
}
