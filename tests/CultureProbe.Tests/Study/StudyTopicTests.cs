using CultureProbe.Study;
using Shouldly;

namespace CultureProbe.Tests.Study;

/// <summary>The study's topics and how answers become pro or con (Rystrøm, Kirk &amp; Hale's binarisation).</summary>
public sealed class StudyTopicTests
{
    private static StudyTopic Topic(int max, bool reversed = false) =>
        new("t", "T", "t", max, reversed, true, "pro", "con", new Dictionary<string, IReadOnlyList<string>> { ["en"] = ["t"] });

    // Expected pro codes written out from the paper's rule (process_wvs.py, SPEC a.3), not from the code under test:
    // max 3 → {1}; max 10 → {6..10}; otherwise {1..max/2} with integer division; reversed → the complement among 1..max.
    [Theory]
    [InlineData(2, false, new[] { 1 })]
    [InlineData(3, false, new[] { 1 })]
    [InlineData(4, false, new[] { 1, 2 })]
    [InlineData(5, false, new[] { 1, 2 })]
    [InlineData(8, false, new[] { 1, 2, 3, 4 })]
    [InlineData(10, false, new[] { 6, 7, 8, 9, 10 })]
    [InlineData(11, false, new[] { 1, 2, 3, 4, 5 })]
    [InlineData(10, true, new[] { 1, 2, 3, 4, 5 })]
    [InlineData(4, true, new[] { 3, 4 })]
    public void Codes_on_the_pro_side_follow_the_papers_rule(int max, bool reversed, int[] expectedPro)
    {
        var topic = Topic(max, reversed);

        Enumerable.Range(1, max).Where(code => topic.IsPro(code) == true).ShouldBe(expectedPro);
        Enumerable.Range(1, max).Where(code => topic.IsPro(code) == false).ShouldBe(Enumerable.Range(1, max).Except(expectedPro));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(-5)]
    [InlineData(11)]
    public void Zero_negative_and_above_scale_codes_are_not_answers(int code) => Topic(10).IsPro(code).ShouldBeNull();

    [Fact]
    public void The_shipped_topics_are_the_papers_37_with_their_scales()
    {
        var topics = StudyTopicSet.Default.Topics;

        topics.Count.ShouldBe(37);
        topics.Count(t => !t.InPaper).ShouldBe(5);
        topics.Where(t => !t.InPaper).Select(t => t.Key).ShouldBe(["e028", "e225", "e226", "e227", "e228"], ignoreOrder: true);
        topics.Single(t => t.Reversed).Key.ShouldBe("e035");
        // Scales from the EVS/WVS codebook (SPEC a.2).
        StudyTopicSet.Default.Find("F028")!.ScaleMax.ShouldBe(8);
        StudyTopicSet.Default.Find("e028")!.ScaleMax.ShouldBe(3);
        StudyTopicSet.Default.Find("c001_01")!.ScaleMax.ShouldBe(5);
        StudyTopicSet.Default.Find("h011")!.ScaleMax.ShouldBe(4);
        topics.Count(t => t.ScaleMax == 10).ShouldBe(18);
        foreach (var topic in topics)
        {
            topic.Paraphrases.Keys.ShouldBe(["en", "da", "nl", "pt"], ignoreOrder: true, customMessage: topic.Key);
            topic.Paraphrases.Values.ShouldAllBe(p => p.Count == 5, topic.Key);
            topic.Ivs.ShouldBe(topic.Key.ToUpperInvariant());
        }
    }

    [Fact]
    public void A_bad_topics_file_names_every_problem_with_its_topic_and_field()
    {
        const string yaml = """
            version: 1
            topics:
              - key: f120
                ivs: F120
                scaleMax: 1
                pro: yes
                con: no
                paraphrases: { en: ["abortion"] }
              - key: f120
                ivs: F120
              - key: f121
                scaleMax: 10
                pro: yes
                paraphrases: { en: [] }
            """;

        var error = Should.Throw<InputException>(() => StudyTopicSet.Parse(yaml, "my-topics.yaml"));

        error.Message.ShouldStartWith("my-topics.yaml: the topics are invalid (5 problems)");
        error.Message.ShouldContain("topics[0] (f120).scaleMax: expected the highest answer code, 2 to 11, found '1'");
        error.Message.ShouldContain("topics[1] (f120).key: expected a unique");
        error.Message.ShouldContain("topics[2] (f121).ivs:");
        error.Message.ShouldContain("topics[2] (f121): expected both 'pro' and 'con'");
        error.Message.ShouldContain("topics[2] (f121).paraphrases.en: expected non-empty phrases");
    }

    [Fact]
    public void A_topics_file_that_is_not_yaml_names_its_line() =>
        Should.Throw<InputException>(() => StudyTopicSet.Parse("topics:\n  - key: [unclosed\n", "t.yaml")).Message.ShouldStartWith("t.yaml:");
}
