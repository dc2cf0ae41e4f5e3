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

    public ProbeRunnerTests() => _pack = ProbeHarness.SyntheticPack(_temp, "USA,JPN,DEU");

    public void Dispose() => _temp.Dispose();

    private static ProbeSpec Spec() => ProbeHarness.Spec("Q1-Q6,Q177", "USA,JPN,DEU");

    private Task<(ProbeResults Results, ProbeRunSummary Summary, ProbePlan Plan)> Run(IProbeModel model, ResultStore store, CancellationToken cancellationToken = default) =>
        ProbeHarness.RunAsync(_pack, Spec(), model, store, cancellationToken: cancellationToken);

    [Fact]
    public async Task Every_item_is_stored_with_the_backends_numbers()
    {
        using var store = ResultStore.Open(_temp.File("r.db"));
        var fake = new FakeLikelihoodModel();
        var (_, summary, plan) = await Run(fake, store);

        summary.Total.ShouldBe(7 * 3);
        summary.Scored.ShouldBe(21);
        store.Count().ShouldBe(21);
        fake.Requests.ShouldBe(7, "one request per question, all countries in one prefix tree");

        // The stored numbers are the backend's, for the exact Figure 5 prompt.
        var tree = plan.Trees.Single(t => t.Prompts.Asked.Question.Code == "Q1");
        var japan = tree.Items.Single(i => i.Branch.Country.Iso3 == "JPN");
        var item = store.Find(japan.Key).ShouldNotBeNull();
        const string Prompt = "Question: How important is family in your life?\nChoices: A) Very important, B) Rather important, C) Not very important, D) Not at all important\nIn Japan, Answer:";
        item.Options[0].Continuation.ShouldBe(" A) Very important");
        item.Options[0].LogProb.ShouldBe(FakeLikelihoodModel.LogLikelihood(Prompt, " A) Very important"));
        item.Options[0].TokenCount.ShouldBe(3);
        item.Options[0].ByteCount.ShouldBe(18);
        item.Method.ShouldBe(ScoringMethod.LogLikelihoodLocal);
    }

    [Fact]
    public async Task A_rerun_scores_nothing_again()
    {
        using var store = ResultStore.Open(_temp.File("r.db"));
        await Run(new FakeLikelihoodModel(), store);
        var again = new FakeLikelihoodModel();
        var (_, summary, _) = await Run(again, store);
        summary.Reused.ShouldBe(21);
        summary.Scored.ShouldBe(0);
        again.Requests.ShouldBe(0);
        store.Count().ShouldBe(21);
    }

    [Fact]
    public async Task Another_fingerprint_is_another_model_whose_items_are_scored_anew()
    {
        using var store = ResultStore.Open(_temp.File("r.db"));
        await Run(new FakeLikelihoodModel("a"), store);
        var other = new FakeLikelihoodModel("b");
        var (_, summary, _) = await Run(other, store);
        summary.Reused.ShouldBe(0);
        other.Requests.ShouldBe(7);
        store.Count().ShouldBe(42);
    }

    [Fact]
    public async Task A_cancelled_run_keeps_what_it_measured_and_resumes_to_the_store_of_an_uninterrupted_one()
    {
        using var whole = ResultStore.Open(_temp.File("whole.db"));
        await Run(new FakeLikelihoodModel(), whole);

        using var resumed = ResultStore.Open(_temp.File("resumed.db"));
        using var cancellation = new CancellationTokenSource();
        // Given a model that answers three questions and then never answers again
        var interrupted = new FakeLikelihoodModel { BlockAfter = 3 };
        var run = Run(interrupted, resumed, cancellation.Token);
        await interrupted.Blocked.WaitAsync(TimeSpan.FromSeconds(30));
        await cancellation.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => run);
        resumed.Count().ShouldBe(9, "three questions of three countries were measured before the cancel, and all of them were committed");

        var (_, summary, _) = await Run(new FakeLikelihoodModel(), resumed);
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
        var flaky = new FakeLikelihoodModel { BeforeRequest = (n, _) => { if (n == 2) { throw new HttpRequestException("boom"); } } };
        var (_, summary, _) = await Run(flaky, store);
        summary.Failed.ShouldBe(3);
        summary.FailureReasons.ShouldBe([new FailureReason("HttpRequestException: boom", 3)]);
        store.Count().ShouldBe(18);
        store.Failures().Count.ShouldBe(3);
        store.Failures().ShouldAllBe(f => f.Error.Contains("boom"));

        var retry = new FakeLikelihoodModel();
        var (_, second, _) = await Run(retry, store);
        second.Scored.ShouldBe(3);
        retry.Requests.ShouldBe(1, "only the failed question is asked again");
        store.Failures().ShouldBeEmpty();
    }

    [Fact]
    public async Task Chat_models_get_answers_without_the_leading_space_and_bytes_are_counted_on_what_was_scored()
    {
        using var store = ResultStore.Open(_temp.File("r.db"));
        var seen = new List<string>();
        var fake = new FakeLikelihoodModel("chat", PromptStyle.Chat) { BeforeRequest = (_, r) => seen.AddRange(r.Branches.SelectMany(b => b.Choices).Select(c => c.Text)) };
        var (_, _, plan) = await ProbeHarness.RunAsync(_pack, ProbeHarness.Spec("Q1", "USA"), fake, store);
        seen.ShouldContain("A) Very important");
        seen.ShouldAllBe(s => !s.StartsWith(' '));
        var stored = store.Find(plan.Trees[0].Items[0].Key).ShouldNotBeNull();
        stored.Options[0].ByteCount.ShouldBe("A) Very important".Length);
    }

    [Fact]
    public async Task A_share_model_stores_shares_and_no_log_likelihoods()
    {
        using var store = ResultStore.Open(_temp.File("r.db"));
        var fake = new FakeShareModel();
        var (results, _, plan) = await ProbeHarness.RunAsync(_pack, ProbeHarness.Spec("Q1", "USA"), fake, store);
        var stored = store.Find(plan.Trees[0].Items[0].Key).ShouldNotBeNull();
        stored.Method.ShouldBe(ScoringMethod.ChatTopLogProbs);
        stored.Options.ShouldAllBe(o => o.LogProb == null && o.TokenCount == null && o.Share != null);
        stored.Details.ShouldBe("{\"method\":\"fake\"}");
        // p is the shares over their sum: no exp, no log.
        var prompt = plan.Trees[0].Prompts.PromptFor(plan.Trees[0].Items[0].Branch);
        var shares = plan.Trees[0].Items[0].Branch.Choices.Select(c => FakeShareModel.Share(prompt, c.Label)).ToArray();
        results.Items[0].ModelShares.ShouldBe(shares.Select(s => s / shares.Sum()).ToArray(), 1e-15);
    }

    [Fact]
    public void A_template_without_letters_is_refused_for_letter_answers_and_for_chat_logprobs_before_anything_runs()
    {
        var survey = new SurveyIndex(_pack);
        var noLetters = PromptTemplateSet.BuiltIn().For("da").First(t => !t.ListsLetters);
        var spec = Spec() with { Template = noLetters, AnswerFormat = AnswerFormat.Letter };
        Should.Throw<InputException>(() => ProbePlan.Create(spec, survey).With(ProbeHarness.Planned(new FakeLikelihoodModel())))
            .Message.ShouldContain("without letters");
        Should.Throw<InputException>(() => ProbePlan.Create(spec with { AnswerFormat = AnswerFormat.Text }, survey).With(ProbeHarness.Planned(new FakeShareModel())))
            .Message.ShouldContain("chat-logprobs");
    }
}
