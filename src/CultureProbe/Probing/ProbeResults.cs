using System.Text.Json.Serialization;
using CultureProbe.Analysis;
using CultureProbe.Models;
using CultureProbe.Prompts;

namespace CultureProbe.Probing;

/// <summary>
/// How a figure was made: every number in the results carries one of these, so two figures
/// are only compared when they were made the same way. A field that does not apply (the
/// prompt of distributions given to <c>analyze</c>) is null, never a placeholder word.
/// </summary>
/// <param name="ScoringMethod">How option probabilities were obtained when every model shares one; null when the models differ (each model says its own in <see cref="ModelInfo.ScoringMethod"/>).</param>
/// <param name="Normalisation">Length normalisation of log-likelihoods; null when no model was scored by log-likelihood.</param>
/// <param name="TemplateId">Prompt template id; null when no prompt was asked.</param>
/// <param name="TemplateSha256">Hash of everything that shapes the template's prompts.</param>
/// <param name="AnswerFormat">How answers were written after the prompt; null when no prompt was asked.</param>
/// <param name="Language">Prompt language (ISO 639-1); null when no prompt was asked.</param>
/// <param name="Chat">Whether any model's prompts went through its chat template (see <see cref="ModelInfo.UsedChatTemplate"/>).</param>
/// <param name="OptionOrders">The orders the options were listed in (<c>original</c>, <c>reversed</c>, <c>rotations</c>, <c>random:N</c>); null when no prompt was asked.</param>
/// <param name="MinValidMass">Items whose probability on the answers fell below this are flagged; null when no prompt was asked.</param>
public sealed record MethodInfo(
    ScoringMethod? ScoringMethod,
    LikelihoodNormalization? Normalisation,
    string? TemplateId,
    string? TemplateSha256,
    AnswerFormat? AnswerFormat,
    string? Language,
    bool Chat,
    string? OptionOrders = null,
    double? MinValidMass = null);

/// <summary>A model as the results know it.</summary>
/// <param name="Id">Short id used in every table (unique within a run).</param>
/// <param name="Source">GGUF path, or endpoint + model name.</param>
/// <param name="Sha256">File hash of a local model; null for remote ones.</param>
/// <param name="Backend">The backend that ran it (llama, vllm, tgi, ...); null for distributions made elsewhere.</param>
/// <param name="Family">Model family from its card, when known.</param>
/// <param name="ParametersBillions">Parameter count in billions, when known.</param>
/// <param name="IsChat">Chat (instruction-tuned) or base, when known.</param>
/// <param name="TrainingTokensTrillions">Training tokens in trillions, when known.</param>
/// <param name="CorpusNotes">Training-corpus notes from the model card.</param>
/// <param name="BaseModelId">For a chat model, the id of its base model in the same run (Figure 4 pairs).</param>
/// <param name="Synthetic">True for the demo's random model: its numbers mean nothing.</param>
/// <param name="ScoringMethod">How this model's option probabilities were obtained.</param>
/// <param name="UsedChatTemplate">Whether prompts went through the model's chat template.</param>
/// <param name="Fingerprint">Everything that decided the model's numbers, as the backend named it (file hash, KV cache type, served name, deployment, sampling settings, …).</param>
public sealed record ModelInfo(
    string Id,
    string Source,
    string? Sha256,
    string? Backend,
    ScoringMethod ScoringMethod,
    bool UsedChatTemplate,
    string? Family = null,
    double? ParametersBillions = null,
    bool? IsChat = null,
    double? TrainingTokensTrillions = null,
    string? CorpusNotes = null,
    string? BaseModelId = null,
    bool Synthetic = false,
    IReadOnlyDictionary<string, string>? Fingerprint = null);

/// <summary>One question asked about one country of one model, with both distributions.</summary>
/// <param name="Model">Model id.</param>
/// <param name="Country">ISO alpha-3 code (or group name in <c>analyze</c>).</param>
/// <param name="Question">Item code.</param>
/// <param name="Category">Theme id of the item.</param>
/// <param name="Codes">Answer codes in option order, as text: <c>3</c>, or <c>1+2+3</c> for a group of a collapsed scale.</param>
/// <param name="Labels">Option labels, same order.</param>
/// <param name="ModelShares">p_k: the model's normalised probabilities.</param>
/// <param name="HumanShares">r_k: the population's weighted shares over the scale's options.</param>
/// <param name="Scores">s_k: option scores over [-1, 1].</param>
/// <param name="ModelMean">Σ p_k s_k.</param>
/// <param name="HumanMean">Σ r_k s_k.</param>
/// <param name="JsAlignment">1 − Jensen–Shannon distance (base 2).</param>
/// <param name="Wasserstein">Wasserstein-1 over the ordinal scale, normalised to [0, 1].</param>
/// <param name="ModelTopCode">The model's most likely answer.</param>
/// <param name="HumanTopCode">The population's most chosen answer.</param>
/// <param name="Orders">Option orders the item was asked in (p is their mean, mapped back to the answer codes).</param>
/// <param name="FirstListedShare">Mean over orders of the probability on whichever option was listed first (1/K for no position bias); NaN when not measured.</param>
/// <param name="OrderJsDistance">Mean Jensen–Shannon distance (base 2) between the orders' distributions over the codes; NaN with one order.</param>
/// <param name="ValidMass">Probability the model put on the K answers together before normalising over them (mean over orders); NaN when the method does not say.</param>
/// <param name="HumanEffectiveN">Kish effective sample size of the population's answers, (Σw)²/Σw²; NaN when unknown.</param>
public sealed record ItemResult(
    string Model,
    string Country,
    string Question,
    string Category,
    IReadOnlyList<string> Codes,
    IReadOnlyList<string> Labels,
    IReadOnlyList<double> ModelShares,
    IReadOnlyList<double> HumanShares,
    IReadOnlyList<double> Scores,
    double ModelMean,
    double HumanMean,
    double JsAlignment,
    double Wasserstein,
    string ModelTopCode,
    string HumanTopCode,
    int Orders = 1,
    double FirstListedShare = double.NaN,
    double OrderJsDistance = double.NaN,
    double ValidMass = double.NaN,
    double HumanEffectiveN = double.NaN)
{
    /// <summary>Whether the model's top answer is the population's.</summary>
    public bool TopMatch => ModelTopCode == HumanTopCode;
}

/// <summary>What the countries of an <see cref="AlignmentRow"/> have in common.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GroupKind>))]
public enum GroupKind
{
    /// <summary>One country: correlation across its questions, with bootstrap intervals.</summary>
    [JsonStringEnumMemberName("country")]
    Country,

    /// <summary>One question category: the mean of per-country correlations over that category's questions.</summary>
    [JsonStringEnumMemberName("category")]
    Category,

    /// <summary>The countries of one continent: the mean of their correlations.</summary>
    [JsonStringEnumMemberName("continent")]
    Continent,

    /// <summary>Western or non-Western countries (see the country table's rule): the mean of their correlations.</summary>
    [JsonStringEnumMemberName("western")]
    Western,

    /// <summary>Every country of the run: the mean of their correlations.</summary>
    [JsonStringEnumMemberName("all")]
    All,
}

/// <summary>Correlation of model and human mean scores across questions, with the baselines beside it.</summary>
/// <param name="Model">Model id.</param>
/// <param name="GroupKind">What the group's countries share.</param>
/// <param name="Group">The group's key: ISO code, category id, continent, <see cref="AlignmentTable.Western"/> or <see cref="AlignmentTable.NonWestern"/>, or <see cref="AlignmentTable.All"/>.</param>
/// <param name="NQuestions">Questions that entered the correlation.</param>
/// <param name="Pearson">Pearson r (for aggregate groups: the mean of per-country r).</param>
/// <param name="Spearman">Spearman ρ (for aggregate groups: the mean of per-country ρ).</param>
/// <param name="PearsonCiLow">Bootstrap 95% CI over questions, lower bound (countries only).</param>
/// <param name="PearsonCiHigh">Upper bound.</param>
/// <param name="MeanJsAlignment">Mean 1 − JSD over the group's items.</param>
/// <param name="MeanWasserstein">Mean normalised W1 over the group's items.</param>
/// <param name="TopMatchRate">Share of items whose top answer matches.</param>
/// <param name="PearsonPooled">Baseline: the pooled all-country distribution in place of the model.</param>
/// <param name="PearsonShuffled">Baseline: another country's population in place of the model.</param>
/// <param name="JsAlignmentUniform">Baseline: 1 − JSD of uniform answers.</param>
/// <param name="JsAlignmentPooled">Baseline: 1 − JSD of the pooled distribution.</param>
/// <param name="JsAlignmentShuffled">Baseline: 1 − JSD of another country's population.</param>
/// <param name="NCountries">Countries averaged over (aggregate groups), or 1.</param>
/// <param name="MeanFirstListedShare">Mean over the group's items of the probability on the first-listed option (position bias; 1/K is none).</param>
/// <param name="MeanOrderJsDistance">Mean over the group's items of the Jensen–Shannon distance between option orders; NaN with one order.</param>
/// <param name="MeanValidMass">Mean over the group's items of the probability on the answers before normalising; NaN when not measured.</param>
/// <param name="LowMassItems">Items whose probability on the answers fell below the run's threshold.</param>
/// <param name="NoiseCeiling">The human noise ceiling: the r a model equal to the population's true means could expect, given each question's sampling error (Kish effective n); NaN when not estimable. Aggregate rows: the mean over countries.</param>
/// <param name="SmallSampleAgreement">Mean r between two independent samples of 10 of the country's respondents across the same questions (after Rystrøm et al.); aggregate rows: the mean over countries.</param>
public sealed record AlignmentRow(
    string Model,
    GroupKind GroupKind,
    string Group,
    int NQuestions,
    double Pearson,
    double Spearman,
    double PearsonCiLow,
    double PearsonCiHigh,
    double MeanJsAlignment,
    double MeanWasserstein,
    double TopMatchRate,
    double PearsonPooled,
    double PearsonShuffled,
    double JsAlignmentUniform,
    double JsAlignmentPooled,
    double JsAlignmentShuffled,
    int NCountries = 1,
    double MeanFirstListedShare = double.NaN,
    double MeanOrderJsDistance = double.NaN,
    double MeanValidMass = double.NaN,
    int LowMassItems = 0,
    double NoiseCeiling = double.NaN,
    double SmallSampleAgreement = double.NaN);

/// <summary>Where a run's inputs came from.</summary>
/// <param name="SurveySource">Survey file name.</param>
/// <param name="SurveySha256">Survey file hash.</param>
/// <param name="WeightVariable">Weight used when importing; null when the population's shares were given as they are.</param>
/// <param name="SyntheticSurvey">Whether the survey data is synthetic.</param>
/// <param name="QuestionBankSha256">Hash of the question bank.</param>
/// <param name="ProgramVersion">CultureProbe version.</param>
/// <param name="CreatedAt">When the results were computed (UTC).</param>
/// <param name="Seed">Seed of bootstraps and shuffles.</param>
public sealed record RunProvenance(
    string SurveySource,
    string SurveySha256,
    string? WeightVariable,
    bool SyntheticSurvey,
    string QuestionBankSha256,
    string ProgramVersion,
    DateTimeOffset CreatedAt,
    int Seed);

/// <summary>Everything a finished run computed; written as <c>results.json</c> and read by reports.</summary>
public sealed record ProbeResults(
    int SchemaVersion,
    RunProvenance Provenance,
    MethodInfo Method,
    IReadOnlyList<ModelInfo> Models,
    IReadOnlyList<ItemResult> Items,
    IReadOnlyList<AlignmentRow> Alignment)
{
    /// <summary>
    /// The results.json schema this build writes. Version 2 (this one) writes a field that does not apply as null
    /// where version 1 wrote a placeholder word (<c>mixed</c>, <c>external</c>, <c>as given</c>).
    /// </summary>
    public const int CurrentSchemaVersion = 2;
}
