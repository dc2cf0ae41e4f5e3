namespace CultureProbe.Study;

/// <summary>Alignment of one model's responses in one language with one population.</summary>
/// <param name="Model">Model id.</param>
/// <param name="Population">Population code (<c>global</c>, a language or a country).</param>
/// <param name="PopulationKind">Kind of population.</param>
/// <param name="ResponseLanguage">Response language.</param>
/// <param name="Spearman">Spearman ρ (average ranks) between each response's pro score and its topic's population share, over every response whose topic the population has. Always the full-data value.</param>
/// <param name="N">Responses correlated.</param>
/// <param name="CiLow">2.5 % percentile of the bootstrap rounds (our choice: the authors form no interval of alignment); NaN without rounds.</param>
/// <param name="CiHigh">97.5 % percentile of the bootstrap rounds; NaN without rounds.</param>
/// <param name="Rounds">Rounds in which the group had a defined value.</param>
public sealed record StudyAlignmentRow(string Model, string Population, PopulationKind PopulationKind, string ResponseLanguage, double Spearman, int N, double CiLow, double CiHigh, int Rounds);

/// <summary>Self-consistency of one model in one prompt language.</summary>
/// <param name="Model">Model id.</param>
/// <param name="Language">Prompt language.</param>
/// <param name="Point">Spearman over all ordered pairs of different responses to the same topic, pooled over topics, / (1 − judge error). All topics, no population join.</param>
/// <param name="Observed">The same without the judge-error correction.</param>
/// <param name="Pairs">Ordered pairs: Σ_topics n(n − 1).</param>
/// <param name="Responses">Responses.</param>
/// <param name="Topics">Distinct topics.</param>
/// <param name="BootstrapMean">Mean over rounds of the same statistic after redrawing all non-baseline rows with replacement (the paper's figure; duplicates pair with themselves, which raises it); NaN for baselines or without rounds.</param>
/// <param name="CiLow">2.5 % percentile of those rounds.</param>
/// <param name="CiHigh">97.5 % percentile of those rounds.</param>
/// <param name="Rounds">Rounds with a defined value.</param>
public sealed record StudyConsistencyRow(string Model, string Language, double Point, double Observed, long Pairs, int Responses, int Topics,
    double BootstrapMean, double CiLow, double CiHigh, int Rounds);

/// <summary>One group of one bootstrap round, in the layout of the authors' bootstrap file.</summary>
/// <param name="Kind">Population kind of the round's joined table.</param>
/// <param name="Round">Round number from 0.</param>
/// <param name="Model">Model id.</param>
/// <param name="Population">Population code.</param>
/// <param name="ResponseLanguage">Response language.</param>
/// <param name="Spearman">Alignment on the drawn rows.</param>
/// <param name="N">Drawn rows of the group.</param>
/// <param name="Consistency">The RQ1 consistency regressor of (model, language) on the round's drawn rows, / (1 − judge error): pairs of draw positions, so population copies and duplicates pair.</param>
public sealed record StudyBootstrapRow(PopulationKind Kind, int Round, string Model, string Population, string ResponseLanguage, double Spearman, int N, double Consistency);

/// <summary>Everything <see cref="StudyAnalysis.Run"/> computed.</summary>
/// <param name="Alignment">Point alignment with bootstrap intervals, by kind, model, population, response language.</param>
/// <param name="Consistency">Self-consistency per (model, prompt language).</param>
/// <param name="UsBias">US-centric bias from the country-level bootstrap rounds (the released table's recipe); null without country populations, the reference model or rounds.</param>
/// <param name="UsBiasPoint">The same regression on point alignments, one row per model × country × language (deterministic); null without country populations or the reference model.</param>
/// <param name="Regressions">RQ1 mixed models; empty without capability scores or rounds.</param>
/// <param name="Capability">Capability per (model, language) used by RQ1.</param>
/// <param name="HumanReferences">Human self-consistency per country as read from a file.</param>
/// <param name="HumanReferencesComputed">Human self-consistency computed from respondents.</param>
/// <param name="Rounds">Every bootstrap round's rows when <see cref="StudyAnalysisOptions.KeepRounds"/>; otherwise empty.</param>
/// <param name="Options">The settings used.</param>
/// <param name="Warnings">What was dropped or could not be computed, and why.</param>
public sealed record StudyReport(
    IReadOnlyList<StudyAlignmentRow> Alignment,
    IReadOnlyList<StudyConsistencyRow> Consistency,
    UsBiasFit? UsBias,
    UsBiasFit? UsBiasPoint,
    IReadOnlyList<CapabilityRegressionResult> Regressions,
    IReadOnlyList<ModelCapability> Capability,
    IReadOnlyList<HumanReference> HumanReferences,
    IReadOnlyList<HumanReference> HumanReferencesComputed,
    IReadOnlyList<StudyBootstrapRow> Rounds,
    StudyAnalysisOptions Options,
    IReadOnlyList<string> Warnings);
