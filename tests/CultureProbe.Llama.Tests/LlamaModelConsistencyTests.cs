using CultureProbe.Models;

namespace CultureProbe.Llama.Tests;

/// <summary>
/// The shared-prefix scorer, the naive one and every thread count or batch size must give the same numbers.
/// Tolerance 1e-4 nats: the same float32 kernels run on the same values, and only the order of a few reductions
/// (batch shape, thread split) differs, which moves results by about 1e-6 here.
/// </summary>
public sealed class LlamaModelConsistencyTests(TinyModels models)
{
    private const double Tolerance = 1e-4;

    private static OptionRequest WvsShaped()
    {
        string[] answers = [" Strongly agree", " agree", " disagree", " Strongly disagree"];
        return Requests.Tree("The answer is important to people. How important is the country?",
            (" In Japan people answer:", answers),
            (" In France people answer:", answers),
            (" In the country people answer:", [.. answers, " no", " yes"]));
    }

    private async Task<LikelihoodResult> Score(LlamaModelOptions options, bool exact = true)
    {
        var baseOptions = exact ? TinyModels.Exact : new LlamaModelOptions { ContextSize = 512 };
        await using var model = await LlamaModel.OpenAsync(models.Gqa, options with { F32KvCache = baseOptions.F32KvCache, ContextSize = options.ContextSize ?? baseOptions.ContextSize },
            TestContext.Current.CancellationToken);
        return await model.ScoreAsync(WvsShaped(), TestContext.Current.CancellationToken);
    }

    private static void ShouldAgree(LikelihoodResult actual, LikelihoodResult expected)
    {
        actual.Branches.Count.ShouldBe(expected.Branches.Count);
        for (var b = 0; b < expected.Branches.Count; b++)
        {
            for (var c = 0; c < expected.Branches[b].Count; c++)
            {
                var x = actual.Branches[b][c];
                var y = expected.Branches[b][c];
                x.Tokens.Select(t => t.Id).ShouldBe(y.Tokens.Select(t => t.Id));
                for (var t = 0; t < y.Tokens.Count; t++)
                {
                    x.Tokens[t].LogProb.ShouldBe(y.Tokens[t].LogProb, Tolerance);
                }
                x.IsGreedy.ShouldBe(y.IsGreedy);
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Shared_prefix_and_naive_agree(bool exact)
    {
        var shared = await Score(new LlamaModelOptions(), exact);
        var naive = await Score(new LlamaModelOptions { Naive = true }, exact);
        ShouldAgree(shared, naive);
    }

    [Fact]
    public async Task Thread_count_does_not_change_results()
    {
        ShouldAgree(await Score(new LlamaModelOptions { Threads = 1 }), await Score(new LlamaModelOptions { Threads = 2 }));
    }

    [Theory]
    [InlineData(5, 64)]
    [InlineData(512, 3)]
    [InlineData(7, 2)]
    public async Task Batch_size_and_parallel_sequences_do_not_change_results(int batch, int sequences)
    {
        ShouldAgree(await Score(new LlamaModelOptions { BatchSize = batch, MaxParallelSequences = sequences }), await Score(new LlamaModelOptions()));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(512)]
    public async Task Small_group_budgets_give_the_same_results(int groupCells)
    {
        ShouldAgree(await Score(new LlamaModelOptions { GroupCells = groupCells }), await Score(new LlamaModelOptions()));
    }

    [Fact]
    public async Task Requests_scored_together_give_what_each_gives_alone()
    {
        // Four question trees with different prefixes (and one with a prefix of another's) in flight at once: the model
        // scores them in one pass (each prefix in its own sequence, the leaves in groups), and every result must equal the
        // result of scoring that request by itself on a model that coalesces nothing.
        string[] answers = [" Strongly agree", " agree", " disagree"];
        OptionRequest[] requests =
        [
            WvsShaped(),
            Requests.Tree("Is the answer important?", (" In Japan:", answers), (" In France:", answers)),
            Requests.Tree("The answer is important to people.", (" In Japan people answer:", answers)),
            Requests.Tree("People in the country answer", (" yes", answers), (" no", [" agree"])),
        ];
        var token = TestContext.Current.CancellationToken;
        await using var together = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact with { CoalescedRequests = 4 }, token);
        await using var alone = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact with { CoalescedRequests = 1 }, token);

        together.ResetStatistics();
        var coalesced = await Task.WhenAll(requests.Select(r => together.ScoreAsync(r, token)));
        var callsTogether = together.Statistics.DecodeCalls;
        alone.ResetStatistics();
        var separate = new List<LikelihoodResult>();
        foreach (var request in requests)
        {
            separate.Add(await alone.ScoreAsync(request, token));
        }

        for (var i = 0; i < requests.Length; i++)
        {
            ShouldAgree(coalesced[i], separate[i]);
        }
        callsTogether.ShouldBeLessThan(alone.Statistics.DecodeCalls, "scoring the requests together needs fewer decode calls");
    }

    [Fact]
    public async Task A_bad_request_scored_with_others_fails_alone()
    {
        var token = TestContext.Current.CancellationToken;
        await using var model = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact with { CoalescedRequests = 4 }, token);
        var tooLong = Requests.Tree(string.Concat(Enumerable.Repeat("The answer is important to people. ", 200)), (" In Japan:", [" yes"]));

        var results = new[] { model.ScoreAsync(WvsShaped(), token), model.ScoreAsync(tooLong, token), model.ScoreAsync(WvsShaped(), token) };
        await Should.ThrowAsync<ContextOverflowException>(() => results[1]);

        ShouldAgree(await results[0], await results[2]);
    }

    [Fact]
    public async Task Continuations_that_do_not_fit_the_cells_together_are_split_into_groups()
    {
        // 256 cells (llama.cpp's smallest context here) cannot hold twelve continuations of about 40 byte tokens
        // each at once, so the scorer must run them in several groups over the same decoded prefix.
        var answers = Enumerable.Range(0, 12).Select(i => $" answer {i}: " + new string((char)('a' + i), 30) + " 123").ToArray();
        var request = Requests.Tree("The answer is important.", (" In Japan", answers[..6]), (" In France", answers[6..]));
        var options = TinyModels.Exact with { ContextSize = 256 };
        await using var shared = await LlamaModel.OpenAsync(models.Gqa, options, TestContext.Current.CancellationToken);
        await using var naive = await LlamaModel.OpenAsync(models.Gqa, options with { Naive = true }, TestContext.Current.CancellationToken);
        shared.ContextSize.ShouldBe(256);

        var a = await shared.ScoreAsync(request, TestContext.Current.CancellationToken);
        var b = await naive.ScoreAsync(request, TestContext.Current.CancellationToken);

        a.Branches[0][0].TokenCount.ShouldBeGreaterThan(30);
        ShouldAgree(a, b);
    }

    [Fact]
    public async Task A_cancelled_request_stops_with_OperationCanceledException()
    {
        await using var model = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact, TestContext.Current.CancellationToken);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => model.ScoreAsync(WvsShaped(), cancelled.Token));
        // The model stays usable afterwards.
        (await model.ScoreTokensAsync([1, 300, 271], TestContext.Current.CancellationToken)).LogProbs.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Greedy_flag_matches_the_most_probable_token()
    {
        await using var model = await LlamaModel.OpenAsync(models.Gqa, TinyModels.Exact, TestContext.Current.CancellationToken);
        var score = await model.ScoreTokensAsync([1, 300, 271], TestContext.Current.CancellationToken);
        // A token is greedy exactly when its probability is at least that of every other token; compare with rivals.
        for (var candidate = 0; candidate < model.VocabularySize; candidate += 37)
        {
            var rival = await model.ScoreTokensAsync([1, candidate], TestContext.Current.CancellationToken);
            if (!score.Tokens[1].IsGreedy)
            {
                break;
            }
            rival.LogProbs[0].ShouldBeLessThanOrEqualTo(score.LogProbs[0] + 1e-9);
        }
        score.Tokens.Count.ShouldBe(3);
    }
}
