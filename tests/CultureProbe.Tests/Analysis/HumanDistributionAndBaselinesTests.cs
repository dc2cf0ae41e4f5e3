using CultureProbe.Analysis;
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

    private static SurveyPack Pack(params ItemDistribution[] items)
    {
        var countries = items.Select(i => i.Country).Distinct().ToDictionary(c => c, _ => 100L);
        var provenance = new SurveyPackProvenance("aggregate-csv", new SourceFile("test.csv", 0, ""), true, null, 0, countries,
            "none", "standard", "0", "", DateTimeOffset.UnixEpoch, []);
        return new SurveyPack(SurveyPack.CurrentFormatVersion, provenance, items, [], []);
    }

    [Fact]
    public void Other_codes_and_unknown_codes_are_left_out_and_the_rest_renormalised()
    {
        // Given shares over codes 1-4, the other code 5 and a stray code 9
        var item = Item("USA", (1, 0.2), (2, 0.3), (4, 0.1), (5, 0.3), (9, 0.1));

        var r = HumanDistribution.From(item, Question);

        // Then r covers codes 1..4 in option order, over the 0.6 that was on the scale
        r.ShouldNotBeNull();
        r.ShouldBe([0.2 / 0.6, 0.3 / 0.6, 0.0, 0.1 / 0.6], 1e-15);
        r.Sum().ShouldBe(1.0, 1e-15);
    }

    [Fact]
    public void Nothing_on_the_scale_gives_null()
    {
        HumanDistribution.From(Item("USA", (5, 1.0)), Question).ShouldBeNull();
        HumanDistribution.From(Pack(Item("USA", (1, 1.0))), "JPN", Question).ShouldBeNull();
    }

    [Fact]
    public void An_item_for_another_question_is_rejected()
    {
        var other = Item("USA", (1, 1.0)) with { Question = "Q51" };
        Should.Throw<ArgumentException>(() => HumanDistribution.From(other, Question));
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
        var pack = Pack(
            Item("AAA", (1, 1.0)),
            Item("BBB", (2, 0.5), (3, 0.5)) with { N = 5000 },
            Item("CCC", (4, 1.0)));
        var pooled = Baselines.Pooled(pack, Question, ["CCC", "AAA", "BBB", "ZZZ"]);
        pooled.ShouldNotBeNull();
        pooled.ShouldBe([1.0 / 3, 1.0 / 6, 1.0 / 6, 1.0 / 3], 1e-15);
        Baselines.Pooled(pack, Question, ["ZZZ"]).ShouldBeNull();
    }

    [Fact]
    public void Pooled_does_not_depend_on_country_order()
    {
        var pack = Pack(Item("AAA", (1, 0.1), (2, 0.7), (3, 0.2)), Item("BBB", (1, 0.3), (2, 0.3), (4, 0.4)), Item("CCC", (3, 0.9), (4, 0.1)));
        Baselines.Pooled(pack, Question, ["AAA", "BBB", "CCC"])
            .ShouldBe(Baselines.Pooled(pack, Question, ["CCC", "AAA", "BBB"]));
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
    public void Shuffled_country_control_returns_the_assigned_countrys_answers()
    {
        var pack = Pack(Item("AAA", (1, 1.0)), Item("BBB", (4, 1.0)));
        var assignment = Baselines.ShuffledCountryAssignment(["AAA", "BBB"], 0);
        Baselines.ShuffledCountry(pack, Question, "AAA", assignment).ShouldBe([0.0, 0.0, 0.0, 1.0]);
        Should.Throw<ArgumentException>(() => Baselines.ShuffledCountry(pack, Question, "CCC", assignment));
    }

    [Fact]
    public void Baseline_items_cover_every_country_with_answers()
    {
        var pack = Pack(Item("AAA", (1, 1.0)), Item("BBB", (4, 1.0)), Item("CCC", (2, 0.5), (3, 0.5)));

        var items = Baselines.Items(pack, [Question], ["CCC", "AAA", "BBB", "ZZZ"], seed: 3);

        items.Count.ShouldBe(9, "3 countries with answers × 3 baselines; ZZZ has none");
        var pooled = items.First(i => i.Baseline == Baselines.PooledName).Distribution;
        pooled.ShouldBe([1.0 / 3, 1.0 / 6, 1.0 / 6, 1.0 / 3], 1e-15);
        items.Where(i => i.Baseline == Baselines.UniformName).ShouldAllBe(i => i.Distribution.All(v => v == 0.25));
        // ZZZ has no answers in the pack, so it is no stand-in either.
        var assignment = Baselines.ShuffledCountryAssignment(["AAA", "BBB", "CCC"], 3);
        foreach (var shuffled in items.Where(i => i.Baseline == Baselines.ShuffledCountryName))
        {
            shuffled.Distribution.ShouldBe(HumanDistribution.From(pack, assignment[shuffled.Country], Question)!);
            shuffled.Human.ShouldBe(HumanDistribution.From(pack, shuffled.Country, Question)!);
        }
    }

    [Fact]
    public void A_single_country_gets_no_shuffled_control()
    {
        var items = Baselines.Items(Pack(Item("AAA", (1, 1.0))), [Question], ["AAA"], seed: 0);
        items.Select(i => i.Baseline).ShouldBe([Baselines.UniformName, Baselines.PooledName]);
    }
}
