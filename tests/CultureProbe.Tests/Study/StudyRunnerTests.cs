using System.Text.RegularExpressions;
using CultureProbe.Backends;
using CultureProbe.Models;
using CultureProbe.Probing;
using CultureProbe.Study;
using Shouldly;

namespace CultureProbe.Tests.Study;

/// <summary>Generation and judging of the study: every response and judgement stored as it comes, so reruns resume.</summary>
public sealed partial class StudyRunnerTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _store;
    private readonly Dictionary<string, FakeTextGenerator> _opened = [];

    public StudyRunnerTests() => _store = _temp.File("study.db");

    public void Dispose() => _temp.Dispose();

    // A prompt's text starts with its language; the writer answers "<language> yes no yes ..." with a pattern that depends on the
    // prompt and the sample, and the fake judge labels each "yes" PRO and each "no" CON and names the language the text starts with.
    private static readonly StudyPrompt[] Prompts =
    [
        new("p1", "da", "t1", "f120", "da: tal om abort"),
        new("p1", "en", "t1", "f120", "en: talk about abortion"),
        new("p2", "da", "t1", "d059", "da: tal om ledere"),
        new("p2", "en", "t1", "d059", "en: talk about leaders"),
    ];

    private static string Writer(string prompt, int sample)
    {
        var words = Enumerable.Range(0, 3).Select(i => (prompt.Length + sample + i) % 3 == 0 ? "no" : "yes");
        return $"{prompt[..2]} {string.Join(' ', words)}";
    }

    private static string Judge(string prompt, int sample)
    {
        var text = JudgedText().Match(prompt).Groups[1].Value;
        var labels = text.Split(' ').Skip(1).Select(w => w == "yes" ? "PRO" : "CON");
        return $"LANGUAGE: {text[..2]}\nLABELS: {string.Join(", ", labels)}";
    }

    [GeneratedRegex(@"<<<\n(.*)\n>>>", RegexOptions.Singleline)]
    private static partial Regex JudgedText();

    private static double ExpectedScore(string prompt, int sample)
    {
        var words = Writer(prompt, sample).Split(' ').Skip(1).ToArray();
        return words.Count(w => w == "yes") / (double)words.Length;
    }

    private BackendRegistry Registry(Func<string, FakeTextGenerator>? open = null) => new(
    [
        new FakeBackend("fake-text", ScoringMethod.Generation, name =>
        {
            var model = open?.Invoke(name) ?? new FakeTextGenerator(name, name.StartsWith("judge", StringComparison.Ordinal) ? Judge : Writer);
            _opened[name] = model;
            return model;
        }),
        new FakeBackend("fake", ScoringMethod.LogLikelihoodLocal, name => new FakeLikelihoodModel(name)),
    ]);

    private StudyGenerationJob Job(string judge = "judge", int samples = 2, IReadOnlyList<ModelRequest>? models = null) => new(
        Prompts, models ?? [new ModelRequest("writer", "fake-text")], new ModelRequest(judge, "fake-text"), BackendSettings.Empty, BackendSettings.Empty,
        new GenerationSettings(Temperature: 0.7, TopP: 0.9, Seed: 3, MaxTokens: 50), samples, StudyTopicSet.Default, [], _store);

    [Fact]
    public async Task Every_prompt_is_written_and_judged_and_scored_as_pro_over_pro_plus_con()
    {
        var outcome = await new StudyRunner(Registry()).RunAsync(Job());

        outcome.Generated.ShouldBe(8);
        outcome.Judged.ShouldBe(8);
        outcome.FailureReasons.ShouldBeEmpty();
        outcome.Responses.Count.ShouldBe(8);
        foreach (var prompt in Prompts)
        {
            var scores = outcome.Responses.Where(r => r.Topic == prompt.Topic && r.PromptLanguage == prompt.Language).Select(r => r.ProScore).ToArray();
            scores.ShouldBe([ExpectedScore(prompt.Text, 0), ExpectedScore(prompt.Text, 1)], ignoreOrder: true);
        }
        outcome.Responses.ShouldAllBe(r => r.ResponseLanguage == r.PromptLanguage && r.Model == "writer" && r.Template == StudyPrompts.ShippedTemplateType);
        _opened["writer"].Requests.ShouldBe(4, "one request per prompt asks for both samples");
        _opened["judge"].Requests.ShouldBe(8);
    }

    [Fact]
    public async Task A_rerun_generates_and_judges_nothing_again()
    {
        var first = await new StudyRunner(Registry()).RunAsync(Job());
        var second = await new StudyRunner(Registry()).RunAsync(Job());

        second.Generated.ShouldBe(0);
        second.Judged.ShouldBe(0);
        second.ReusedResponses.ShouldBe(8);
        second.ReusedJudgements.ShouldBe(8);
        _opened["writer"].Requests.ShouldBe(0);
        _opened["judge"].Requests.ShouldBe(0);
        second.Responses.Select(r => (r.ResponseKey, r.ProScore)).ShouldBe(first.Responses.Select(r => (r.ResponseKey, r.ProScore)));
    }

    [Fact]
    public async Task An_interrupted_run_resumes_without_losing_or_repeating_a_response()
    {
        using var cancel = new CancellationTokenSource();
        var registry = Registry(name =>
        {
            var model = new FakeTextGenerator(name, Writer) { BlockAfter = 2 };
            _ = model.Blocked.ContinueWith(_ => cancel.Cancel(), TaskScheduler.Default);
            return model;
        });

        await Should.ThrowAsync<OperationCanceledException>(() => new StudyRunner(registry).RunAsync(Job(), cancellationToken: cancel.Token));
        using (var store = ResultStore.Open(_store))
        {
            store.Responses().Count.ShouldBe(4, "the two prompts answered before the interruption, two samples each");
        }

        var resumed = await new StudyRunner(Registry()).RunAsync(Job());

        resumed.Generated.ShouldBe(4);
        resumed.ReusedResponses.ShouldBe(4);
        _opened["writer"].Requests.ShouldBe(2);
        using (var store = ResultStore.Open(_store))
        {
            store.Responses().Select(r => r.Key).Distinct().Count().ShouldBe(8);
        }
        resumed.Responses.Count.ShouldBe(8);
    }

    [Fact]
    public async Task A_failed_prompt_is_counted_with_its_reason_and_retried_by_the_next_run()
    {
        var registry = Registry(name => new FakeTextGenerator(name, name.StartsWith("judge", StringComparison.Ordinal) ? Judge : Writer)
        {
            BeforeRequest = (number, _) =>
            {
                if (number == 1 && !name.StartsWith("judge", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException("server said 503");
                }
            },
        });

        var first = await new StudyRunner(registry).RunAsync(Job());
        var second = await new StudyRunner(Registry()).RunAsync(Job());

        first.FailureReasons.ShouldBe([new FailureReason("writer: InvalidOperationException: server said 503", 1)]);
        first.Responses.Count.ShouldBe(6);
        second.Generated.ShouldBe(2);
        second.Judged.ShouldBe(2);
        second.Responses.Count.ShouldBe(8);
    }

    [Fact]
    public async Task Another_judge_judges_again_but_the_responses_are_kept()
    {
        await new StudyRunner(Registry()).RunAsync(Job());

        var other = await new StudyRunner(Registry()).RunAsync(Job(judge: "judge-2"));

        other.Generated.ShouldBe(0);
        other.Judged.ShouldBe(8);
        other.Judge.Id.ShouldBe("judge-2");
    }

    [Fact]
    public async Task A_judge_reply_without_labels_leaves_the_response_unscored()
    {
        var registry = Registry(name => new FakeTextGenerator(name, name.StartsWith("judge", StringComparison.Ordinal) ? (_, _) => "I would rather not." : Writer));

        var outcome = await new StudyRunner(registry).RunAsync(Job());

        outcome.Unparseable.ShouldBe(8);
        outcome.Responses.ShouldAllBe(r => r.ProScore == null);
        using var store = ResultStore.Open(_store);
        store.Judgements(_opened["judge"].Fingerprint.Sha256).ShouldAllBe(j => j.Labels == null && j.Reply == "I would rather not.");
    }

    [Fact]
    public async Task A_backend_that_cannot_write_text_is_refused_by_name()
    {
        var error = await Should.ThrowAsync<InputException>(() => new StudyRunner(Registry()).RunAsync(Job(models: [new ModelRequest("m", "fake")])));

        error.Message.ShouldContain("backend fake cannot write free text");
    }

    [Fact]
    public void Two_models_under_one_id_are_refused_before_anything_opens()
    {
        var error = Should.Throw<SettingException>(() => new StudyRunner(Registry()).Validate(Job(models: [new ModelRequest("a", "fake-text", "x"), new ModelRequest("b", "fake-text", "x")])));

        error.Setting.ShouldBe("model_id");
        _opened.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_labelled_sample_measures_the_judge_and_its_first_label_counts()
    {
        // The fake judge labels "yes" PRO and anything else CON; the people labelled two of the four opinions otherwise.
        LabelledOpinion[] sample =
        [
            new("f120", "da yes", OpinionLabel.Pro),
            new("f120", "da no", OpinionLabel.Con),
            new("d059", "en yes", OpinionLabel.Con),
            new("d059", "en no", OpinionLabel.Neither),
        ];

        var outcome = await new StudyRunner(Registry()).RunAsync(Job() with { JudgeCheckSample = sample });

        var check = outcome.JudgeCheck.ShouldNotBeNull();
        check.Items.ShouldBe(4);
        check.Agreement.ShouldBe(0.5);
        check.Confusion.Select(r => r.ToArray()).ShouldBe([[1, 0, 0, 0], [1, 1, 0, 0], [0, 1, 0, 0]]);
    }

    [Fact]
    public void A_labelled_sample_file_is_read_and_its_errors_name_line_and_column()
    {
        var path = _temp.File("labels.csv");
        File.WriteAllText(path, "topic,text,label\nF120,\"It is her choice, she said.\",pro\nd059,Men lead better,NULL\n");
        LabelledOpinion.Read(path, StudyTopicSet.Default).ShouldBe([new("f120", "It is her choice, she said.", OpinionLabel.Pro), new("d059", "Men lead better", OpinionLabel.Neither)]);

        File.WriteAllText(path, "topic,text,label\nf120,x,maybe\n");
        Should.Throw<InputException>(() => LabelledOpinion.Read(path, StudyTopicSet.Default)).Message.ShouldContain("labels.csv:2:3");
        File.WriteAllText(path, "topic,text,label\nq1,x,pro\n");
        Should.Throw<InputException>(() => LabelledOpinion.Read(path, StudyTopicSet.Default)).Message.ShouldContain("labels.csv:2:1");
        File.WriteAllText(path, "topic,label\n");
        Should.Throw<InputException>(() => LabelledOpinion.Read(path, StudyTopicSet.Default)).Message.ShouldContain("missing required column 'text'");
    }

    [Fact]
    public void The_response_key_changes_with_every_setting_that_changes_the_reply()
    {
        var model = new FakeTextGenerator("m", Writer);
        var prompt = Prompts[0];
        var settings = new GenerationSettings();
        var key = StudyRunner.ResponseKey(model, prompt, settings, 0);

        StudyRunner.ResponseKey(model, prompt, settings, 0).ShouldBe(key);
        new[]
        {
            StudyRunner.ResponseKey(model, prompt, settings, 1),
            StudyRunner.ResponseKey(model, prompt with { Text = prompt.Text + "." }, settings, 0),
            StudyRunner.ResponseKey(model, prompt, settings with { Temperature = 0.5 }, 0),
            StudyRunner.ResponseKey(model, prompt, settings with { Seed = 2 }, 0),
            StudyRunner.ResponseKey(model, prompt, settings with { Stop = ["\n\n"] }, 0),
            StudyRunner.ResponseKey(new FakeTextGenerator("m2", Writer), prompt, settings, 0),
        }.ShouldAllBe(k => k != key);
    }
}
