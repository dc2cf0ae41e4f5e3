using CultureProbe.Analysis;
using CultureProbe.Backends;
using CultureProbe.Models;
using CultureProbe.Probing;
using CultureProbe.Surveys;
using Shouldly;

namespace CultureProbe.Tests.Probing;

/// <summary>The one path every probing verb takes: settings are checked before anything opens, then plan, run, store and results.</summary>
public sealed class ProbeServiceTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly SurveyPack _pack;

    public ProbeServiceTests() => _pack = ProbeHarness.SyntheticPack(_temp, "USA,JPN,DEU");

    public void Dispose() => _temp.Dispose();

    private static BackendRegistry Registry(Func<string, IProbeModel>? likelihood = null, Func<string, IProbeModel>? shares = null) => new(
    [
        new FakeBackend("fake", ScoringMethod.LogLikelihoodLocal, likelihood ?? (name => new FakeLikelihoodModel(name))),
        new FakeBackend("fake-chat", ScoringMethod.ChatTopLogProbs, shares ?? (name => new FakeShareModel(name))),
    ]);

    private ProbeJob Job(IReadOnlyList<ModelRequest> models, LikelihoodNormalization normalisation = LikelihoodNormalization.None) => new(
        _pack, QuestionBankLoader.Default, CountryTable.Default, [ProbeHarness.Spec("Q1-Q6", "USA,JPN,DEU")], models, BackendSettings.Empty, [],
        normalisation, new AlignmentOptions(0), _temp.File($"r-{Guid.NewGuid():N}.db"));

    [Fact]
    public async Task A_job_runs_every_model_and_builds_the_results_from_the_store()
    {
        var outcome = await new ProbeService(Registry()).RunAsync(Job([new ModelRequest("a", "fake"), new ModelRequest("b", "fake-chat", "chat-b")]));

        outcome.Missing.ShouldBe(0);
        var results = outcome.Results.ShouldHaveSingleItem();
        results.Models.Select(m => (m.Id, m.ScoringMethod, m.Backend)).ShouldBe([("a", ScoringMethod.LogLikelihoodLocal, "fake"), ("chat-b", ScoringMethod.ChatTopLogProbs, "fake-chat")]);
        results.Method.ScoringMethod.ShouldBeNull("the models were measured differently");
        results.Models[0].Fingerprint!["name"].ShouldBe("a");
        results.Items.Count.ShouldBe(2 * 6 * 3);
        outcome.Models.Select(m => m.Runs.Single().Scored).ShouldBe([18L, 18L]);
    }

    [Fact]
    public void A_length_normalisation_is_refused_for_a_share_backend_before_anything_is_opened()
    {
        var opened = false;
        var service = new ProbeService(Registry(shares: name => { opened = true; return new FakeShareModel(name); }));
        var error = Should.Throw<SettingException>(() => service.RunAsync(Job([new ModelRequest("b", "fake-chat")], LikelihoodNormalization.PerToken)).GetAwaiter().GetResult());
        error.Setting.ShouldBe("normalisation");
        error.Problem.ShouldContain("measures chat-top-logprobs (option shares)");
        opened.ShouldBeFalse();
    }

    [Fact]
    public void Unknown_backends_repeated_ids_and_empty_models_are_refused_naming_the_setting()
    {
        var service = new ProbeService(Registry());
        Should.Throw<SettingException>(() => service.Validate(Job([new ModelRequest("a", "nope")]))).Setting.ShouldBe("backend");
        Should.Throw<SettingException>(() => service.Validate(Job([new ModelRequest("a", "fake"), new ModelRequest("a", "fake")]))).Setting.ShouldBe("model_id");
        Should.Throw<SettingException>(() => service.Validate(Job([new ModelRequest(" ", "fake")]))).Setting.ShouldBe("model");
        Should.Throw<SettingException>(() => service.Validate(Job([]))).Setting.ShouldBe("model");
    }
}
