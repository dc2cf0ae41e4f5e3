using System.Text.Json;
using System.Text.Json.Nodes;
using CultureProbe.Models;
using CultureProbe.Probing;
using CultureProbe.Prompts;
using CultureProbe.Remote.Tests.Fakes;
using CultureProbe.Surveys;
using Shouldly;

namespace CultureProbe.Remote.Tests.Probing;

/// <summary>The core runner and result store driven by a remote backend against a flaky fake server.</summary>
public sealed class ProbeRunnerWithRemoteTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cultureprobe-remote-tests", Guid.NewGuid().ToString("N"));
    private readonly SurveyPack _pack;

    public ProbeRunnerWithRemoteTests()
    {
        Directory.CreateDirectory(_folder);
        var csv = Path.Combine(_folder, "s.synthetic.csv");
        new SyntheticSurveyGenerator(QuestionBankLoader.Default, CountryTable.Default).Write(csv, new SyntheticSurveyOptions(["USA", "JPN", "DEU", "BRA"], RowsPerCountry: 40, NotAskedRate: 0));
        _pack = new WvsCsvImporter(QuestionBankLoader.Default, CountryTable.Default).Import(csv, new WvsImportOptions());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static ProbeSpec Spec() => new(
        QuestionBankLoader.Default.Select("Q1-Q12,Q177"),
        CountryTable.Default.Select("USA,JPN,DEU,BRA"),
        PromptTemplateSet.BuiltIn().Default("en"),
        AnswerFormat.LetterAndText);

    /// <summary>Plans <paramref name="spec"/> for <paramref name="model"/> and runs it with four question trees in flight, as the probe service does for a server.</summary>
    private async Task<(ProbeRunSummary Summary, ProbePlan Plan)> RunAsync(ProbeSpec spec, IProbeModel model, ResultStore store)
    {
        var planned = PlannedModel.Of(new ModelInfo("fake-7b", model.Identity.Source, null, model.Identity.Backend, model.Method, model.PromptStyle == PromptStyle.Chat), model);
        var plan = ProbePlan.Create(spec, new SurveyIndex(_pack)).With(planned);
        return (await new ProbeRunner(store).RunAsync(plan, planned, model, new ProbeRunOptions(4)), plan);
    }

    /// <summary>
    /// Fails about <paramref name="rate"/> of requests in one of five ways a retry mends (429, 5xx, a hang, a dropped
    /// connection), and about <paramref name="malformedRate"/> more with a 200 whose body is unusable (cut short,
    /// truncated arrays, misaligned tokens), which fails its request at once.
    /// </summary>
    private static Func<string, JsonNode, FakeReply> Flaky(string backend, double rate, double malformedRate, int seed, Func<JsonNode, JsonNode> reply)
    {
        var random = new Random(seed);
        var gate = new Lock();
        return (_, body) =>
        {
            int fault;
            lock (gate)
            {
                var draw = random.NextDouble();
                fault = draw < rate ? new[] { 0, 1, 2, 3, 7 }[random.Next(5)]
                    : draw < rate + malformedRate ? 4 + random.Next(3)
                    : -1;
            }
            return fault switch
            {
                0 => new FakeReply(429, "{\"error\":\"rate limited\"}", new Dictionary<string, string> { ["Retry-After"] = "3" }),
                1 => new FakeReply(500, "{\"error\":\"internal\"}"),
                2 => new FakeReply(503, "unavailable"),
                3 => FakeReply.Json(reply(body)) with { Delay = TimeSpan.FromSeconds(20) },
                4 => new FakeReply(200, reply(body).ToJsonString()[..40]),
                5 => FakeReply.Json(FakeEngine.Truncate(backend, reply(body))),
                6 => FakeReply.Json(FakeEngine.Misalign(backend, reply(body))),
                7 => new FakeReply(200, "", Abort: true),
                _ => FakeReply.Json(reply(body)),
            };
        };
    }

    [Theory]
    // TGI takes one prompt per request, so a question needs ~18 requests to succeed: it gets more retries, and fewer
    // malformed replies (each fails its question's items for the run), to finish in a few runs.
    [InlineData("vllm", 11, 1, 0.04)]
    [InlineData("openai-completions", 12, 1, 0.04)]
    [InlineData("sglang", 13, 1, 0.04)]
    [InlineData("tgi", 14, 2, 0.01)]
    public async Task With_30_percent_of_requests_failing_every_item_is_scored_exactly_once_and_correctly(string backend, int seed, int retries, double malformedRate)
    {
        await using var server = await FakeServer.StartAsync(Flaky(backend, 0.3, malformedRate, seed, body => FakeEngine.Reply(backend, body)));
        using var store = ResultStore.Open(Path.Combine(_folder, $"{backend}.db"));
        var options = Fake.Options(backend, server) with { Retries = retries, Timeout = TimeSpan.FromSeconds(1), PromptsPerRequest = 4, CircuitBreakerFailures = 1000 };

        var runs = new List<ProbeRunSummary>();
        ProbePlan? plan = null;
        var failuresSeen = 0;
        for (var run = 0; run < 20 && (runs.Count == 0 || runs[^1].Failed > 0); run++)
        {
            await using var model = RemoteBackends.Open(options);
            (var summary, plan) = await RunAsync(Spec(), model, store);
            runs.Add(summary);
            failuresSeen += store.Failures().Count;
        }

        var total = runs[0].Total;
        runs[^1].Failed.ShouldBe(0, "the reruns finish the work");
        runs.Count.ShouldBeGreaterThan(1, "with this failure rate the first run leaves failed items for the rerun");
        failuresSeen.ShouldBeGreaterThan(0);
        runs.Sum(r => r.Scored).ShouldBe(total, "each item is scored exactly once over the runs");
        store.Count().ShouldBe(total);
        store.Failures().ShouldBeEmpty();
        runs.Skip(1).ShouldAllBe(r => r.Reused + r.Scored + r.Failed == total);

        // Every stored number is the arithmetic on what the server serves for that prompt: no failure became a score.
        var verified = 0;
        foreach (var tree in plan!.Trees)
        {
            foreach (var planned in tree.Items)
            {
                var item = store.Find(planned.Key).ShouldNotBeNull();
                item.Method.ShouldBe(ScoringMethod.LogLikelihoodPromptLogProbs);
                for (var k = 0; k < planned.Branch.Choices.Count; k++)
                {
                    item.Options[k].LogProb!.Value.ShouldBe(FakeEngine.Expected(tree.Prompts.PromptFor(planned.Branch), planned.Branch.Choices[k].Text), 1e-9);
                }
                verified++;
            }
        }
        verified.ShouldBe((int)total);
        TestContext.Current.TestOutputHelper?.WriteLine($"{backend}: {runs.Count} run(s), failures recorded along the way: {failuresSeen}, requests: {server.Requests}");
    }

    [Fact]
    public async Task Sampled_items_are_stored_with_their_settings_and_reused_only_under_the_same_seed_temperature_and_n()
    {
        await using var server = await FakeServer.StartAsync((_, body) => FakeReply.Json(new JsonObject
        {
            ["choices"] = new JsonArray(Enumerable.Range(0, body["n"]!.GetValue<int>()).Select(i => (JsonNode)new JsonObject
            {
                ["index"] = i,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = i % 3 == 0 ? "B" : "A" },
            }).ToArray()),
        }));
        using var store = ResultStore.Open(Path.Combine(_folder, "chat.db"));
        var options = Fake.Options("chat-sample", server) with { Samples = 6, Seed = 5, Temperature = 0.8 };
        var spec = Spec() with { Questions = QuestionBankLoader.Default.Select("Q1"), Countries = CountryTable.Default.Select("JPN") };

        await using var model = RemoteBackends.Open(options);
        var (summary, plan) = await RunAsync(spec, model, store);

        summary.Scored.ShouldBe(1);
        var item = store.Find(plan.Trees[0].Items[0].Key).ShouldNotBeNull();
        item.Method.ShouldBe(ScoringMethod.ChatSampling);
        using var info = JsonDocument.Parse(item.Details.ShouldNotBeNull());
        info.RootElement.GetProperty("seed").GetInt64().ShouldBe(5);
        info.RootElement.GetProperty("temperature").GetDouble().ShouldBe(0.8);
        info.RootElement.GetProperty("n").GetInt32().ShouldBe(6);
        item.Options[0].Share!.Value.ShouldBe(4 / 6.0, 1e-12);
        item.Options[1].Share!.Value.ShouldBe(2 / 6.0, 1e-12);

        // The same settings reuse the stored sample; any other seed, temperature or N samples again.
        foreach (var (changed, reused) in new[] { (options, true), (options with { Seed = 6 }, false), (options with { Temperature = 1.0 }, false), (options with { Samples = 7 }, false) })
        {
            await using var again = RemoteBackends.Open(changed);
            var (rerun, _) = await RunAsync(spec, again, store);
            (rerun.Reused == 1).ShouldBe(reused, $"seed {changed.Seed}, temperature {changed.Temperature}, n {changed.Samples}");
        }
    }

    [Fact]
    public async Task Top_logprobs_items_are_deterministic_and_carry_their_imputation()
    {
        await using var server = await FakeServer.StartAsync((_, _) => FakeReply.Json(new JsonObject
        {
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = "A" },
                ["logprobs"] = new JsonObject
                {
                    ["content"] = new JsonArray(new JsonObject
                    {
                        ["token"] = "A",
                        ["logprob"] = Math.Log(0.7),
                        ["top_logprobs"] = new JsonArray(
                            new JsonObject { ["token"] = "A", ["logprob"] = Math.Log(0.7) },
                            new JsonObject { ["token"] = "B", ["logprob"] = Math.Log(0.2) }),
                    }),
                },
            }),
        }));
        using var store = ResultStore.Open(Path.Combine(_folder, "toplogprobs.db"));
        await using var model = RemoteBackends.Open(Fake.Options("chat-logprobs", server) with { TopLogProbs = 2 });
        var spec = Spec() with { Questions = QuestionBankLoader.Default.Select("Q1"), Countries = CountryTable.Default.Select("JPN") };

        var (summary, plan) = await RunAsync(spec, model, store);
        summary.Scored.ShouldBe(1);

        var item = store.Find(plan.Trees[0].Items[0].Key).ShouldNotBeNull();
        item.Method.ShouldBe(ScoringMethod.ChatTopLogProbs);
        using var info = JsonDocument.Parse(item.Details.ShouldNotBeNull());
        var missing = plan.Trees[0].Items[0].Branch.Choices.Count - 2;
        info.RootElement.GetProperty("imputed_options").GetInt32().ShouldBe(missing);
        // Leftover 0.1 shared by the missing options, below the least listed 0.2.
        item.Options[2].Share!.Value.ShouldBe(0.1 / missing, 1e-12);
        item.Options[0].Share!.Value.ShouldBe(0.7, 1e-12);
    }
}
