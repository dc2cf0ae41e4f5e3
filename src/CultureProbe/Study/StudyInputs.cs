using System.Text.Json.Serialization;

namespace CultureProbe.Study;

/// <summary>
/// One judged model response of the multilingual study ("Multilingual != Multicultural",
/// Rystrøm, Kirk &amp; Hale 2025): the share of the opinions in the response that the judge
/// labelled "pro" for its topic.
/// </summary>
/// <param name="Model">Model id, e.g. <c>gpt-4o</c>, <c>OLMo-2-1124-7B-Instruct</c>, <c>Baseline_uniform_random</c>.</param>
/// <param name="Family">Model family, e.g. <c>openai</c>, <c>gemma</c>, <c>olmo</c>, <c>Baseline</c>.</param>
/// <param name="Template">Prompt template type, e.g. <c>survey_hypothetical</c>.</param>
/// <param name="PromptLanguage">Language of the prompt (ISO 639-1).</param>
/// <param name="ResponseLanguage">Language the response is written in, as the judge saw it.</param>
/// <param name="Topic">Survey item key; stored lower-case because response and population files spell keys differently (<c>f120</c>, <c>F120</c>).</param>
/// <param name="ProScore">#pro / (#pro + #con) of the judged opinions, in [0, 1].</param>
public sealed record StudyResponse(string Model, string Family, string Template, string PromptLanguage, string ResponseLanguage, string Topic, double ProScore)
{
    private readonly string _topic = TopicKey.Normalize(Topic);

    /// <summary>Survey item key, lower-case.</summary>
    public string Topic { get => _topic; init => _topic = TopicKey.Normalize(value); }
}

/// <summary>What kind of population a survey share describes.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PopulationKind>))]
public enum PopulationKind
{
    /// <summary>All respondents of the survey together.</summary>
    [JsonStringEnumMemberName("global")]
    Global,

    /// <summary>All respondents interviewed in one language, across countries.</summary>
    [JsonStringEnumMemberName("language")]
    Language,

    /// <summary>The respondents of one country.</summary>
    [JsonStringEnumMemberName("country")]
    Country,
}

/// <summary>The weighted share of "pro" answers to one survey item in one population.</summary>
/// <param name="Population">Population code: <c>global</c>, a language code (<c>da</c>) or a country code (<c>US</c>).</param>
/// <param name="Kind">Which kind of population it is.</param>
/// <param name="Topic">Survey item key; stored lower-case.</param>
/// <param name="ProShare">Weighted pro share in [0, 1].</param>
/// <param name="Language">
/// The population's language: the language itself for a language population, the country's
/// dominant interview language for a country (what makes it "native" for a response language),
/// null for the global population.
/// </param>
public sealed record PopulationShare(string Population, PopulationKind Kind, string Topic, double ProShare, string? Language)
{
    private readonly string _topic = TopicKey.Normalize(Topic);

    /// <summary>Survey item key, lower-case.</summary>
    public string Topic { get => _topic; init => _topic = TopicKey.Normalize(value); }
}

/// <summary>One benchmark result of a model in one language (the released <c>multilingual_benchmarks.csv</c> layout).</summary>
/// <param name="Model">The model as the benchmark table names it: a display name ("Gemma-2 2B") or an id ("gpt-4o").</param>
/// <param name="Benchmark">Benchmark name, e.g. <c>MMLU (5-shot)</c>.</param>
/// <param name="Language">Language code (ISO 639-1); the reader maps English names (Danish, Dutch, …) to codes.</param>
/// <param name="Score">Score in percent, as the table gives it.</param>
/// <param name="Family">Model family as the table gives it, or null.</param>
public sealed record BenchmarkScore(string Model, string Benchmark, string Language, double Score, string? Family)
{
    /// <summary>Where the row's model name was read (<c>file:line:column (column model)</c>), for messages about it; null for rows built in code.</summary>
    public string? ModelSource { get; init; }

    /// <summary>Equal scores are equal wherever they were read: <see cref="ModelSource"/> is not part of the value.</summary>
    public bool Equals(BenchmarkScore? other) => other is not null && Model == other.Model && Benchmark == other.Benchmark
        && Language == other.Language && Score.Equals(other.Score) && Family == other.Family;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Model, Benchmark, Language, Score, Family);
}

/// <summary>A human self-consistency reference for one country (the released <c>gt_self_consistency.csv</c>, or computed by <see cref="HumanConsistency"/>).</summary>
/// <param name="Country">Country code.</param>
/// <param name="SelfConsistency">Correlation between the pro shares of random small samples of the country's respondents, pooled over items.</param>
/// <param name="Items">Items the value was computed over; null when it was read from a file.</param>
public sealed record HumanReference(string Country, double SelfConsistency, int? Items = null);

/// <summary>One respondent's valid answer to one survey item, binarised.</summary>
/// <param name="Country">Country code.</param>
/// <param name="Topic">Survey item key; stored lower-case.</param>
/// <param name="Weight">Survey weight (the authors use gwght × pwght), &gt; 0.</param>
/// <param name="IsPro">Whether the answer is on the item's "pro" side.</param>
public sealed record RespondentAnswer(string Country, string Topic, double Weight, bool IsPro)
{
    private readonly string _topic = TopicKey.Normalize(Topic);

    /// <summary>Survey item key, lower-case.</summary>
    public string Topic { get => _topic; init => _topic = TopicKey.Normalize(value); }
}

/// <summary>Everything the study's statistics read.</summary>
/// <param name="Responses">Judged responses of every model, baselines included as rows of their own.</param>
/// <param name="Populations">Population shares of every kind (global, language, country); a kind without rows is skipped.</param>
/// <param name="Benchmarks">Multilingual capability scores (for RQ1); may be empty.</param>
/// <param name="HumanReferences">Per-country human self-consistency read from a file; may be empty.</param>
/// <param name="Respondents">Per-respondent answers from which the human reference is computed; may be empty.</param>
/// <param name="Warnings">What the readers dropped or noticed (e.g. responses without a score).</param>
public sealed record StudyInputs(
    IReadOnlyList<StudyResponse> Responses,
    IReadOnlyList<PopulationShare> Populations,
    IReadOnlyList<BenchmarkScore> Benchmarks,
    IReadOnlyList<HumanReference> HumanReferences,
    IReadOnlyList<RespondentAnswer> Respondents,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Inputs with only responses and populations.</summary>
    public StudyInputs(IReadOnlyList<StudyResponse> responses, IReadOnlyList<PopulationShare> populations)
        : this(responses, populations, [], [], [], [])
    {
    }
}

/// <summary>Survey item keys are compared case-insensitively: the released response files use <c>f120</c>, the population files <c>F120</c>.</summary>
internal static class TopicKey
{
    public static string Normalize(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return topic.Trim().ToLowerInvariant();
    }
}
