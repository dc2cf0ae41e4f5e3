using MathNet.Numerics.Distributions;

namespace CultureProbe.Study;

/// <summary>
/// The authors' two reference "models" (<c>analyse_hypotheses.py</c>): copies of the first
/// model's rows (same languages, topics, templates and row order) with random pro scores, so the
/// baselines meet exactly the prompts a real model met.
/// </summary>
/// <remarks>
/// For runs that generate their own responses. Analyses of the released files must use the
/// baseline rows in the file: the authors drew them without a seed, so they cannot be redrawn.
/// </remarks>
public static class StudyBaselines
{
    /// <summary>The uniform-random baseline: pro score ~ U(0, 1) per row. The reference model of the US-bias regression.</summary>
    public const string UniformRandom = "Baseline_uniform_random";

    /// <summary>The fifty-percent baseline: pro score ~ N(0.5, 0.01²) per row, clipped to [0, 1].</summary>
    public const string FiftyPercent = "Baseline_fifty_percent";

    /// <summary>The family the baselines are given.</summary>
    public const string Family = "Baseline";

    /// <summary>
    /// The two baselines' rows, copied from the rows of the first model in
    /// <paramref name="responses"/> (file order) with seeded random scores: first every uniform
    /// row, then every fifty-percent row, each drawn from one <see cref="Random"/>(<paramref name="seed"/>) in that order.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="responses"/> is empty.</exception>
    public static IReadOnlyList<StudyResponse> Create(IReadOnlyList<StudyResponse> responses, int seed)
    {
        ArgumentNullException.ThrowIfNull(responses);
        if (responses.Count == 0)
        {
            throw new ArgumentException("baselines copy the first model's rows, but there are no responses", nameof(responses));
        }
        var template = responses.Where(r => r.Model == responses[0].Model).ToArray();
        var random = new Random(seed);
        var result = new List<StudyResponse>(2 * template.Length);
        foreach (var row in template)
        {
            result.Add(row with { Model = UniformRandom, Family = Family, ProScore = random.NextDouble() });
        }
        foreach (var row in template)
        {
            result.Add(row with { Model = FiftyPercent, Family = Family, ProScore = Math.Clamp(Normal.Sample(random, 0.5, 0.01), 0.0, 1.0) });
        }
        return result;
    }

    /// <summary><paramref name="responses"/> followed by the two baselines (see <see cref="Create"/>).</summary>
    public static IReadOnlyList<StudyResponse> AddTo(IReadOnlyList<StudyResponse> responses, int seed) => [.. responses, .. Create(responses, seed)];
}
