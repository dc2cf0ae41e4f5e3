using CultureProbe.Models;
using CultureProbe.Prompts;
using CultureProbe.Surveys;

namespace CultureProbe.Probing;

/// <summary>What a run asks.</summary>
/// <param name="Questions">Items to ask.</param>
/// <param name="Countries">Countries to ask about.</param>
/// <param name="Template">Prompt template.</param>
/// <param name="AnswerFormat">How answers are written.</param>
/// <param name="CollapseSize">Collapse 10-point scales to this many groups, when the bank defines it.</param>
/// <param name="Orders">The orders every item's options are listed in (default: the item's own order only).</param>
public sealed record ProbeSpec(
    IReadOnlyList<SurveyQuestion> Questions,
    IReadOnlyList<Country> Countries,
    PromptTemplate Template,
    AnswerFormat AnswerFormat,
    int? CollapseSize = null,
    OptionOrders? Orders = null)
{
    /// <summary>The orders every item's options are listed in.</summary>
    public OptionOrders OptionOrders => Orders ?? OptionOrders.Original;
}

/// <summary>A model as a plan knows it: how it appears in results and what decides its numbers. It outlives the open model.</summary>
/// <param name="Info">How the model appears in results.</param>
/// <param name="Fingerprint">Everything that decides its numbers (from the backend).</param>
/// <param name="Method">How it measures.</param>
/// <param name="PromptStyle">Whether answers continue the prompt or open a chat reply.</param>
public sealed record PlannedModel(ModelInfo Info, ModelFingerprint Fingerprint, ScoringMethod Method, PromptStyle PromptStyle)
{
    /// <summary>The plan's view of an open model.</summary>
    public static PlannedModel Of(ModelInfo info, IProbeModel model)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(model);
        return new PlannedModel(info, model.Fingerprint, model.Method, model.PromptStyle);
    }
}

/// <summary>One item of a plan: a (country, option order) branch of a question tree, its key, and the population's distribution it is compared with.</summary>
/// <param name="Branch">The branch: its country, the order its options are listed in, and its prompt.</param>
/// <param name="Key">The item's content hash (see <see cref="ProbePlan.ItemKey"/>).</param>
/// <param name="HumanShares">r: the population's distribution over the asked options.</param>
/// <param name="HumanEffectiveN">Kish effective sample size of the population's answers to the question (for its standard error).</param>
public sealed record PlannedItem(PromptBranch Branch, string Key, IReadOnlyList<double> HumanShares, double HumanEffectiveN = double.NaN);

/// <summary>One (model, question) with every country that answered it: measured as one prefix tree and stored in one transaction.</summary>
/// <param name="Model">The model.</param>
/// <param name="Prompts">The question's prompts.</param>
/// <param name="Items">One item per country branch, in branch order.</param>
public sealed record QuestionTree(PlannedModel Model, QuestionPrompts Prompts, IReadOnlyList<PlannedItem> Items);

/// <summary>
/// Every item of a run, computed once: the runner measures and stores them, the results builder reads them back,
/// and both see the same questions, countries, prompts and keys. A (question, country) whose population gave no
/// answer on the question's scale gets no item: there is nothing to compare with. A plan is made for the spec
/// first; each model is added once it is open (its fingerprint is known only then), giving a new plan.
/// </summary>
public sealed class ProbePlan
{
    private readonly IReadOnlyList<(AskedQuestion Asked, (Country Country, double[] Human, double EffectiveN)[] Answered)> _questions;

    private ProbePlan(ProbeSpec spec, IReadOnlyList<(AskedQuestion, (Country, double[], double)[])> questions, IReadOnlyList<PlannedModel> models, IReadOnlyList<QuestionTree> trees)
    {
        Spec = spec;
        _questions = questions;
        Models = models;
        Trees = trees;
        NotAskedPerModel = questions.Sum(q => (long)(spec.Countries.Count - q.Item2.Length));
    }

    /// <summary>What the run asks.</summary>
    public ProbeSpec Spec { get; }

    /// <summary>The models, in the order they were added.</summary>
    public IReadOnlyList<PlannedModel> Models { get; }

    /// <summary>Every (model, question) tree with at least one country.</summary>
    public IReadOnlyList<QuestionTree> Trees { get; }

    /// <summary>(Question, country) pairs left out of each model's work because the survey has no answers there.</summary>
    public long NotAskedPerModel { get; }

    /// <summary>Items over all models.</summary>
    public long ItemCount => Trees.Sum(t => (long)t.Items.Count);

    /// <summary>The trees of one model.</summary>
    public IEnumerable<QuestionTree> TreesOf(string modelId) => Trees.Where(t => t.Model.Info.Id == modelId);

    /// <summary>Plans <paramref name="spec"/> against the survey's populations, with no model yet.</summary>
    public static ProbePlan Create(ProbeSpec spec, SurveyIndex survey)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(survey);
        var questions = spec.Questions.Select(q =>
        {
            var asked = AskedQuestion.Create(q, spec.CollapseSize);
            // Which countries a question can be asked about does not depend on the model.
            var answered = spec.Countries
                .Select(c => (Country: c, Distribution: survey.Find(c.Iso3, q.Code)))
                .Select(x => (x.Country, Human: asked.HumanShares(x.Distribution), EffectiveN: x.Distribution?.EffectiveN ?? double.NaN))
                .Where(x => x.Human is not null)
                .Select(x => (x.Country, x.Human!, x.EffectiveN))
                .ToArray();
            return (asked, answered);
        }).ToArray();
        return new ProbePlan(spec, questions, [], []);
    }

    /// <summary>Plans <paramref name="spec"/> for <paramref name="models"/> at once.</summary>
    public static ProbePlan Create(ProbeSpec spec, IReadOnlyList<PlannedModel> models, SurveyIndex survey)
    {
        ArgumentNullException.ThrowIfNull(models);
        return models.Aggregate(Create(spec, survey), (plan, model) => plan.With(model));
    }

    /// <summary>This plan with <paramref name="model"/>'s trees added.</summary>
    /// <exception cref="InputException">The model's id is already in the plan, or the model cannot measure what the spec asks.</exception>
    public ProbePlan With(PlannedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (Models.Any(m => m.Info.Id == model.Info.Id))
        {
            throw new InputException($"model id '{model.Info.Id}' is given to more than one model; give each --model its own id with --model-id");
        }
        CheckCanMeasure(Spec, model);
        var trees = new List<QuestionTree>(Trees);
        foreach (var (asked, answered) in _questions)
        {
            if (answered.Length == 0)
            {
                continue;
            }
            var prompts = PromptBuilder.Build(asked, answered.Select(x => x.Country).ToArray(), Spec.Template, Spec.AnswerFormat, model.PromptStyle, Spec.OptionOrders);
            // Branches run order by order over the same countries.
            var items = prompts.Branches.Select((branch, b) => new PlannedItem(branch, ItemKey(model, prompts, branch), answered[b % answered.Length].Human, answered[b % answered.Length].EffectiveN)).ToArray();
            trees.Add(new QuestionTree(model, prompts, items));
        }
        return new ProbePlan(Spec, _questions, [.. Models, model], trees);
    }

    /// <summary>
    /// The key of one item: a content hash of everything that determines its numbers: the model's fingerprint
    /// and method, the template's hash, the question code, the full prompt, the country, every answer option
    /// (letter, label and scored text) and, for any order but the item's own, the order (so keys of runs in the
    /// original order are those of earlier versions).
    /// </summary>
    public static string ItemKey(PlannedModel model, QuestionPrompts prompts, PromptBranch branch)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(branch);
        return ResultStore.KeyOf(
        [
            "cultureprobe-item-v2",
            model.Fingerprint.Sha256,
            model.Method.WireName(),
            prompts.Template.Sha256,
            prompts.Asked.Question.Code,
            prompts.PromptFor(branch),
            branch.Country.Iso3,
            .. branch.Choices.Select(c => $"{c.Key}\u001f{c.Label}\u001f{c.Text}"),
            .. branch.ListedOrder.IsOriginal ? [] : new[] { "order", string.Join(',', branch.ListedOrder.Listing) },
        ]);
    }

    /// <summary>Refuses, before anything runs, what a model cannot measure.</summary>
    private static void CheckCanMeasure(ProbeSpec spec, PlannedModel model)
    {
        if (spec.AnswerFormat == AnswerFormat.Letter && !spec.Template.ListsLetters)
        {
            throw new InputException($"template {spec.Template.Id} lists the choices without letters, so answers written as a letter name nothing; use --answer-format letter+text or text, or a template that lists letters");
        }
        if (model.Method == ScoringMethod.ChatTopLogProbs && !spec.Template.ListsLetters)
        {
            throw new InputException($"{model.Info.Id}: chat-logprobs reads the probability of each option's letter, but template {spec.Template.Id} lists the choices without letters; choose a template that lists letters");
        }
    }
}
