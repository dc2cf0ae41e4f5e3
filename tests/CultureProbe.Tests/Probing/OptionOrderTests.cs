using CultureProbe.Analysis;
using CultureProbe.Models;
using CultureProbe.Probing;
using CultureProbe.Prompts;
using CultureProbe.Surveys;
using Shouldly;

namespace CultureProbe.Tests.Probing;

/// <summary>Items asked with their options in several orders: prompts, keys, and the debiased answer.</summary>
public sealed class OptionOrderTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Rotations_list_every_option_first_once_and_reversed_adds_the_reverse()
    {
        var rotations = OptionOrders.Parse("rotations").For(4, "Q1");
        rotations.Select(o => o.Id).ShouldBe(["original", "rot1", "rot2", "rot3"]);
        rotations.Select(o => o.Listing.ToArray()).ShouldBe([[0, 1, 2, 3], [1, 2, 3, 0], [2, 3, 0, 1], [3, 0, 1, 2]]);
        OptionOrders.Parse("reversed").For(3, "Q1").Select(o => o.Listing.ToArray()).ShouldBe([[0, 1, 2], [2, 1, 0]]);
        OptionOrders.Parse("original").For(3, "Q1").ShouldHaveSingleItem().IsOriginal.ShouldBeTrue();
    }

    [Fact]
    public void Random_orders_are_permutations_drawn_from_the_seed_and_the_item_alone()
    {
        var orders = OptionOrders.Parse("random:5", seed: 3);
        var a = orders.For(6, "Q7").Select(o => string.Join(',', o.Listing)).ToArray();

        a.Length.ShouldBe(5);
        orders.For(6, "Q7").Select(o => string.Join(',', o.Listing)).ShouldBe(a, "the same seed and item give the same orders");
        OptionOrders.Parse("random:5", seed: 4).For(6, "Q7").Select(o => string.Join(',', o.Listing)).ShouldNotBe(a);
        orders.For(6, "Q7").ShouldAllBe(o => o.Listing.Order().SequenceEqual(Enumerable.Range(0, 6)));
    }

    [Theory]
    [InlineData("sideways")]
    [InlineData("random:0")]
    [InlineData("random:x")]
    [InlineData("random:101")]
    public void Unknown_schemes_are_refused_by_setting(string text) =>
        Should.Throw<SettingException>(() => OptionOrders.Parse(text)).Setting.ShouldBe("option_orders");

    [Fact]
    public void A_listed_distribution_maps_back_to_the_items_own_option_order()
    {
        // Listing [2, 0, 1]: position 0 shows option 2, position 1 option 0, position 2 option 1.
        new OptionOrder("x", [2, 0, 1]).ToOptionOrder([0.5, 0.3, 0.2]).ShouldBe([0.3, 0.2, 0.5]);
    }

    [Fact]
    public void With_several_orders_the_shared_prefix_ends_before_the_choices_and_letters_follow_positions()
    {
        var question = QuestionBankLoader.Default.Select("Q1").Single();
        var asked = AskedQuestion.Create(question);
        var template = PromptTemplateSet.BuiltIn().Default("en");
        var countries = CountryTable.Default.Select("USA,JPN");

        var single = PromptBuilder.Build(asked, countries, template, AnswerFormat.LetterAndText);
        var rotated = PromptBuilder.Build(asked, countries, template, AnswerFormat.LetterAndText, orders: OptionOrders.Parse("rotations"));

        rotated.Branches.Count.ShouldBe(4 * 2, "Q1 has four options: four orders × two countries");
        rotated.Prefix.ShouldContain(question.Text);
        rotated.Prefix.ShouldNotContain(asked.Options[0].Label, Case.Sensitive, "the choices belong to each order's branch");
        // The original order's full prompts and answers are exactly those of a run in the original order alone.
        for (var c = 0; c < 2; c++)
        {
            rotated.PromptFor(rotated.Branches[c]).ShouldBe(single.PromptFor(single.Branches[c]));
            rotated.Branches[c].Choices.ShouldBe(single.Branches[c].Choices);
        }
        // Rotation 1 lists option 1 first under the letter A.
        var rot1 = rotated.Branches[2];
        rot1.ListedOrder.Id.ShouldBe("rot1");
        rot1.Choices[0].ShouldBe(new AnswerChoice("A", asked.Options[1].Label, $" A) {asked.Options[1].Label}"));
        rot1.Suffix.ShouldContain($"A) {asked.Options[1].Label}");
    }

    [Fact]
    public void Keys_of_the_original_order_are_unchanged_and_other_orders_get_their_own()
    {
        var pack = ProbeHarness.SyntheticPack(_temp, "USA,JPN");
        var model = ProbeHarness.Planned(new FakeLikelihoodModel("m"));
        var plain = ProbePlan.Create(ProbeHarness.Spec("Q1-Q3", "USA,JPN"), new SurveyIndex(pack)).With(model);
        var rotated = ProbePlan.Create(ProbeHarness.Spec("Q1-Q3", "USA,JPN") with { Orders = OptionOrders.Parse("rotations") }, new SurveyIndex(pack)).With(model);

        var plainKeys = plain.Trees.SelectMany(t => t.Items).Select(i => i.Key).ToHashSet();
        var rotatedItems = rotated.Trees.SelectMany(t => t.Items).ToArray();
        rotatedItems.Where(i => i.Branch.ListedOrder.IsOriginal).Select(i => i.Key).ShouldBe(plainKeys, ignoreOrder: true);
        rotatedItems.Select(i => i.Key).Distinct().Count().ShouldBe(rotatedItems.Length);
        rotatedItems.ShouldAllBe(i => i.HumanShares == rotatedItems.First(o => o.Branch.Country == i.Branch.Country && o.Branch.ListedOrder.IsOriginal && rotated.Trees.Any(t => t.Items.Contains(i) && t.Items.Contains(o))).HumanShares);
    }

    /// <summary>
    /// With chance α the model picks whatever is listed first, otherwise it answers by its own preference: the probability
    /// of listed position p is α·[p = 0] + (1 − α)·pref(option at p), scaled by the mass m it puts on the answers.
    /// </summary>
    private sealed class FirstListedModel(double alpha, double mass, IReadOnlyDictionary<string, double> preferenceOfLabel) : ILikelihoodModel
    {
        public ModelIdentity Identity { get; } = new("first-listed", "fake", "fake://first-listed", null, new Dictionary<string, string>());

        public ModelFingerprint Fingerprint => ModelFingerprint.Of(("backend", "fake"), ("name", "first-listed"));

        public ScoringMethod Method => ScoringMethod.LogLikelihoodLocal;

        public PromptStyle PromptStyle => PromptStyle.Completion;

        public Task<LikelihoodResult> ScoreAsync(OptionRequest request, CancellationToken cancellationToken = default) =>
            Task.FromResult(new LikelihoodResult(request.Branches.Select(b => (IReadOnlyList<ContinuationScore>)b.Choices.Select((c, p) =>
            {
                var probability = mass * ((p == 0 ? alpha : 0) + ((1 - alpha) * preferenceOfLabel[c.Label]));
                return ContinuationScore.FromTokens(c.Text, [new ScoredToken(1, c.Text, Math.Log(probability), false)]);
            }).ToArray()).ToArray(), "fake"));

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Averaging_over_rotations_takes_a_first_listed_bias_out_as_known()
    {
        const double alpha = 0.4, mass = 0.3;
        var pack = ProbeHarness.SyntheticPack(_temp, "USA,JPN");
        var question = QuestionBankLoader.Default.Select("Q1").Single();
        double[] preference = [0.1, 0.2, 0.3, 0.4];
        var byLabel = question.Options.Select((o, i) => (o.Label, preference[i])).ToDictionary(x => x.Label, x => x.Item2);
        var model = new FirstListedModel(alpha, mass, byLabel);
        using var store = ResultStore.Open(_temp.File("orders.db"));

        var (results, summary, _) = await ProbeHarness.RunAsync(pack, ProbeHarness.Spec("Q1", "USA,JPN") with { Orders = OptionOrders.Parse("rotations") }, model, store);

        summary.Scored.ShouldBe(4 * 2, "four orders per country are measured and stored");
        results.Items.Count.ShouldBe(2, "and become one item per country");
        results.Method.OptionOrders.ShouldBe("rotations");
        foreach (var item in results.Items)
        {
            // By hand: each option is listed first in exactly one of the K = 4 rotations, so p̄(o) = α/K + (1 − α)·pref(o).
            item.ModelShares.ToArray().ShouldBe(preference.Select(p => (alpha / 4) + ((1 - alpha) * p)).ToArray(), 1e-12);
            item.Orders.ShouldBe(4);
            // The first-listed option gets α + (1 − α)·pref of whichever option it is; over the rotations: α + (1 − α)/K.
            item.FirstListedShare.ShouldBe(alpha + ((1 - alpha) / 4), 1e-12);
            item.ValidMass.ShouldBe(mass, 1e-12);
            item.OrderJsDistance.ShouldBe(MeanPairwiseJsDistance(alpha, preference), 1e-12);
        }
        var row = results.Alignment.Single(r => r.GroupKind == GroupKind.All);
        row.MeanFirstListedShare.ShouldBe(alpha + ((1 - alpha) / 4), 1e-12);
        row.LowMassItems.ShouldBe(0, "0.3 is above the default threshold of 0.1");

        // The files carry the same figures.
        var folder = _temp.File("files");
        ResultsFiles.WriteAll(results, folder);
        var items = File.ReadAllLines(Path.Combine(folder, ResultsFiles.ItemsCsv));
        var header = items[0].Split(',');
        var first = items[1].Split(',');
        first[Array.IndexOf(header, "option_orders")].ShouldBe("rotations");
        first[Array.IndexOf(header, "orders")].ShouldBe("4");
        double.Parse(first[Array.IndexOf(header, "first_listed_share")], System.Globalization.CultureInfo.InvariantCulture).ShouldBe(alpha + ((1 - alpha) / 4), 1e-12);
        double.Parse(first[Array.IndexOf(header, "valid_mass")], System.Globalization.CultureInfo.InvariantCulture).ShouldBe(mass, 1e-12);
        first[Array.IndexOf(header, "low_mass")].ShouldBe("false");
        var alignmentHeader = File.ReadLines(Path.Combine(folder, ResultsFiles.AlignmentCsv)).First().Split(',');
        alignmentHeader.ShouldContain("first_listed_share");
        alignmentHeader.ShouldContain("low_mass_items");
        alignmentHeader.ShouldContain("noise_ceiling");
    }

    [Fact]
    public async Task In_the_original_order_alone_the_bias_stays_and_low_mass_is_counted()
    {
        const double alpha = 0.4, mass = 0.02;
        var pack = ProbeHarness.SyntheticPack(_temp, "USA");
        var question = QuestionBankLoader.Default.Select("Q1").Single();
        double[] preference = [0.1, 0.2, 0.3, 0.4];
        var model = new FirstListedModel(alpha, mass, question.Options.Select((o, i) => (o.Label, preference[i])).ToDictionary(x => x.Label, x => x.Item2));
        using var store = ResultStore.Open(_temp.File("original.db"));

        var (results, _, _) = await ProbeHarness.RunAsync(pack, ProbeHarness.Spec("Q1", "USA"), model, store);

        var item = results.Items.ShouldHaveSingleItem();
        item.ModelShares.ToArray().ShouldBe([alpha + ((1 - alpha) * 0.1), (1 - alpha) * 0.2, (1 - alpha) * 0.3, (1 - alpha) * 0.4], 1e-12);
        item.FirstListedShare.ShouldBe(alpha + ((1 - alpha) * 0.1), 1e-12);
        double.IsNaN(item.OrderJsDistance).ShouldBeTrue("one order has nothing to differ from");
        results.Alignment.Single(r => r.GroupKind == GroupKind.Country).LowMassItems.ShouldBe(1, "2 % of the mass on the answers is below the threshold");
    }

    [Fact]
    public void The_valid_mass_of_share_methods_comes_from_their_details()
    {
        StoredItem Item(ScoringMethod method, string details, params double[] shares) =>
            new("k", "m", "Q1", "USA", "t", method, shares.Select(s => new ScoredOption("x", Share: s)).ToArray(), details);

        ResultsBuilder.ValidMassOf(Item(ScoringMethod.ChatSampling, """{"method":"chat-sampling","n":20,"parsed":15,"unparseable":5}""", 0.5, 0.5)).ShouldBe(0.75);
        // Top-logprobs: 0.6 + 0.3 + 0.05 listed for the options, of which 0.05 was imputed: 0.9 on the options' keys.
        ResultsBuilder.ValidMassOf(Item(ScoringMethod.ChatTopLogProbs, """{"method":"chat-top-logprobs","imputed_mass":0.05}""", 0.6, 0.3, 0.05)).ShouldBe(0.9, 1e-12);
        double.IsNaN(ResultsBuilder.ValidMassOf(Item(ScoringMethod.ChatSampling, "not json", 1))).ShouldBeTrue();
    }

    /// <summary>The mean over pairs of rotations of the Jensen–Shannon distance (base 2), written out independently of the library.</summary>
    private static double MeanPairwiseJsDistance(double alpha, double[] preference)
    {
        var k = preference.Length;
        // Rotation r lists option r first, so mapped back to options: q_r(o) = α·[o = r] + (1 − α)·pref(o).
        var mapped = Enumerable.Range(0, k).Select(r => Enumerable.Range(0, k).Select(o => (o == r ? alpha : 0) + ((1 - alpha) * preference[o])).ToArray()).ToArray();
        static double Kl(double[] p, double[] m) => p.Select((x, i) => x == 0 ? 0 : x * Math.Log2(x / m[i])).Sum();
        var distances = new List<double>();
        for (var a = 0; a < k; a++)
        {
            for (var b = a + 1; b < k; b++)
            {
                var m = mapped[a].Select((x, i) => (x + mapped[b][i]) / 2).ToArray();
                distances.Add(Math.Sqrt((Kl(mapped[a], m) + Kl(mapped[b], m)) / 2));
            }
        }
        return distances.Average();
    }
}
