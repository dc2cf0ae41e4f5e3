using System.Globalization;
using CultureProbe.IO;
using CultureProbe.Surveys;

namespace CultureProbe.Probing;

/// <summary>
/// Distributions produced elsewhere (another tool's model answers, published population
/// figures), in long CSV form, turned into compared items so that <c>analyze</c> applies the
/// same metrics, tables and report as a run.
/// </summary>
/// <remarks>
/// Human rows are <c>group,question,code,share[,score]</c>; model rows are
/// <c>model,group,question,code,share</c>. Rows repeating a (model, group, question, code)
/// (several samples or templates) are averaged; each distribution is then normalised to sum
/// to 1. Values are summed in sorted order, so the result does not depend on row order and
/// equal inputs stay equal. Scores come from the <c>score</c> column, else from the question
/// bank, else are spread evenly over the item's sorted codes.
/// </remarks>
public sealed class ExternalDistributions
{
    private readonly QuestionBank _bank;

    /// <summary>Creates a reader that looks up unknown scores in <paramref name="bank"/>.</summary>
    public ExternalDistributions(QuestionBank bank) => _bank = bank;

    /// <summary>Problems that did not stop the analysis (e.g. items skipped).</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>Reads both files and returns one compared item per (model, group, question) present on both sides.</summary>
    public IReadOnlyList<ComparedItem> Read(string humanPath, string modelPath)
    {
        var humanRows = ReadRows(humanPath, ["group", "question", "code", "share"], ["score"], hasModel: false);
        var modelRows = ReadRows(modelPath, ["model", "group", "question", "code", "share"], [], hasModel: true);

        var human = Distributions(humanRows.Select(r => ((string?)null, r.Group, r.Question, r.Code, r.Share)));
        var model = Distributions(modelRows.Select(r => ((string?)r.Model, r.Group, r.Question, r.Code, r.Share)));
        var givenScores = new Dictionary<(string Question, string Code), double>();
        foreach (var row in humanRows.Where(r => r.Score is not null))
        {
            if (givenScores.TryGetValue((row.Question, row.Code), out var existing) && existing != row.Score)
            {
                throw new InputException($"{humanPath}:{row.Line}: score {row.Score} of {row.Question} code {row.Code} differs from {existing} given earlier; one score per (question, code)");
            }
            givenScores[(row.Question, row.Code)] = row.Score!.Value;
        }

        // Every group of a question is compared over the same codes (those seen anywhere, on either side), so that a
        // code nobody chose in one country counts there as a share of 0 rather than shortening that country's scale.
        var codesOfQuestion = human.Concat(model).GroupBy(d => d.Key.Item3, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.SelectMany(d => d.Value.Keys).Distinct(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
        var items = new List<ComparedItem>();
        foreach (var ((modelName, group, question), modelShares) in model.OrderBy(m => m.Key.Item1, StringComparer.Ordinal).ThenBy(m => m.Key.Item2, StringComparer.Ordinal).ThenBy(m => m.Key.Item3, StringComparer.Ordinal))
        {
            if (!human.TryGetValue((null, group, question), out var humanShares))
            {
                Warnings.Add($"{modelName} {group} {question}: no human distribution; left out");
                continue;
            }
            var codes = codesOfQuestion[question].ToList();
            var bankQuestion = _bank.Find(question);
            codes.Sort((a, b) => CompareCodes(a, b));
            var scores = ScoresFor(question, codes, bankQuestion, givenScores);
            if (scores is null)
            {
                Warnings.Add($"{modelName} {group} {question}: no scores (nominal item without a score column); left out");
                continue;
            }
            var ranks = ComparedItem.RanksOfScores(scores);
            var labels = codes.Select(c => bankQuestion is not null && int.TryParse(c, CultureInfo.InvariantCulture, out var n) ? bankQuestion.FindOption(n)?.Label ?? c : c).ToArray();
            items.Add(new ComparedItem(modelName!, group, question, bankQuestion?.CategoryId ?? "other", codes, labels,
                codes.Select(c => modelShares.GetValueOrDefault(c)).ToArray(),
                codes.Select(c => humanShares.GetValueOrDefault(c)).ToArray(),
                scores, ranks));
        }
        return items;
    }

    private static int CompareCodes(string a, string b)
    {
        var numericA = double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var x);
        var numericB = double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var y);
        return numericA && numericB ? x.CompareTo(y) : numericA ? -1 : numericB ? 1 : string.CompareOrdinal(a, b);
    }

    private double[]? ScoresFor(string question, List<string> codes, SurveyQuestion? bankQuestion, Dictionary<(string, string), double> given)
    {
        if (codes.All(c => given.ContainsKey((question, c))))
        {
            return codes.Select(c => given[(question, c)]).ToArray();
        }
        if (bankQuestion is not null)
        {
            if (!bankQuestion.IsOrdinal)
            {
                return null;
            }
            var fromBank = codes.Select(c => int.TryParse(c, CultureInfo.InvariantCulture, out var n) ? bankQuestion.FindOption(n)?.Score : null).ToArray();
            if (fromBank.All(s => s is not null))
            {
                return fromBank.Select(s => s!.Value).ToArray();
            }
            Warnings.Add($"{question}: codes {string.Join(", ", codes)} are not all options of the bank's item; scores spread evenly over the sorted codes instead");
        }
        return codes.Count < 2 ? null : codes.Select((_, i) => ((2.0 * i) - (codes.Count - 1)) / (codes.Count - 1)).ToArray();
    }

    /// <summary>Averages repeated rows and normalises each distribution, summing in sorted order.</summary>
    private static Dictionary<(string?, string, string), Dictionary<string, double>> Distributions(IEnumerable<(string? Model, string Group, string Question, string Code, double Share)> rows)
    {
        var averaged = rows.GroupBy(r => (r.Model, r.Group, r.Question, r.Code))
            .Select(g =>
            {
                var values = g.Select(r => r.Share).Order().ToArray();
                return (g.Key, Mean: RoundToSignificant(SortedSum(values) / values.Length));
            });
        var result = new Dictionary<(string?, string, string), Dictionary<string, double>>();
        foreach (var cell in averaged.GroupBy(x => (x.Key.Model, x.Key.Group, x.Key.Question)))
        {
            var total = SortedSum(cell.Select(c => c.Mean).Order().ToArray());
            if (total <= 0)
            {
                continue;
            }
            result[(cell.Key.Model, cell.Key.Group, cell.Key.Question)] = cell.ToDictionary(c => c.Key.Code, c => RoundToSignificant(c.Mean / total), StringComparer.Ordinal);
        }
        return result;
    }

    /// <summary>
    /// Rounds to 15 significant digits. Averages and quotients of values that are equal in exact
    /// arithmetic can differ in the last bit ((0.2 + 0.4) / 2 is 0.30000000000000004, not 0.3);
    /// 15 digits is the precision a double always holds, so this removes that noise, and only that.
    /// </summary>
    internal static double RoundToSignificant(double value) =>
        double.IsFinite(value) && value != 0 ? double.Parse(value.ToString("G15", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : value;

    private static double SortedSum(double[] sortedValues)
    {
        var sum = 0.0;
        foreach (var value in sortedValues)
        {
            sum += value;
        }
        return sum;
    }

    private sealed record Row(long Line, string? Model, string Group, string Question, string Code, double Share, double? Score);

    private static List<Row> ReadRows(string path, string[] required, string[] optional, bool hasModel)
    {
        CultureProbe.IO.InputFiles.RejectFolder(path);
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: file not found");
        }
        var name = Path.GetFileName(path);
        using var stream = File.OpenRead(path);
        using var reader = new DelimitedRecordReader(stream, name);
        reader.DetectDelimiter();
        if (!reader.ReadRecord())
        {
            throw new InputException($"{name}:1: the file is empty (expected the header {string.Join(',', required)}{string.Concat(optional.Select(o => $"[,{o}]"))})");
        }
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            index.TryAdd(reader.FieldText(i).Trim(), i);
        }
        foreach (var column in required)
        {
            if (!index.ContainsKey(column))
            {
                throw new InputException($"{name}:1: missing required column '{column}' (expected the header {string.Join(',', required)}{string.Concat(optional.Select(o => $"[,{o}]"))})");
            }
        }
        var scoreIndex = index.GetValueOrDefault("score", -1);
        var fieldCount = reader.FieldCount;
        var rows = new List<Row>();
        while (reader.ReadRecord())
        {
            if (reader.FieldCount != fieldCount)
            {
                throw InputException.At(name, reader.LineNumber, null, null, $"expected {fieldCount} fields as in the header, found {reader.FieldCount}");
            }
            string Text(string column)
            {
                var value = reader.FieldText(index[column]).Trim();
                return value.Length > 0 ? value : throw InputException.At(name, reader.LineNumber, index[column] + 1, column, "expected a value, found an empty field");
            }
            double Number(int field, string column)
            {
                var text = reader.FieldText(field).Trim();
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
                    ? value
                    : throw InputException.At(name, reader.LineNumber, field + 1, column, $"expected a number, found '{text}'");
            }
            var share = Number(index["share"], "share");
            if (share < 0)
            {
                throw InputException.At(name, reader.LineNumber, index["share"] + 1, "share", $"expected a non-negative share, found {share.ToString(CultureInfo.InvariantCulture)}");
            }
            double? score = scoreIndex >= 0 && reader.FieldText(scoreIndex).Trim().Length > 0 ? Number(scoreIndex, "score") : null;
            var code = Text("code");
            if (double.TryParse(code, NumberStyles.Float, CultureInfo.InvariantCulture, out var numeric) && numeric == Math.Floor(numeric) && Math.Abs(numeric) < 1e9)
            {
                // "3" and "3.0" name the same code.
                code = ((long)numeric).ToString(CultureInfo.InvariantCulture);
            }
            rows.Add(new Row(reader.LineNumber, hasModel ? Text("model") : null, Text("group"), Text("question"), code, share, score));
        }
        return rows;
    }
}
