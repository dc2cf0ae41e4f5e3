using CultureProbe.Backends;
using CultureProbe.Models;
using CultureProbe.Probing;

namespace CultureProbe.Study;

/// <summary>What the generation and judging of a study need.</summary>
/// <param name="Prompts">The prompts (every language).</param>
/// <param name="Models">The models that write responses (each must generate text).</param>
/// <param name="Judge">The model that labels the responses.</param>
/// <param name="Settings">The backends' settings for the models.</param>
/// <param name="JudgeSettings">The backends' settings for the judge (its own endpoints, key).</param>
/// <param name="Generation">How the models sample their responses.</param>
/// <param name="SamplesPerPrompt">Responses per prompt and model.</param>
/// <param name="Topics">The topics (their pro and con positions go to the judge).</param>
/// <param name="Cards">Model cards (families), matched by model id.</param>
/// <param name="StorePath">The result store; responses and judgements are kept there, so a rerun does only what is missing.</param>
/// <param name="JudgeCheckSample">Opinions labelled by people; the judge labels them too, and its agreement is measured. Empty for none.</param>
/// <param name="ConstrainJudge">Whether the judge's replies are held to <see cref="StudyJudge.Grammar"/> (llama judges only).</param>
public sealed record StudyGenerationJob(
    IReadOnlyList<StudyPrompt> Prompts,
    IReadOnlyList<ModelRequest> Models,
    ModelRequest Judge,
    BackendSettings Settings,
    BackendSettings JudgeSettings,
    GenerationSettings Generation,
    int SamplesPerPrompt,
    StudyTopicSet Topics,
    IReadOnlyList<ModelCard> Cards,
    string StorePath,
    IReadOnlyList<LabelledOpinion>? JudgeCheckSample = null,
    bool ConstrainJudge = false);

/// <summary>A judged response: what the statistics read.</summary>
/// <param name="Model">Model id.</param>
/// <param name="Family">Model family (from its card, else the id).</param>
/// <param name="Template">Template type (the shipped templates' <c>interview</c>, or the released file's type).</param>
/// <param name="PromptLanguage">The prompt's language.</param>
/// <param name="ResponseLanguage">The language the judge says the response is in (<c>other</c> for none of the study's; the prompt's when it said nothing).</param>
/// <param name="Topic">Topic key.</param>
/// <param name="ProScore">pro / (pro + con); null when no opinion took a side or the judge's reply named no label.</param>
/// <param name="ResponseKey">The stored response's key.</param>
public sealed record JudgedResponse(string Model, string Family, string Template, string PromptLanguage, string ResponseLanguage, string Topic, double? ProScore, string ResponseKey);

/// <summary>Progress of a study's generation or judging.</summary>
/// <param name="Phase"><c>generating</c> or <c>judging</c>, with the model.</param>
/// <param name="Done">Units done (prompts, or responses judged), including those found stored.</param>
/// <param name="Total">Units in the phase.</param>
public sealed record StudyProgress(string Phase, long Done, long Total);

/// <summary>What generation and judging did.</summary>
/// <param name="Responses">Every judged response of the job's prompts and models.</param>
/// <param name="Models">The models as the results name them.</param>
/// <param name="Judge">The judge as the results name it.</param>
/// <param name="Generated">Responses generated now.</param>
/// <param name="ReusedResponses">Responses found stored.</param>
/// <param name="Judged">Responses judged now.</param>
/// <param name="ReusedJudgements">Judgements found stored.</param>
/// <param name="Unparseable">Judge replies that named no label.</param>
/// <param name="FailureReasons">Why prompts or judgements failed, with counts.</param>
/// <param name="JudgeCheck">The judge's agreement with the labelled sample, or null without one.</param>
public sealed record StudyGenerationOutcome(
    IReadOnlyList<JudgedResponse> Responses,
    IReadOnlyList<ModelInfo> Models,
    ModelInfo Judge,
    long Generated,
    long ReusedResponses,
    long Judged,
    long ReusedJudgements,
    long Unparseable,
    IReadOnlyList<FailureReason> FailureReasons,
    JudgeCheck? JudgeCheck = null);

/// <summary>
/// Generates the study's responses with each model and has the judge label them, storing both as they come, so a
/// run killed at any point resumes with nothing lost or done twice. Responses are keyed by the model's fingerprint,
/// the prompt, the generation settings and the sample number; judgements by the response, the judge's fingerprint and
/// the judge prompt's version.
/// </summary>
public sealed partial class StudyRunner
{
    private readonly BackendRegistry _backends;
    private readonly TimeProvider _time;

    /// <summary>Creates a runner over <paramref name="backends"/>.</summary>
    public StudyRunner(BackendRegistry backends, TimeProvider? time = null)
    {
        _backends = backends;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Checks every setting before anything opens.</summary>
    /// <exception cref="SettingException">An unknown backend, a bad setting, or no prompt.</exception>
    public void Validate(StudyGenerationJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        SettingException.Require(job.Prompts.Count > 0, "prompts", "at least one prompt", 0);
        SettingException.Require(job.Models.Count > 0, "model", "at least one model", 0);
        SettingException.Require(job.SamplesPerPrompt is >= 1 and <= 1000, "samples_per_prompt", "1 to 1000", job.SamplesPerPrompt);
        job.Generation.Validate();
        foreach (var request in job.Models)
        {
            _backends.Get(request.Backend).Validate(new ModelSource(request.Reference, job.Settings));
        }
        _backends.Get(job.Judge.Backend).Validate(new ModelSource(job.Judge.Reference, job.JudgeSettings));
        var ids = job.Models.Select(m => m.Id ?? _backends.Get(m.Backend).DefaultModelId(m.Reference)).ToArray();
        var repeated = ids.GroupBy(i => i, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            throw new SettingException("model_id", $"model id '{repeated.Key}' would be used by {repeated.Count()} models; give each model its own id");
        }
        foreach (var prompt in job.Prompts.Where(p => job.Topics.Find(p.Topic) is null).Take(1))
        {
            throw new SettingException("prompts", $"prompt {prompt.Id} is about topic '{prompt.Topic}', which is not among the study's topics");
        }
    }

    /// <summary>Generates, judges and returns the judged responses.</summary>
    public async Task<StudyGenerationOutcome> RunAsync(StudyGenerationJob job, IProgress<StudyProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Validate(job);
        using var store = ResultStore.Open(job.StorePath, _time);
        var failures = new Dictionary<string, (string Example, long Count)>(StringComparer.Ordinal);
        var gate = new Lock();
        var infos = new List<ModelInfo>();
        var responseKeys = new List<(string Key, ModelInfo Model, StudyPrompt Prompt)>();
        long generated = 0, reusedResponses = 0;
        foreach (var request in job.Models)
        {
            var backend = _backends.Get(request.Backend);
            var opened = await backend.OpenAsync(new ModelSource(request.Reference, job.Settings), cancellationToken).ConfigureAwait(false);
            await using (opened.ConfigureAwait(false))
            {
                var generator = opened as ITextGenerator
                    ?? throw new InputException($"backend {backend.Name} cannot write free text, which the study's design needs; use a backend that generates (llama, chat-sample, openai-completions, vllm, tgi, sglang, ollama)");
                var info = Info(request, backend, generator, job.Cards);
                infos.Add(info);
                var stored = store.ResponseKeys();
                var work = job.Prompts.Select(p => (Prompt: p, Keys: Enumerable.Range(0, job.SamplesPerPrompt).Select(j => ResponseKey(generator, p, job.Generation, j)).ToArray())).ToArray();
                foreach (var (prompt, keys) in work)
                {
                    responseKeys.AddRange(keys.Select(k => (k, info, prompt)));
                }
                var pending = work.Where(w => w.Keys.Any(k => !stored.Contains(k))).ToArray();
                reusedResponses += (work.Length - pending.Length) * (long)job.SamplesPerPrompt;
                long done = work.Length - pending.Length;
                progress?.Report(new StudyProgress($"generating {info.Id}", done, work.Length));
                await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, generator.PreferredParallelism), CancellationToken = cancellationToken }, async (unit, token) =>
                {
                    try
                    {
                        var result = await generator.GenerateAsync(new GenerationRequest(unit.Prompt.Text, job.SamplesPerPrompt, job.Generation), token).ConfigureAwait(false);
                        if (result.Samples.Count != job.SamplesPerPrompt)
                        {
                            throw new InvalidOperationException($"the backend returned {result.Samples.Count} samples for {job.SamplesPerPrompt} asked");
                        }
                        var rows = result.Samples.Select((s, j) => new StoredResponse(unit.Keys[j], info.Id, unit.Prompt.Id, unit.Prompt.Language, unit.Prompt.TemplateId, unit.Prompt.Topic, j,
                            unit.Prompt.Text, job.Generation.ToString(), s.Text, s.Tokens, s.FinishReason)).ToArray();
                        lock (gate)
                        {
                            store.AddResponses(rows);
                            generated += rows.Length;
                            progress?.Report(new StudyProgress($"generating {info.Id}", ++done, work.Length));
                        }
                    }
                    catch (OperationCanceledException) when (token.IsCancellationRequested)
                    {
                        throw;
                    }
#pragma warning disable CA1031 // One prompt's failure must not end the study: it is counted and retried on the next run.
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        lock (gate)
                        {
                            Count(failures, $"{info.Id}: {OneLine(e)}");
                            progress?.Report(new StudyProgress($"generating {info.Id}", ++done, work.Length));
                        }
                    }
                }).ConfigureAwait(false);
            }
        }

        var judgeBackend = _backends.Get(job.Judge.Backend);
        var judgeModel = await judgeBackend.OpenAsync(new ModelSource(job.Judge.Reference, job.JudgeSettings), cancellationToken).ConfigureAwait(false);
        ModelInfo judgeInfo;
        JudgeCheck? check = null;
        var judgeSettings = StudyJudge.SettingsFor(job.ConstrainJudge);
        long judged = 0, reusedJudgements = 0;
        var responses = store.Responses().ToDictionary(r => r.Key, StringComparer.Ordinal);
        Dictionary<string, StoredJudgement> judgements;
        await using (judgeModel.ConfigureAwait(false))
        {
            var judge = judgeModel as ITextGenerator
                ?? throw new InputException($"backend {judgeBackend.Name} cannot write free text, so it cannot judge; give a judge that generates");
            judgeInfo = Info(job.Judge, judgeBackend, judge, job.Cards);
            // A judgement counts only when made with this judge, prompt version and settings (its key says so).
            judgements = store.Judgements(judge.Fingerprint.Sha256).Where(j => j.Key == JudgementKey(j.ResponseKey, judge, judgeSettings)).ToDictionary(j => j.ResponseKey, StringComparer.Ordinal);
            var toJudge = responseKeys.Where(r => responses.ContainsKey(r.Key)).ToArray();
            var pending = toJudge.Where(r => !judgements.ContainsKey(r.Key)).ToArray();
            reusedJudgements = toJudge.Length - pending.Length;
            long done = reusedJudgements;
            progress?.Report(new StudyProgress($"judging with {judgeInfo.Id}", done, toJudge.Length));
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, judge.PreferredParallelism), CancellationToken = cancellationToken }, async (unit, token) =>
            {
                var response = responses[unit.Key];
                var topic = job.Topics.Find(response.Topic)!;
                try
                {
                    var result = await judge.GenerateAsync(new GenerationRequest(StudyJudge.Prompt(topic, response.Text), 1, judgeSettings), token).ConfigureAwait(false);
                    var reply = result.Samples.Count > 0 ? result.Samples[0].Text : "";
                    var verdict = StudyJudge.Parse(reply);
                    var stored = new StoredJudgement(JudgementKey(unit.Key, judge, judgeSettings), unit.Key, judgeInfo.Id, judge.Fingerprint.Sha256, verdict?.Language,
                        verdict is null ? null : string.Join(',', verdict.Labels.Select(l => l.WireName())), reply);
                    lock (gate)
                    {
                        store.AddJudgement(stored);
                        judgements[unit.Key] = stored;
                        judged++;
                        progress?.Report(new StudyProgress($"judging with {judgeInfo.Id}", ++done, toJudge.Length));
                    }
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // One judgement's failure is counted and retried on the next run.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    lock (gate)
                    {
                        Count(failures, $"judge {judgeInfo.Id}: {OneLine(e)}");
                        progress?.Report(new StudyProgress($"judging with {judgeInfo.Id}", ++done, toJudge.Length));
                    }
                }
            }).ConfigureAwait(false);
            if (job.JudgeCheckSample is { Count: > 0 } sample)
            {
                check = await CheckAsync(judge, job.Topics, sample, judgeSettings, progress, cancellationToken).ConfigureAwait(false);
            }
        }

        var judgedResponses = new List<JudgedResponse>();
        long unparseable = 0;
        foreach (var (key, info, prompt) in responseKeys)
        {
            if (!judgements.TryGetValue(key, out var judgement))
            {
                continue;
            }
            var verdict = judgement.Labels is null ? null : new JudgeVerdict(judgement.Language, judgement.Labels.Split(',').Select(l => WireNames.TryParse<OpinionLabel>(l, out var label) ? label : OpinionLabel.Neither).ToArray());
            if (verdict is null)
            {
                unparseable++;
            }
            judgedResponses.Add(new JudgedResponse(info.Id, info.Family ?? info.Id, prompt.TemplateType, prompt.Language,
                verdict?.Language ?? prompt.Language, prompt.Topic, verdict?.ProScore, key));
        }
        return new StudyGenerationOutcome(judgedResponses, infos, judgeInfo, generated, reusedResponses, judged, reusedJudgements, unparseable,
            failures.Values.OrderByDescending(f => f.Count).Select(f => new FailureReason(f.Count > 1 ? $"{f.Example} (and alike)" : f.Example, f.Count)).ToArray(), check);
    }

    /// <summary>
    /// Has <paramref name="judge"/> label each labelled opinion with the study's judge prompt and compares its first label
    /// with the person's. Not stored: a sample is small, and a changed judge must be measured again anyway.
    /// </summary>
    public static async Task<JudgeCheck> CheckAsync(ITextGenerator judge, StudyTopicSet topics, IReadOnlyList<LabelledOpinion> sample, GenerationSettings settings, IProgress<StudyProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(sample);
        var labels = new OpinionLabel?[sample.Count];
        long done = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, sample.Count), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, judge.PreferredParallelism), CancellationToken = cancellationToken }, async (i, token) =>
        {
            var topic = topics.Find(sample[i].Topic) ?? throw new InputException($"labelled opinion {i + 1}: topic '{sample[i].Topic}' is not among the study's topics");
            var result = await judge.GenerateAsync(new GenerationRequest(StudyJudge.Prompt(topic, sample[i].Text), 1, settings), token).ConfigureAwait(false);
            labels[i] = StudyJudge.Parse(result.Samples.Count > 0 ? result.Samples[0].Text : "")?.Labels[0];
            progress?.Report(new StudyProgress("checking the judge", Interlocked.Increment(ref done), sample.Count));
        }).ConfigureAwait(false);
        return JudgeCheck.Score(sample.Select(s => s.Label).ToArray(), labels);
    }

    /// <summary>The key of sample <paramref name="sample"/> of <paramref name="prompt"/>: everything that decides the reply.</summary>
    public static string ResponseKey(IProbeModel model, StudyPrompt prompt, GenerationSettings settings, int sample)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(settings);
        return ResultStore.KeyOf(["cultureprobe-response-v1", model.Fingerprint.Sha256, prompt.Text, settings.ToString(), sample.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
    }

    /// <summary>The key of a judgement: the response, the judge, the judge prompt's version and the judge's settings.</summary>
    public static string JudgementKey(string responseKey, IProbeModel judge, GenerationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(judge);
        ArgumentNullException.ThrowIfNull(settings);
        return ResultStore.KeyOf(["cultureprobe-judgement-v1", responseKey, judge.Fingerprint.Sha256, StudyJudge.PromptVersion, settings.ToString()]);
    }

    private static ModelInfo Info(ModelRequest request, IModelBackend backend, IProbeModel model, IReadOnlyList<ModelCard> cards)
    {
        var id = request.Id ?? backend.DefaultModelId(request.Reference);
        var card = cards.FirstOrDefault(c => c.Id.Equals(id, StringComparison.OrdinalIgnoreCase));
        var identity = model.Identity;
        var synthetic = identity.Name.Contains("random", StringComparison.OrdinalIgnoreCase) || identity.Source.Contains("synthetic", StringComparison.OrdinalIgnoreCase);
        return new ModelInfo(id, identity.Source, identity.Sha256, backend.Name, ScoringMethod.Generation, model.PromptStyle == PromptStyle.Chat,
            card?.Family, card?.ParametersBillions, card?.Chat, card?.TrainingTokensTrillions, card?.Corpus.Notes, card?.BaseModel, synthetic, model.Fingerprint.ToDictionary());
    }

    /// <summary>
    /// Counts a failure under its reason with the numbers taken out, so "the prompt is 757 tokens long" and "… 786 tokens
    /// long" are one reason; the first message of each reason is kept as its example.
    /// </summary>
    private static void Count(Dictionary<string, (string Example, long Count)> failures, string reason)
    {
        var key = Digits().Replace(reason, "#");
        failures[key] = failures.TryGetValue(key, out var seen) ? (seen.Example, seen.Count + 1) : (reason, 1);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\d+")]
    private static partial System.Text.RegularExpressions.Regex Digits();

    private static string OneLine(Exception e)
    {
        var line = $"{e.GetType().Name}: {e.Message}".ReplaceLineEndings(" ").Trim();
        return line.Length <= 300 ? line : line[..297] + "...";
    }
}
