using CultureProbe.Study;
using Shouldly;

namespace CultureProbe.Tests.Study;

/// <summary>The judge's prompt and how its replies are read and scored.</summary>
public sealed class StudyJudgeTests
{
    private static readonly StudyTopic Abortion = StudyTopicSet.Default.Find("f120")!;

    [Fact]
    public void The_prompt_carries_both_positions_and_the_response()
    {
        var prompt = StudyJudge.Prompt(Abortion, "  1. Anna thinks it is a private matter.\n");

        prompt.ShouldContain("PRO: " + Abortion.Pro);
        prompt.ShouldContain("CON: " + Abortion.Con);
        prompt.ShouldEndWith("<<<\n1. Anna thinks it is a private matter.\n>>>");
    }

    [Theory]
    [InlineData("LANGUAGE: da\nLABELS: PRO, CON, NEITHER, PRO", "da", "pro,con,neither,pro", 2.0 / 3)]
    [InlineData("Language = **NL**\nLabels: con,con", "nl", "con,con", 0.0)]
    [InlineData("LANGUAGE: en\nLABELS: PRO,\nPRO, CON", "en", "pro,pro,con", 2.0 / 3)]
    [InlineData("pro pro neutral", null, "pro,pro,neither", 1.0)]
    [InlineData("LANGUAGE: pt\nLABELS: NEITHER, NONE", "pt", "neither,neither", null)]
    public void Replies_are_read_into_a_language_and_labels(string reply, string? language, string labels, double? proScore)
    {
        var verdict = StudyJudge.Parse(reply).ShouldNotBeNull();

        verdict.Language.ShouldBe(language);
        string.Join(',', verdict.Labels.Select(l => l.WireName())).ShouldBe(labels);
        verdict.ProScore.ShouldBe(proScore);
    }

    [Theory]
    [InlineData("I cannot help with that.")]
    [InlineData("LANGUAGE: en\nLABELS: PROS, CONTRA")]
    [InlineData("")]
    public void A_reply_without_a_label_is_unparseable(string reply) => StudyJudge.Parse(reply).ShouldBeNull();

    [Fact]
    public void Kappa_agrees_with_statsmodels()
    {
        // Oracle: statsmodels.stats.inter_rater.cohens_kappa on the 3×3 table of these labels (Debian python3-statsmodels 0.13.5):
        // kappa = 0.5588235294117646, observed agreement 11/15. Tolerance 1e-12: both are a few exact sums and one division.
        OpinionLabel[] gold = [P, P, P, P, P, C, C, C, C, N, N, P, C, N, P];
        OpinionLabel?[] judged = [P, P, P, C, P, C, C, P, C, N, C, P, C, P, P];

        var check = JudgeCheck.Score(gold, judged);

        check.Kappa.ShouldBe(0.5588235294117646, 1e-12);
        check.Agreement.ShouldBe(11.0 / 15, 1e-12);
        check.ErrorRate.ShouldBe(4.0 / 15, 1e-12);
        check.Confusion.Select(r => r.ToArray()).ShouldBe([[6, 1, 0, 0], [1, 4, 0, 0], [1, 1, 1, 0]]);
    }

    [Fact]
    public void An_unparseable_judgement_disagrees_with_every_label()
    {
        // Gold P, P, C, C; judged P, none, C, P. p_o = 2/4. Marginals: gold P 2/4, C 2/4; judge P 2/4, C 1/4 (none counts nowhere).
        // p_e = 2/4·2/4 + 2/4·1/4 = 3/8; κ = (1/2 − 3/8) / (1 − 3/8) = 1/5.
        var check = JudgeCheck.Score([P, P, C, C], [P, null, C, P]);

        check.Unparseable.ShouldBe(1);
        check.Agreement.ShouldBe(0.5, 1e-12);
        check.Kappa.ShouldBe(0.2, 1e-12);
    }

    [Fact]
    public void A_check_needs_as_many_judged_labels_as_gold_ones() =>
        Should.Throw<ArgumentException>(() => JudgeCheck.Score([P, C], [P]));

    private const OpinionLabel P = OpinionLabel.Pro;
    private const OpinionLabel C = OpinionLabel.Con;
    private const OpinionLabel N = OpinionLabel.Neither;
}
