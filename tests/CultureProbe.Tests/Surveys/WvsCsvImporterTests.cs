using System.Text;
using CultureProbe.Surveys;
using Shouldly;

namespace CultureProbe.Tests.Surveys;

public sealed class WvsCsvImporterTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly WvsCsvImporter _importer = new(QuestionBankLoader.Default, CountryTable.Default);

    public void Dispose() => _temp.Dispose();

    private string WriteFile(string name, string text, bool bom = false)
    {
        var path = _temp.File(name);
        File.WriteAllText(path, text, new UTF8Encoding(bom));
        return path;
    }

    [Fact]
    public void Weighted_shares_of_a_generated_file_equal_an_independent_computation()
    {
        // Given a synthetic file with non-uniform weights, missing codes and not-asked items
        var path = _temp.File("survey.synthetic.csv");
        var countries = new[] { "USA", "JPN", "NGA" };
        new SyntheticSurveyGenerator(QuestionBankLoader.Default, CountryTable.Default).Write(path, new SyntheticSurveyOptions(countries, RowsPerCountry: 150, Seed: 3));

        // When it is imported
        var pack = _importer.Import(path, new WvsImportOptions());

        // Then every share matches the oracle to 1e-12 (doubles summed in a different order differ by ~1e-16 per term)
        var expected = IndependentShares.Compute(path, QuestionBankLoader.Default.Questions.Select(q => q.Code), "W_WEIGHT");
        var actual = pack.Distributions.SelectMany(d => d.Options.Select(o => (d.Country, d.Question, o.Code, o.Share, o.Count))).ToList();
        actual.Count.ShouldBe(expected.Count);
        foreach (var e in expected)
        {
            var match = actual.Single(a => a.Country == e.Country && a.Question == e.Question && a.Code == e.Code);
            match.Share.ShouldBe(e.Value, 1e-12);
            match.Count.ShouldBe(e.Count);
        }
        pack.Provenance.Synthetic.ShouldBeTrue();
        pack.Provenance.RowsRead.ShouldBe(450);
        pack.Provenance.RowsPerCountry.ShouldBe(new Dictionary<string, long> { ["JPN"] = 150, ["NGA"] = 150, ["USA"] = 150 });
        pack.NotAsked.ShouldNotBeEmpty("the generator marks about 2% of (country, item) pairs as not asked");
        pack.NotAsked.ShouldAllBe(n => pack.Find(n.Country, n.Question) == null);
    }

    private const string SmallHeader = "version,B_COUNTRY,B_COUNTRY_ALPHA,W_WEIGHT,S018,Q1,Q57,Q177";

    [Fact]
    public void Edge_cases_give_the_shares_derived_by_hand()
    {
        // Rows: AAA appears in two separate blocks; Q57 is never validly answered in BBB (not asked);
        // codes written 3.0 and 2.00 count as 3 and 2; every negative code is missing; empty is missing.
        var text = string.Join("\r\n",
            "\"version\",\"B_COUNTRY\",\"B_COUNTRY_ALPHA\",\"W_WEIGHT\",\"S018\",\"Q1\",\"Q57\",\"Q177\"",
            "\"v6\",840,USA,2,1,1,1,10",
            "\"v6\",840,USA,1,1,3.0,2,-1",
            "\"v6\",392,JPN,1,1,2,-4,-2",
            "\"v6\",392,JPN,3,1,2.00,-4,-3",
            "\"v6\",840,USA,0.5,1,-5,2,1",
            "\"v6\",840,USA,1.5,1,1,,10") + "\r\n";
        var pack = _importer.Import(WriteFile("edge.csv", text, bom: true), new WvsImportOptions());

        // USA Q1: codes 1 (w 2 + 1.5 = 3.5) and 3 (w 1); total 4.5
        var q1 = pack.Find("USA", "Q1")!;
        q1.Options.Select(o => (o.Code, o.Count)).ShouldBe([(1, 2L), (3, 1L)]);
        q1.ShareOf(1).ShouldBe(3.5 / 4.5, 1e-15);
        q1.ShareOf(3).ShouldBe(1.0 / 4.5, 1e-15);
        q1.N.ShouldBe(3);
        q1.EffectiveN.ShouldBe(4.5 * 4.5 / (4 + 1 + 2.25), 1e-12);
        // USA Q57: 1 (w 2), 2 (w 1 + 0.5); the empty field is missing
        pack.Find("USA", "Q57")!.ShareOf(2).ShouldBe(1.5 / 3.5, 1e-15);
        // USA Q177: 10 (w 2 + 1.5), 1 (w 0.5); -1 is missing
        pack.Find("USA", "Q177")!.ShareOf(10).ShouldBe(3.5 / 4.0, 1e-15);
        // JPN Q1: all code 2
        pack.Find("JPN", "Q1")!.Options.ShouldHaveSingleItem().Share.ShouldBe(1.0);
        // JPN Q57 and Q177 have no valid answer: not asked, no distribution, recorded
        pack.Find("JPN", "Q57").ShouldBeNull();
        pack.NotAsked.ShouldContain(new NotAskedItem("JPN", "Q57"));
        pack.NotAsked.ShouldContain(new NotAskedItem("JPN", "Q177"));
        pack.Provenance.RowsPerCountry["USA"].ShouldBe(4);
        pack.Provenance.ReleaseVersion.ShouldBe("v6");
        pack.Provenance.MissingColumns.ShouldContain("Q2");
    }

    [Fact]
    public void Weight_none_gives_unweighted_shares_and_S018_uses_its_column()
    {
        var path = WriteFile("w.csv", SmallHeader + "\n" + "v,840,USA,3,1,1,1,1\nv,840,USA,1,3,2,1,1\n");
        _importer.Import(path, new WvsImportOptions(WeightVariable: null)).Find("USA", "Q1")!.ShareOf(1).ShouldBe(0.5);
        _importer.Import(path, new WvsImportOptions(WeightVariable: "S018")).Find("USA", "Q1")!.ShareOf(1).ShouldBe(0.25);
        _importer.Import(path, new WvsImportOptions()).Find("USA", "Q1")!.ShareOf(1).ShouldBe(0.75);
    }

    [Fact]
    public void Country_falls_back_to_the_numeric_code()
    {
        var path = WriteFile("n.csv", "B_COUNTRY,W_WEIGHT,Q1\n392,1,1\n840,1,2\n");
        var pack = _importer.Import(path, new WvsImportOptions());
        pack.Find("JPN", "Q1").ShouldNotBeNull();
        pack.Find("USA", "Q1")!.ShareOf(2).ShouldBe(1.0);
    }

    [Fact]
    public void Semicolon_delimiter_and_a_trailing_delimiter_on_data_rows_are_read()
    {
        var path = WriteFile("s.csv", "B_COUNTRY_ALPHA;W_WEIGHT;Q1\nUSA;1;1;\nUSA;1;2;\n");
        _importer.Import(path, new WvsImportOptions()).Find("USA", "Q1")!.ShareOf(1).ShouldBe(0.5);
    }

    [Fact]
    public void Inverted_release_is_restored_to_standard_codes()
    {
        // Q1P: importance reversed on the same 1..4 range; Q7P: mentioned coded 1, not mentioned 0.
        var standard = WriteFile("std.csv", "B_COUNTRY_ALPHA,W_WEIGHT,Q1,Q7\nUSA,1,1,1\nUSA,2,4,2\nUSA,1,2,2\n");
        var inverted = WriteFile("inv.csv", "B_COUNTRY_ALPHA,W_WEIGHT,Q1P,Q7P\nUSA,1,4,1\nUSA,2,1,0\nUSA,1,3,0\n");
        var a = _importer.Import(standard, new WvsImportOptions());
        var b = _importer.Import(inverted, new WvsImportOptions(Coding: SurveyCoding.Inverted));
        foreach (var question in new[] { "Q1", "Q7" })
        {
            b.Find("USA", question)!.Options.ShouldBe(a.Find("USA", question)!.Options);
        }
        b.Provenance.Coding.ShouldBe("inverted");
    }

    [Theory]
    [InlineData("USA,1,1,1,1,1\nUSA,1,1,1\n", 3, "the row is truncated: expected 6 fields as in the header, found 4")]
    [InlineData("USA,1,1,1,1,1\nUSA,1,1,1,1,1\nUSA,1,1,abc,1,1\n", 4, "(column Q57): expected a whole-number answer code")]
    [InlineData("USA,1,1,1,1,1\nUSA,x,1,1,1,1\n", 3, "(column W_WEIGHT): expected a non-negative number as the weight, found 'x'")]
    [InlineData("USA,1,1,1,1,1\nUSA,1,1,2.5,1,1\n", 3, "found '2.5'")]
    public void Malformed_rows_name_the_line_and_what_was_expected(string rows, int line, string message)
    {
        var path = WriteFile("bad.csv", "B_COUNTRY_ALPHA,W_WEIGHT,Q1,Q57,Q177,S018\n" + rows);
        var error = Should.Throw<InputException>(() => _importer.Import(path, new WvsImportOptions()));
        error.Message.ShouldStartWith($"bad.csv:{line}");
        error.Message.ShouldContain(message);
    }

    [Fact]
    public void Missing_weight_column_is_named()
    {
        var path = WriteFile("nw.csv", "B_COUNTRY_ALPHA,Q1\nUSA,1\n");
        Should.Throw<InputException>(() => _importer.Import(path, new WvsImportOptions()))
            .Message.ShouldContain("missing required column W_WEIGHT");
    }

    [Fact]
    public void Missing_country_column_is_named()
    {
        var path = WriteFile("nc.csv", "W_WEIGHT,Q1\n1,1\n");
        Should.Throw<InputException>(() => _importer.Import(path, new WvsImportOptions()))
            .Message.ShouldContain("missing required column B_COUNTRY_ALPHA (or B_COUNTRY)");
    }

    [Fact]
    public void Quoted_field_with_delimiters_and_doubled_quotes_is_one_field()
    {
        var path = WriteFile("q.csv", "version,B_COUNTRY_ALPHA,W_WEIGHT,Q1\n\"6-0-0, \"\"final\"\"\",USA,1,1\n");
        var pack = _importer.Import(path, new WvsImportOptions());
        pack.Provenance.ReleaseVersion.ShouldBe("6-0-0, \"final\"");
        pack.Find("USA", "Q1")!.ShareOf(1).ShouldBe(1.0);
    }

    [Fact]
    public void Provenance_records_the_file_hash_and_size()
    {
        var path = WriteFile("h.csv", "B_COUNTRY_ALPHA,W_WEIGHT,Q1\nUSA,1,1\n");
        var pack = _importer.Import(path, new WvsImportOptions());
        pack.Provenance.Source.Sha256.ShouldBe(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))));
        pack.Provenance.Source.SizeBytes.ShouldBe(new FileInfo(path).Length);
        pack.Provenance.WeightVariable.ShouldBe("W_WEIGHT");
    }
}

public sealed class WvsCsvImporterLargeCodeTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_huge_answer_code_is_tallied_without_an_array_of_its_size()
    {
        // 840001 is the shape of a country-specific party code; it must neither exhaust memory nor be lost.
        var path = _temp.File("big.csv");
        File.WriteAllText(path, "B_COUNTRY_ALPHA,W_WEIGHT,Q1\nUSA,1,840001\nUSA,3,1\nUSA,1,2000000000\n");
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var pack = new WvsCsvImporter(QuestionBankLoader.Default, CountryTable.Default).Import(path, new WvsImportOptions());
        (GC.GetTotalAllocatedBytes(precise: true) - before).ShouldBeLessThan(200_000_000, "a dense array up to code 2e9 would need 16 GB");
        var q1 = pack.Find("USA", "Q1")!;
        q1.Options.Select(o => (o.Code, o.Share)).ShouldBe([(1, 0.6), (840001, 0.2), (2000000000, 0.2)]);
        pack.Warnings.ShouldContain(w => w.Contains("840001"));
    }
}
