namespace CultureProbe.Probing;

/// <summary>
/// How a figure was made: every number in the results carries one of these, so two figures
/// are only compared when they were made the same way.
/// </summary>
/// <param name="ScoringMethod">How option probabilities were obtained when every model shares one (else <c>mixed</c>), e.g. <c>loglik-local</c>, <c>loglik-prompt-logprobs</c>, <c>chat-top-logprobs</c>, <c>chat-sampling</c>, or <c>external</c> for <c>analyze</c>.</param>
/// <param name="Normalisation">none, per-token or per-byte.</param>
/// <param name="TemplateId">Prompt template id.</param>
/// <param name="TemplateSha256">Hash of the template text.</param>
/// <param name="AnswerFormat">letter+text, text or letter.</param>
/// <param name="Language">Prompt language (ISO 639-1).</param>
/// <param name="Chat">Whether any model's prompts went through its chat template (see <see cref="ModelInfo.UsedChatTemplate"/>).</param>
public sealed record MethodInfo(
    string ScoringMethod,
    string Normalisation,
    string TemplateId,
    string? TemplateSha256,
    string AnswerFormat,
    string Language,
    bool Chat);

/// <summary>A model as the results know it.</summary>
/// <param name="Id">Short id used in every table (unique within a run).</param>
/// <param name="Source">GGUF path, or endpoint + model name.</param>
/// <param name="Sha256">File hash of a local model; null for remote ones.</param>
/// <param name="Backend">llama, openai-completions, vllm, tgi, sglang, chat-logprobs, chat-sample, external.</param>
/// <param name="Family">Model family from its card, when known.</param>
/// <param name="ParametersBillions">Parameter count in billions, when known.</param>
/// <param name="IsChat">Chat (instruction-tuned) or base, when known.</param>
/// <param name="TrainingTokensTrillions">Training tokens in trillions, when known.</param>
/// <param name="CorpusNotes">Training-corpus notes from the model card.</param>
/// <param name="BaseModelId">For a chat model, the id of its base model in the same run (Figure 4 pairs).</param>
/// <param name="Synthetic">True for the demo's random model: its numbers mean nothing.</param>
/// <param name="ScoringMethod">How this model's option probabilities were obtained (see <see cref="MethodInfo.ScoringMethod"/>).</param>
/// <param name="UsedChatTemplate">Whether prompts went through the model's chat template.</param>
public sealed record ModelInfo(
    string Id,
    string Source,
    string? Sha256,
    string Backend,
    string ScoringMethod,
    bool UsedChatTemplate,
    string? Family = null,
    double? ParametersBillions = null,
    bool? IsChat = null,
    double? TrainingTokensTrillions = null,
    string? CorpusNotes = null,
    string? BaseModelId = null,
    bool Synthetic = false);

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
    string HumanTopCode)
{
    /// <summary>Whether the model's top answer is the population's.</summary>
    public bool TopMatch => ModelTopCode == HumanTopCode;
}

/// <summary>Correlation of model and human mean scores across questions, with the baselines beside it.</summary>
/// <param name="Model">Model id.</param>
/// <param name="GroupKind">country, category, continent, western or all.</param>
/// <param name="Group">The group's key: ISO code, category id, continent, "Western"/"non-Western", or "all".</param>
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
public sealed record AlignmentRow(
    string Model,
    string GroupKind,
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
    int NCountries = 1);

/// <summary>Where a run's inputs came from.</summary>
/// <param name="SurveySource">Survey file name.</param>
/// <param name="SurveySha256">Survey file hash.</param>
/// <param name="WeightVariable">Weight used when importing.</param>
/// <param name="SyntheticSurvey">Whether the survey data is synthetic.</param>
/// <param name="QuestionBankSha256">Hash of the question bank.</param>
/// <param name="ProgramVersion">CultureProbe version.</param>
/// <param name="CreatedAt">When the results were computed (UTC).</param>
/// <param name="Seed">Seed of bootstraps and shuffles.</param>
public sealed record RunProvenance(
    string SurveySource,
    string SurveySha256,
    string WeightVariable,
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
    /// <summary>The results.json schema this build writes.</summary>
    public const int CurrentSchemaVersion = 1;
}
