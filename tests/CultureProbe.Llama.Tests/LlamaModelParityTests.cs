using CultureProbe.Llama.Tests.Reference;
using CultureProbe.Models;

namespace CultureProbe.Llama.Tests;

/// <summary>
/// llama.cpp against the float64 reference. Tolerance 1e-3 nats per token with the F32 KV cache: llama.cpp computes in
/// float32, whose rounding over a few hundred multiply-adds per value stays around 1e-5 on these sizes, so 1e-3 leaves
/// room without hiding a wrong formula (a wrong RoPE pairing or norm moves log-probs by tenths of a nat).
/// </summary>
public sealed class LlamaModelParityTests(TinyModels models)
{
    private const double Tolerance = 1e-3;

    public static TheoryData<string> ModelNames => ["gqa", "tied"];

    private string PathOf(string name) => name == "gqa" ? models.Gqa : models.Tied;

    [Theory]
    [MemberData(nameof(ModelNames))]
    public async Task Continuation_log_probs_match_the_reference(string name)
    {
        var path = PathOf(name);
        var reference = new ReferenceLlama(path);
        await using var model = await LlamaModel.OpenAsync(path, TinyModels.Exact, TestContext.Current.CancellationToken);
        var request = Requests.Tree("The answer is important. In Japan people",
            (" agree", [" yes", " no", " Strongly agree", "xyz q"]),
            (" disagree. Answer:", [" yes", " Strongly disagree"]));

        var result = await model.ScoreAsync(request, TestContext.Current.CancellationToken);

        for (var b = 0; b < request.Branches.Count; b++)
        {
            var branch = request.Branches[b];
            for (var c = 0; c < branch.Choices.Count; c++)
            {
                var joint = model.Tokenize(request.Prefix + branch.Suffix + branch.Choices[c].Text);
                var expected = reference.LogProbs(joint);
                var score = result.Branches[b][c];
                score.Tokens.Count.ShouldBeGreaterThan(0);
                var first = joint.Length - score.Tokens.Count;
                for (var t = 0; t < score.Tokens.Count; t++)
                {
                    score.Tokens[t].Id.ShouldBe(joint[first + t]);
                    score.Tokens[t].LogProb.ShouldBe(expected[first + t - 1], Tolerance);
                }
                score.Sum.ShouldBe(score.Tokens.Sum(t => t.LogProb), 1e-12);
            }
        }
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public async Task Token_ids_match_the_reference_in_both_modes(string name)
    {
        var path = PathOf(name);
        var reference = new ReferenceLlama(path);
        int[] ids = [1, 300, 271, 45, 200, 100, 288, 390, 262, 7, 7, 350];
        var expected = reference.LogProbs(ids);
        foreach (var naive in new[] { false, true })
        {
            await using var model = await LlamaModel.OpenAsync(path, TinyModels.Exact with { Naive = naive }, TestContext.Current.CancellationToken);
            var score = await model.ScoreTokensAsync(ids, TestContext.Current.CancellationToken);
            score.LogProbs.Count.ShouldBe(ids.Length - 1);
            for (var i = 0; i < expected.Length; i++)
            {
                score.LogProbs[i].ShouldBe(expected[i], Tolerance);
            }
        }
    }

    [Fact]
    public async Task Stories260K_matches_its_documented_check_value_and_the_reference()
    {
        var path = TinyModels.Stories260K;
        if (path is null)
        {
            Assert.Skip("../shared/models/stories260K.gguf is not present next to the repository");
        }
        int[] ids = [1, 300, 271, 45, 400, 100, 288, 500, 262, 7];
        var expected = new ReferenceLlama(path).LogProbs(ids);
        // Documented in ../shared/models/NOTE.md: sum -107.4252, first three -10.8722, -9.1516, -17.2617.
        expected.Sum().ShouldBe(-107.4252, 1e-3);
        expected[0].ShouldBe(-10.8722, 1e-3);
        foreach (var naive in new[] { false, true })
        {
            await using var model = await LlamaModel.OpenAsync(path, TinyModels.Exact with { Naive = naive }, TestContext.Current.CancellationToken);
            var score = await model.ScoreTokensAsync(ids, TestContext.Current.CancellationToken);
            score.Sum.ShouldBe(-107.4252, 9 * Tolerance);
            for (var i = 0; i < expected.Length; i++)
            {
                score.LogProbs[i].ShouldBe(expected[i], Tolerance);
            }
        }
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(17, 2)]
    [InlineData(130, 3)]
    [InlineData(512, 4)]
    public async Task Random_token_sequences_on_stories260K_match_the_reference_in_both_modes(int length, int seed)
    {
        var path = TinyModels.Stories260K;
        if (path is null)
        {
            Assert.Skip("../shared/models/stories260K.gguf is not present next to the repository");
        }
        var random = new Random(seed);
        var ids = Enumerable.Range(0, length).Select(i => i == 0 ? 1 : random.Next(512)).ToArray();
        var expected = new ReferenceLlama(path).LogProbs(ids);
        foreach (var naive in new[] { false, true })
        {
            await using var model = await LlamaModel.OpenAsync(path, TinyModels.Exact with { Naive = naive }, TestContext.Current.CancellationToken);
            var score = await model.ScoreTokensAsync(ids, TestContext.Current.CancellationToken);
            for (var i = 0; i < expected.Length; i++)
            {
                score.LogProbs[i].ShouldBe(expected[i], Tolerance, $"position {i + 1}, naive = {naive}");
            }
        }
    }
}
