using Microsoft.VisualBasic.FileIO;
using System.Globalization;

namespace CultureProbe.Tests.Surveys;

/// <summary>
/// The test oracle for imports: reads a WVS-layout CSV with the BCL's TextFieldParser (a parser
/// that shares no code with CultureProbe's) and computes weighted shares the plain way:
/// share(code) = Σ weights of rows answering code / Σ weights of rows with any non-negative code.
/// </summary>
public static class IndependentShares
{
    public sealed record Share(string Country, string Question, int Code, double Value, long Count);

    public static List<Share> Compute(string path, IEnumerable<string> questions, string? weightColumn)
    {
        using var parser = new TextFieldParser(path) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        var header = parser.ReadFields()!.Select(h => h.Trim().TrimStart('\uFEFF')).ToList();
        var countryIndex = header.IndexOf("B_COUNTRY_ALPHA");
        var weightIndex = weightColumn is null ? -1 : header.IndexOf(weightColumn);
        var questionIndex = questions.Where(header.Contains).ToDictionary(q => q, header.IndexOf);
        var weights = new Dictionary<(string, string, int), (double W, long N)>();
        var totals = new Dictionary<(string, string), double>();
        while (!parser.EndOfData)
        {
            var fields = parser.ReadFields()!;
            var weight = weightIndex < 0 ? 1.0 : double.Parse(fields[weightIndex], CultureInfo.InvariantCulture);
            foreach (var (question, index) in questionIndex)
            {
                var raw = fields[index].Trim();
                if (raw.Length == 0)
                {
                    continue;
                }
                var code = (int)double.Parse(raw, CultureInfo.InvariantCulture);
                if (code < 0)
                {
                    continue;
                }
                var key = (fields[countryIndex], question, code);
                var current = weights.GetValueOrDefault(key);
                weights[key] = (current.W + weight, current.N + 1);
                totals[(fields[countryIndex], question)] = totals.GetValueOrDefault((fields[countryIndex], question)) + weight;
            }
        }
        return weights.Select(kv => new Share(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Value.W / totals[(kv.Key.Item1, kv.Key.Item2)], kv.Value.N)).ToList();
    }
}
