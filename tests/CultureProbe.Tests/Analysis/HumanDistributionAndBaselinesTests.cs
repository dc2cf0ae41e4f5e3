using CultureProbe.Analysis;
using CultureProbe.Probing;
using CultureProbe.Prompts;
using CultureProbe.Surveys;
using Shouldly;

namespace CultureProbe.Tests.Analysis;

public sealed class HumanDistributionAndBaselinesTests
{
    // Q50: 4-point descending item (code 1 = high pole); code 5 is an "other" code off the scale.
    private static readonly SurveyQuestion Question = new(
        "Q50", 50, "social-values", "Agree?", true, ScaleDirection.Descending,
        [new AnswerOption(1, "Strongly agree", 3, 1.0), new AnswerOption(2, "Agree", 2, 1.0 / 3),
         new AnswerOption(3, "Disagree", 1, -1.0 / 3), new AnswerOption(4, "Strongly disagree", 0, -1.0)],
        [], null)
    {
        OtherCodes = [new AnswerOption(5, "Not applicable", null, null)],
    };

    private static ItemDistribution Item(string country, params (int Code, double Share)[] shares) =>
        new(country, "Q50", 100, 100.0, 100.0, shares.Select(s => new OptionShare(s.Code, s.Share, 10)).ToArray());

    [Fact]
    public void Other_codes_and_unknown_codes_are_left_out_and_the_rest_renormalised()
    {
        // Given shares over codes 1-4, the other code 5 and a stray code 9
        var item = Item("USA", (1, 0.2), (2, 0.3), (4, 0.1), (5, 0.3), (9, 0.1));

        var r = AskedQuestion.Create(Question).HumanShares(item);

        // Then r covers codes 1..4 in option order, over the 0.6 that was on the scale
        r.ShouldNotBeNull();
        r.ShouldBe([0.2 / 0.6, 0.3 / 0.6, 0.0, 0.1 / 0.6], 1e-15);
        r.Sum().ShouldBe(1.0, 1e-15);
    }

    [Fact]
    public void Nothing_on_the_scale_gives_null()
    {
        AskedQuestion.Create(Question).HumanShares(Item("USA", (5, 1.0))).ShouldBeNull();
        AskedQuestion.Create(Question).HumanShares(null).ShouldBeNull();
    }

    [Fact]
    public void Shares_that_are_not_finite_non_negative_numbers_count_as_zero()
    {
        var r = AskedQuestion.Create(Question).HumanShares(Item("USA", (1, 0.5), (2, double.NaN), (3, -0.2), (4, 0.5)));
        r.ShouldNotBeNull();
        r.ShouldBe([0.5, 0.0, 0.0, 0.5]);
        AskedQuestion.Create(Question).HumanShares(Item("USA", (1, double.PositiveInfinity), (2, 0.5))).ShouldBe([0.0, 1.0, 0.0, 0.0]);
    }

    [Fact]
    public void A_collapsed_option_sums_the_shares_of_its_codes()
    {
        var r = HumanDistribution.Over(Item("USA", (1, 0.2), (2, 0.3), (3, 0.1), (4, 0.2), (5, 0.2)), [[1, 2], [3, 4]]);
        r.ShouldNotBeNull();
        r.ShouldBe([0.5 / 0.8, 0.3 / 0.8], 1e-15);
    }

    [Fact]
    public void Uniform_spreads_evenly()
    {
        Baselines.Uniform(4).ShouldBe([0.25, 0.25, 0.25, 0.25]);
        Should.Throw<ArgumentOutOfRangeException>(() => Baselines.Uniform(0));
    }

    [Fact]
    public void Pooled_weights_each_country_equally_whatever_its_sample()
    {
        // Given one model's items for three countries, one of which has a much larger sample
        var items = new[] { Compared("AAA", [1.0, 0, 0, 0]), Compared("BBB", [0, 0.5, 0.5, 0]), Compared("CCC", [0, 0, 0, 1.0]) };

        var pooled = AlignmentBuilder.BaselineStandIns(items, seed: 0).Where(b => b.Baseline == Baseline.Pooled).ToArray();

        pooled.Length.ShouldBe(3, "one pooled stand-in per item");
        pooled.ShouldAllBe(b => b.Item.ModelShares.SequenceEqual(pooled[0].Item.ModelShares));
        pooled[0].Item.ModelShares.ShouldBe([1.0 / 3, 1.0 / 6, 1.0 / 6, 1.0 / 3], 1e-15);
        pooled.Select(b => b.Item.HumanShares).ShouldBe(items.Select(i => i.HumanShares), "each stand-in keeps its country's population");
    }

    [Fact]
    public void Pooled_does_not_depend_on_item_order()
    {
        var items = new[] { Compared("AAA", [0.1, 0.7, 0.2, 0]), Compared("BBB", [0.3, 0.3, 0, 0.4]), Compared("CCC", [0, 0, 0.9, 0.1]) };
        var forward = AlignmentBuilder.BaselineStandIns(items, 0).First(b => b.Baseline == Baseline.Pooled).Item.ModelShares;
        var backward = AlignmentBuilder.BaselineStandIns(items.Reverse().ToArray(), 0).First(b => b.Baseline == Baseline.Pooled).Item.ModelShares;
        backward.ShouldBe(forward);
    }

    [Fact]
    public void Shuffled_assignment_is_a_seeded_derangement()
    {
        string[] countries = ["USA", "JPN", "DEU", "NGA", "BRA", "IND", "EGY"];
        for (var seed = 0; seed < 200; seed++)
        {
            var assignment = Baselines.ShuffledCountryAssignment(countries, seed);
            assignment.Keys.Order(StringComparer.Ordinal).ShouldBe(countries.Order(StringComparer.Ordinal));
            assignment.Values.Order(StringComparer.Ordinal).ShouldBe(countries.Order(StringComparer.Ordinal), "a permutation");
            assignment.ShouldAllBe(pair => pair.Key != pair.Value);
            // Depends only on the set and the seed.
            Baselines.ShuffledCountryAssignment(countries.Reverse(), seed).ShouldBe(assignment);
        }
        Baselines.ShuffledCountryAssignment(["A", "B"], 3).ShouldBe(new Dictionary<string, string> { ["A"] = "B", ["B"] = "A" });
        Should.Throw<ArgumentException>(() => Baselines.ShuffledCountryAssignment(["USA", "USA"], 0));
    }

    [Fact]
    public void Shuffled_assignment_reaches_every_derangement_of_three()
    {
        // Three countries have exactly two derangements (the two 3-cycles); both must occur.
        var seen = Enumerable.Range(0, 50)
            .Select(seed => string.Join(",", Baselines.ShuffledCountryAssignment(["A", "B", "C"], seed).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value)))
            .ToHashSet();
        seen.ShouldBe(["B,C,A", "C,A,B"], ignoreOrder: true);
    }

    [Fact]
    public void Shuffled_country_control_takes_the_assigned_countrys_answers_where_it_has_the_question()
    {
        // Given three countries, one of which (CCC) lacks Q51
        var items = new[]
        {
            Compared("AAA", [1.0, 0, 0, 0]), Compared("BBB", [0, 0, 0, 1.0]), Compared("CCC", [0, 1.0, 0, 0]),
            Compared("AAA", [0.5, 0.5, 0, 0], "Q51"), Compared("BBB", [0, 0, 0.5, 0.5], "Q51"),
        };
        var assignment = Baselines.ShuffledCountryAssignment(["AAA", "BBB", "CCC"], 3);

        var shuffled = AlignmentBuilder.BaselineStandIns(items, seed: 3).Where(b => b.Baseline == Baseline.ShuffledCountry).Select(b => b.Item).ToArray();

        foreach (var standIn in shuffled)
        {
            var source = items.Single(i => i.Group == assignment[standIn.Group] && i.Question == standIn.Question);
            standIn.ModelShares.ShouldBe(source.HumanShares);
            standIn.HumanShares.ShouldBe(items.Single(i => i.Group == standIn.Group && i.Question == standIn.Question).HumanShares);
        }
        var expectedQ51 = items.Count(i => i.Question == "Q51" && assignment[i.Group] != "CCC");
        shuffled.Count(s => s.Question == "Q51").ShouldBe(expectedQ51, "a stand-in country without the question gives no stand-in");
        shuffled.Count(s => s.Question == "Q50").ShouldBe(3);
    }

    [Fact]
    public void A_single_country_gets_no_shuffled_control()
    {
        var standIns = AlignmentBuilder.BaselineStandIns([Compared("AAA", [1.0, 0, 0, 0])], seed: 0);
        standIns.Select(b => b.Baseline).ShouldBe([Baseline.Pooled]);
    }

    private static ComparedItem Compared(string country, double[] human, string question = "Q50") =>
        new("m", country, question, "social-values", ["1", "2", "3", "4"], ["a", "b", "c", "d"], [0.25, 0.25, 0.25, 0.25], human, [1.0, 1.0 / 3, -1.0 / 3, -1.0], [3, 2, 1, 0]);
}
