namespace CultureProbe.Study;

/// <summary>How a synthetic model of the study answers: the chance that an interview it writes is in favour.</summary>
public enum SyntheticStance
{
    /// <summary>Follows the population interviewed in the prompt's language.</summary>
    Local,

    /// <summary>Follows the reference country's population (the US) whatever the language.</summary>
    ReferenceCountry,

    /// <summary>Follows nobody: a fixed chance per topic, unrelated to any population.</summary>
    Indifferent,
}

/// <summary>A synthetic model of the study.</summary>
/// <param name="Id">Model id.</param>
/// <param name="Stance">Whose opinions it echoes.</param>
/// <param name="Noise">Standard deviation of the normal noise added to its chance in favour, per response.</param>
public sealed record SyntheticStudyModel(string Id, SyntheticStance Stance, double Noise);

/// <summary>
/// SYNTHETIC judged responses for the demo and tests: each synthetic model "writes" ten interviews per prompt, each in
/// favour with a chance set by its stance (plus noise), and the pro score is the share in favour, as a judge would count
/// it. A few responses are marked as written in another language, as real models sometimes answer. Nothing was generated
/// by a language model; the file name and the models' family say so.
/// </summary>
public static class SyntheticStudyResponses
{
    /// <summary>The demo's three models: one that echoes each language's population, one that echoes the US, one that echoes nobody.</summary>
    public static IReadOnlyList<SyntheticStudyModel> DefaultModels { get; } =
    [
        new("synthetic-local", SyntheticStance.Local, 0.15),
        new("synthetic-us-centric", SyntheticStance.ReferenceCountry, 0.15),
        new("synthetic-indifferent", SyntheticStance.Indifferent, 0.15),
    ];

    /// <summary>The family of every synthetic model.</summary>
    public const string Family = "synthetic";

    /// <summary>Responses of <paramref name="models"/> to <paramref name="prompts"/>, <paramref name="samples"/> per prompt.</summary>
    /// <param name="models">The synthetic models.</param>
    /// <param name="prompts">The prompts (their language and topic decide the chance in favour).</param>
    /// <param name="shares">Population shares: the language populations and the reference country's.</param>
    /// <param name="referenceCountry">The country the <see cref="SyntheticStance.ReferenceCountry"/> model echoes.</param>
    /// <param name="samples">Responses per prompt.</param>
    /// <param name="seed">Seed of every draw.</param>
    public static IReadOnlyList<StudyResponse> Create(IReadOnlyList<SyntheticStudyModel> models, IReadOnlyList<StudyPrompt> prompts, IReadOnlyList<PopulationShare> shares,
        string referenceCountry, int samples, int seed)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(shares);
        var language = shares.Where(s => s.Kind == PopulationKind.Language).ToDictionary(s => (s.Population, s.Topic), s => s.ProShare);
        var reference = shares.Where(s => s.Kind == PopulationKind.Country && s.Population.Equals(referenceCountry, StringComparison.OrdinalIgnoreCase)).ToDictionary(s => s.Topic, s => s.ProShare);
        var random = new Random(seed);
        var indifferent = prompts.Select(p => p.Topic).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToDictionary(t => t, _ => 0.2 + (0.6 * random.NextDouble()));
        var responses = new List<StudyResponse>();
        foreach (var model in models)
        {
            foreach (var prompt in prompts)
            {
                var chance = model.Stance switch
                {
                    SyntheticStance.Local => language.GetValueOrDefault((prompt.Language, prompt.Topic), 0.5),
                    SyntheticStance.ReferenceCountry => reference.GetValueOrDefault(prompt.Topic, 0.5),
                    _ => indifferent[prompt.Topic],
                };
                for (var j = 0; j < samples; j++)
                {
                    var p = Math.Clamp(chance + (model.Noise * Normal(random)), 0.02, 0.98);
                    var inFavour = Enumerable.Range(0, 10).Count(_ => random.NextDouble() < p);
                    // About 3 % of responses come back in another language; the analysis drops them, as the authors did.
                    var responseLanguage = random.NextDouble() < 0.03 ? "other" : prompt.Language;
                    responses.Add(new StudyResponse(model.Id, Family, prompt.TemplateType, prompt.Language, responseLanguage, prompt.Topic, inFavour / 10.0));
                }
            }
        }
        return responses;
    }

    private static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
