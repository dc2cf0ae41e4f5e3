using CultureProbe.Models;
using CultureProbe.Probing;
using CultureProbe.Prompts;
using CultureProbe.Surveys;
using Shouldly;

namespace CultureProbe.Tests.Probing;

public sealed class ProbeRunnerTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly SurveyPack _pack;

    public ProbeRunnerTests()
    {
        var csv = _temp.File("s.synthetic.csv");
        var bank = QuestionBankLoader.Default;
        new SyntheticSurveyGenerator(bank, CountryTable.Default).Write(csv, new SyntheticSurveyOptions(["USA", "JPN", "DEU"], RowsPerCountry: 60, NotAskedRate: 0));
        _pack = new WvsCsvImporter(bank, CountryTable.Default).Import(csv, new WvsImportOptions());
    }

    public void Dispose() => _temp.Dispose();

    private static ProbeSpec Spec() => new(
        QuestionBankLoader.Default.Select("Q1-Q6,Q177"),
        CountryTable.Default.Select("USA,JPN,DEU"),
        PromptTemplateSet.BuiltIn().Default("en"),
        AnswerFormat.LetterAndText);

    private static ProbeModel Model(FakeLanguageModel fake) =>
        new(new ModelInfo(fake.Identity.Name, fake.Identity.Source, null, "fake", ScoringMethod.LogLikelihoodLocal, false), fake, "");

    [Fact]
    public async Task Every_item_is_stored_with_the_backends_numbers()
    {
        using var store = ResultStore.Open(_temp.File("r.db"));
        var fake = new FakeLanguageModel();
        var summary = await new ProbeRunner(_pack, store).RunAsync(Spec(), [Model(fake)]);

        summary.Total.ShouldBe(7 * 3);
        summary.Scored.ShouldBe(21);
        store.Count().ShouldBe(21);
        fake.Requests.ShouldBe(7, "one request per question, all countries in one prefix tree");

        // The stored number is the backend's, for the exact Figure 5 prompt.
        var prompts = PromptBuilder.Build(AskedQuestion.Create(QuestionBankLoader.Default.Get("Q1")), CountryTable.Default.Select("JPN"), Spec().Template, AnswerFormat.LetterAndText);
        var key = ProbeRunner.ItemKey(Model(fake), prompts, prompts.Branches[0]);
        var item = store.Find(key).ShouldNotBeNull();
        item.Options[0].LogProb.ShouldBe(FakeLanguageModel.LogLikelihood(
            "Question: How important is family in your life?\nChoices: A) Very important, B) Rather important, C) Not very important, D) Not at all important\nIn Japan, Answer:",
            " A) Very important"));
    }

    [Fact]
    public async Task A_rerun_scores_nothing_again()
    {
        using var store = ResultStore.Open(_temp.File("r.db"));
        await new ProbeRunner(_pack, store).RunAsync(Spec(), [Model(new FakeLanguageModel())]);
        var again = new FakeLanguageModel();
        var summary = await new ProbeRunner(_pack, store).RunAsync(Spec(), [Model(again)]);
        summary.Reused.ShouldBe(21);
        summary.Scored.ShouldBe(0);
        again.Requests.ShouldBe(0);
        store.Count().ShouldBe(21);
    }

    [Fact]
    public async Task A_cancelled_run_resumes_to_the_same_store_as_an_uninterrupted_one()
    {
        using var whole = ResultStore.Open(_temp.File("whole.db"));
        await new ProbeRunner(_pack, whole).RunAsync(Spec(), [Model(new FakeLanguageModel())]);

        using var resumed = ResultStore.Open(_temp.File("resumed.db"));
        using var cancellation = new CancellationTokenSource();
        var interrupted = new FakeLanguageModel { BeforeRequest = (n, _) => { if (n == 4) { cancellation.Cancel(); } } };
        await Should.ThrowAsync<OperationCanceledException>(() => new ProbeRunner(_pack, resumed).RunAsync(Spec(), [Model(interrupted)], null, cancellation.Token));
        resumed.Count().ShouldBe(9, "three questions of three countries finished before the cancel");

        var summary = await new ProbeRunner(_pack, resumed).RunAsync(Spec(), [Model(new FakeLanguageModel())]);
        summary.Reused.ShouldBe(9);
        summary.Scored.ShouldBe(12);
        foreach (var key in whole.Keys())
        {
            // Records holding arrays compare by reference, so compare the numbers themselves.
            resumed.Find(key)!.Options.Select(o => (o.Continuation, o.LogProb, o.TokenCount)).ShouldBe(whole.Find(key)!.Options.Select(o => (o.Continuation, o.LogProb, o.TokenCount)));
        }
        resumed.Count().ShouldBe(whole.Count());
    }

    [Fact]
    public async Task A_failing_request_is_recorded_as_failed_never_as_a_score_and_retried_next_run()
    {
        using var store = ResultStore.Open(_temp.File("r.db"));
        var flaky = new FakeLanguageModel { BeforeRequest = (n, _) => { if (n == 2) { throw new HttpRequestException("boom"); } } };
        var summary = await new ProbeRunner(_pack, store).RunAsync(Spec(), [Model(flaky)]);
        summary.Failed.ShouldBe(3);
        store.Count().ShouldBe(18);
        store.Failures().Count.ShouldBe(3);
        store.Failures().ShouldAllBe(f => f.Error.Contains("boom"));

        var retry = new FakeLanguageModel();
        var second = await new ProbeRunner(_pack, store).RunAsync(Spec(), [Model(retry)]);
        second.Scored.ShouldBe(3);
        retry.Requests.ShouldBe(1, "only the failed question is asked again");
        store.Failures().ShouldBeEmpty();
    }

    [Fact]
    public async Task Chat_models_get_answers_without_the_leading_space()
    {
        using var store = ResultStore.Open(_temp.File("r.db"));
        var seen = new List<string>();
        var fake = new FakeLanguageModel { BeforeRequest = (_, r) => seen.AddRange(r.Branches.SelectMany(b => b.Continuations)) };
        var chatModel = new ProbeModel(new ModelInfo("chat", "fake://chat", null, "fake", ScoringMethod.LogLikelihoodLocal, UsedChatTemplate: true), fake, "chat");
        await new ProbeRunner(_pack, store).RunAsync(Spec() with { Questions = QuestionBankLoader.Default.Select("Q1") }, [chatModel]);
        seen.ShouldContain("A) Very important");
        seen.ShouldAllBe(s => !s.StartsWith(' '));
    }
}
