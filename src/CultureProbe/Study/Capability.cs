namespace CultureProbe.Study;

/// <summary>A model's multilingual capability in one language: the plain mean of its benchmark scores / 100.</summary>
/// <param name="Model">Model id as the responses name it.</param>
/// <param name="Language">Language code.</param>
/// <param name="Score">Mean benchmark score as a fraction (the authors' <c>multilingual</c> regressor).</param>
/// <param name="Benchmarks">Benchmark rows averaged.</param>
public sealed record ModelCapability(string Model, string Language, double Score, int Benchmarks);

/// <summary>
/// Aggregates benchmark scores into <see cref="ModelCapability"/> as the authors did
/// (<c>plot_multilingual_benchmarks.py</c>): rows whose benchmark name contains "ENEM" are left out,
/// then the plain mean of the scores per (model, language) is divided by 100. No other normalisation.
/// </summary>
public static class CapabilityTable
{
    /// <summary>The benchmark the authors leave out (the ENEM exam, present only for some models).</summary>
    public const string ExcludedBenchmark = "ENEM";

    /// <summary>Aggregates <paramref name="scores"/> for the models named in <paramref name="modelIds"/>.</summary>
    /// <param name="scores">Benchmark rows; model names are display names or ids.</param>
    /// <param name="modelIds">The model ids of the responses that benchmark names are matched to.</param>
    /// <param name="explicitNames">Optional display name → model id (case-insensitive names), consulted before the matching rule.</param>
    /// <param name="warnings">Receives one line per benchmark model that matches no response model.</param>
    /// <exception cref="InputException">A display name matches two model ids, or an explicit mapping names an id without responses.</exception>
    public static IReadOnlyList<ModelCapability> Aggregate(IReadOnlyList<BenchmarkScore> scores, IReadOnlyCollection<string> modelIds,
        IReadOnlyDictionary<string, string>? explicitNames, ICollection<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(modelIds);
        ArgumentNullException.ThrowIfNull(warnings);
        var matcher = new ModelNameMatcher(modelIds, explicitNames);
        var cells = new Dictionary<(string Model, string Language), List<double>>();
        var unmatched = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var row in scores)
        {
            if (row.Benchmark.Contains(ExcludedBenchmark, StringComparison.Ordinal))
            {
                continue;
            }
            string? id;
            try
            {
                id = matcher.Match(row.Model);
            }
            catch (InputException e) when (row.ModelSource is not null)
            {
                throw new InputException($"{row.ModelSource}: {e.Message}", e);
            }
            if (id is null)
            {
                unmatched.Add(row.Model);
                continue;
            }
            var key = (id, row.Language);
            if (!cells.TryGetValue(key, out var list))
            {
                list = [];
                cells[key] = list;
            }
            list.Add(row.Score);
        }
        foreach (var name in unmatched)
        {
            warnings.Add($"benchmark model '{name}' matches no model of the responses; its scores are not used");
        }
        return cells
            .OrderBy(c => c.Key.Model, StringComparer.Ordinal).ThenBy(c => c.Key.Language, StringComparer.Ordinal)
            .Select(c => new ModelCapability(c.Key.Model, c.Key.Language, Mean(c.Value) / 100.0, c.Value.Count))
            .ToArray();
    }

    // Left to right, then divided by the count, as pandas' mean does for a handful of values.
    private static double Mean(List<double> values)
    {
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += v;
        }
        return sum / values.Count;
    }
}

/// <summary>
/// Matches the model names of a benchmark table ("GPT-4o", "Gemma-2 2B", "OLMo-2 7B",
/// "GPT-3.5 Turbo") to response model ids (gpt-4o, gemma-2-2b-it, OLMo-2-1124-7B-Instruct,
/// gpt-3.5-turbo-0125).
/// </summary>
/// <remarks>
/// The rule, tried in order:
/// <list type="number">
/// <item>an explicit mapping (display name → id, names compared case-insensitively);</item>
/// <item>an id equal to the name, case-insensitively;</item>
/// <item>the ids whose tokens include every token of the name, where tokens are the
/// lower-cased pieces between '-', ' ' and '_' ("Gemma-2 2B" → gemma, 2, 2b ⊆ gemma, 2, 2b, it).
/// One such id is the match; two or more are an error naming them, since guessing between
/// e.g. a 2b and a 2b-it model would silently misattribute scores.</item>
/// </list>
/// A name matching nothing has no model in the responses.
/// </remarks>
public sealed class ModelNameMatcher
{
    private static readonly char[] Separators = ['-', ' ', '_'];
    private readonly IReadOnlyCollection<string> _ids;
    private readonly IReadOnlyDictionary<string, string>? _explicit;

    /// <summary>Creates a matcher over <paramref name="modelIds"/>.</summary>
    /// <exception cref="InputException">The explicit mapping names an id that is not among <paramref name="modelIds"/>.</exception>
    public ModelNameMatcher(IReadOnlyCollection<string> modelIds, IReadOnlyDictionary<string, string>? explicitNames = null)
    {
        ArgumentNullException.ThrowIfNull(modelIds);
        _ids = modelIds;
        if (explicitNames is not null)
        {
            var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, id) in explicitNames)
            {
                if (!modelIds.Contains(id, StringComparer.Ordinal))
                {
                    throw new InputException($"model name mapping: '{name}' maps to '{id}', which is not a model of the responses (models: {string.Join(", ", modelIds.Order(StringComparer.Ordinal))})");
                }
                map[name.Trim()] = id;
            }
            _explicit = map;
        }
    }

    /// <summary>The model id <paramref name="name"/> stands for, or null.</summary>
    /// <exception cref="InputException">Several ids match by tokens.</exception>
    public string? Match(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var trimmed = name.Trim();
        if (_explicit is not null && _explicit.TryGetValue(trimmed, out var mapped))
        {
            return mapped;
        }
        var exact = _ids.Where(id => string.Equals(id, trimmed, StringComparison.OrdinalIgnoreCase)).ToArray();
        if (exact.Length == 1)
        {
            return exact[0];
        }
        if (exact.Length > 1)
        {
            throw new InputException($"benchmark model '{name}' equals several model ids up to case: {string.Join(" and ", exact.Order(StringComparer.Ordinal))} (give an explicit model name mapping)");
        }
        var tokens = Tokens(trimmed);
        if (tokens.Count == 0)
        {
            return null;
        }
        var candidates = _ids.Where(id => tokens.IsSubsetOf(Tokens(id))).Order(StringComparer.Ordinal).ToArray();
        return candidates.Length switch
        {
            0 => null,
            1 => candidates[0],
            _ => throw new InputException($"benchmark model '{name}' matches several model ids: {string.Join(" and ", candidates)} (give an explicit model name mapping)"),
        };
    }

    private static HashSet<string> Tokens(string text) =>
        text.Split(Separators, StringSplitOptions.RemoveEmptyEntries).Select(t => t.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
}
