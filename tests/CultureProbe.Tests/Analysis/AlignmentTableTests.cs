using CultureProbe.Analysis;
using Shouldly;

namespace CultureProbe.Tests.Analysis;

public sealed class AlignmentTableTests
{
    private static readonly AlignmentOptions FastOptions = new(BootstrapResamples: 200, Seed: 42);

    private static MeanScorePair[] CountryPairs(string model, string country, int questions, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(1, questions).Select(q =>
        {
            var human = (random.NextDouble() * 2.0) - 1.0;
            var modelMean = (0.5 * human) + (0.3 * ((random.NextDouble() * 2.0) - 1.0));
            return new MeanScorePair(model, country, $"Q{q}", modelMean, human);
        }).ToArray();
    }

    [Fact]
    public void Per_country_rows_carry_the_correlations_of_that_countrys_questions()
    {
        var pairs = CountryPairs("m", "USA", 30, 1).Concat(CountryPairs("m", "JPN", 25, 2)).ToArray();

        var rows = AlignmentTable.PerCountry(pairs, FastOptions);

        rows.Select(r => r.Country).ShouldBe(["JPN", "USA"]);
        foreach (var row in rows)
        {
            var own = pairs.Where(p => p.Country == row.Country).ToArray();
            row.N.ShouldBe(own.Length);
            row.Category.ShouldBeNull();
            // Correlation does not depend on question order, so the oracle may use input order.
            row.Pearson.ShouldBe(Correlation.Pearson(own.Select(p => p.ModelMean).ToArray(), own.Select(p => p.HumanMean).ToArray()).Value, 1e-15);
            row.Spearman.ShouldBe(Correlation.Spearman(own.Select(p => p.ModelMean).ToArray(), own.Select(p => p.HumanMean).ToArray()).Value, 1e-15);
            row.PearsonInterval.ShouldNotBeNull().Used.ShouldBeGreaterThan(190);
            row.PearsonInterval.Lower.ShouldBeLessThan(row.Pearson);
            row.PearsonInterval.Upper.ShouldBeGreaterThan(row.Pearson);
        }
    }

    [Fact]
    public void Rows_and_intervals_do_not_depend_on_input_order_or_on_other_countries()
    {
        var usa = CountryPairs("m", "USA", 30, 1);
        var jpn = CountryPairs("m", "JPN", 25, 2);
        var together = AlignmentTable.PerCountry(usa.Concat(jpn), FastOptions);
        var shuffled = AlignmentTable.PerCountry(jpn.Concat(usa).Reverse(), FastOptions);
        var alone = AlignmentTable.PerCountry(usa, FastOptions);

        shuffled.ShouldBe(together);
        alone.Single().ShouldBe(together.Single(r => r.Country == "USA"));
    }

    [Fact]
    public void Zero_resamples_skip_the_bootstrap()
    {
        var row = AlignmentTable.PerCountry(CountryPairs("m", "USA", 10, 3), new AlignmentOptions(BootstrapResamples: 0)).Single();
        row.PearsonInterval.ShouldBeNull();
        row.SpearmanInterval.ShouldBeNull();
        row.Pearson.ShouldNotBe(double.NaN);
    }

    [Fact]
    public void Duplicate_items_and_non_finite_means_are_rejected()
    {
        var pairs = CountryPairs("m", "USA", 5, 4);
        Should.Throw<ArgumentException>(() => AlignmentTable.PerCountry(pairs.Append(pairs[0]), FastOptions));
        Should.Throw<ArgumentException>(() => AlignmentTable.PerCountry(pairs.Append(new MeanScorePair("m", "USA", "Q99", double.NaN, 0.0)), FastOptions));
    }

    [Fact]
    public void Per_category_rows_split_a_countrys_questions()
    {
        var pairs = CountryPairs("m", "USA", 20, 5);
        static string CategoryOf(string question) => int.Parse(question[1..], System.Globalization.CultureInfo.InvariantCulture) <= 12 ? "ethics" : "trust";

        var rows = AlignmentTable.PerCountryAndCategory(pairs, CategoryOf, FastOptions);

        rows.Select(r => (r.Category, r.N)).ShouldBe([("ethics", 12), ("trust", 8)]);
        var ethics = pairs.Where(p => CategoryOf(p.Question) == "ethics").ToArray();
        rows[0].Pearson.ShouldBe(Correlation.Pearson(ethics.Select(p => p.ModelMean).ToArray(), ethics.Select(p => p.HumanMean).ToArray()).Value, 1e-15);
    }

    [Fact]
    public void Group_means_average_per_country_correlations_and_leave_out_undefined_ones()
    {
        CountryCorrelation Row(string country, double pearson, double spearman) => new("m", country, null, 10, pearson, spearman, null, null);
        CountryCorrelation[] rows = [Row("DEU", 0.5, 0.4), Row("FRA", 0.3, double.NaN), Row("JPN", 0.1, 0.2), Row("NGA", -0.1, 0.0), Row("XXX", 0.9, 0.9)];
        string? ContinentOf(string country) => country switch
        {
            "DEU" or "FRA" => "Europe",
            "JPN" => "Asia",
            "NGA" => "Africa",
            _ => null,
        };

        var means = AlignmentTable.MeanByGroup(rows, ContinentOf);

        means.Select(m => m.Group).ShouldBe(["Africa", "Asia", "Europe"]);
        var europe = means.Single(m => m.Group == "Europe");
        europe.Countries.ShouldBe(2);
        europe.MeanPearson.ShouldBe(0.4, 1e-15);
        europe.PearsonCountries.ShouldBe(2);
        europe.MeanSpearman.ShouldBe(0.4);
        europe.SpearmanCountries.ShouldBe(1);

        var western = AlignmentTable.MeanByGroup(rows, c => ContinentOf(c) is null ? null : AlignmentTable.WesternGroup(ContinentOf(c) == "Europe"));
        western.Select(m => (m.Group, m.Countries)).ShouldBe([("Western", 2), ("non-Western", 2)]);
        western.Single(m => m.Group == AlignmentTable.NonWestern).MeanPearson.ShouldBe(0.0, 1e-15);
    }

    [Fact]
    public void Equal_mean_scores_reached_by_different_summation_orders_still_tie()
    {
        // Given two questions whose model distributions are the same answers listed in opposite
        // option orders: the mean scores are equal in exact arithmetic but not in double.
        var forward = DistributionMetrics.MeanScore([0.1, 0.2, 0.3, 0.4], [1.0, 1.0, 1.0, -1.0]);
        var backward = DistributionMetrics.MeanScore([0.4, 0.3, 0.2, 0.1], [-1.0, 1.0, 1.0, 1.0]);
        forward.ShouldNotBe(backward, "the premise: summation order changes the last bits");
        MeanScorePair[] pairs =
        [
            new("m", "USA", "Q1", forward, 0.5),
            new("m", "USA", "Q2", backward, 0.1),
            new("m", "USA", "Q3", 0.7, 0.9),
            new("m", "USA", "Q4", -0.3, -0.2),
        ];

        var row = AlignmentTable.PerCountry(pairs, FastOptions).Single();

        // Then Spearman equals the exact-arithmetic value, where Q1 and Q2 share rank 2.5
        row.Spearman.ShouldBe(Correlation.Spearman([0.2, 0.2, 0.7, -0.3], [0.5, 0.1, 0.9, -0.2]).Value);
        var exactTies = AlignmentTable.PerCountry(pairs, FastOptions with { TieTolerance = 0.0 }).Single();
        exactTies.Spearman.ShouldNotBe(row.Spearman, "without the tolerance the noise would break the tie");
    }

    [Fact]
    public void Cell_seeds_are_stable_and_distinguish_cells()
    {
        AlignmentTable.CellSeed(0, "m", "USA", null).ShouldBe(AlignmentTable.CellSeed(0, "m", "USA", null));
        AlignmentTable.CellSeed(0, "m", "USA", null).ShouldNotBe(AlignmentTable.CellSeed(0, "m", "JPN", null));
        AlignmentTable.CellSeed(0, "ab", "c", null).ShouldNotBe(AlignmentTable.CellSeed(0, "a", "bc", null));
        AlignmentTable.CellSeed(1, "m", "USA", null).ShouldNotBe(AlignmentTable.CellSeed(0, "m", "USA", null));
    }
}
