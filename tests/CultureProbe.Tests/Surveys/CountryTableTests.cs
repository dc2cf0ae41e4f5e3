using CultureProbe.Surveys;
using Shouldly;

namespace CultureProbe.Tests.Surveys;

public sealed class CountryTableTests
{
    private static readonly CountryTable Table = CountryTable.Default;

    [Fact]
    public void Kim_and_Baeks_Western_examples_are_Western()
    {
        foreach (var code in new[] { "USA", "CAN", "AUS", "DEU" })
        {
            Table.FindByIso3(code)!.IsWestern.ShouldBeTrue(code);
        }
        Table.FindByIso3("JPN")!.IsWestern.ShouldBeFalse();
        Table.FindByIso3("NGA")!.IsWestern.ShouldBeFalse();
    }

    [Fact]
    public void Covers_WVS7_and_the_EVS_countries_the_multilingual_study_needs()
    {
        Table.Countries.Count(c => c.Surveys.Contains("WVS7")).ShouldBeGreaterThanOrEqualTo(64);
        Table.FindByIso3("DNK")!.Surveys.ShouldContain("EVS2017");
        Table.FindByIso3("PRT")!.Surveys.ShouldContain("EVS2017");
        Table.FindByIso3("NLD")!.Languages.ShouldContain("nl");
        Table.FindByIso3("NOR")!.Languages.ShouldContain("no"); // YAML 1.1 would read a bare no as false
    }

    [Fact]
    public void File_codes_of_the_joint_EVS_WVS_file_resolve_to_their_countries()
    {
        // cntry_AN writes ISO 3166-1 alpha-2, except Northern Ireland (NIR) and Great Britain (GB).
        Table.FindByFileCode("DK")!.Iso3.ShouldBe("DNK");
        Table.FindByFileCode("nir")!.Iso3.ShouldBe("NIR");
        Table.FindByFileCode("GB")!.Iso3.ShouldBe("GBR");
        Table.FindByFileCode("BR")!.Iso3.ShouldBe("BRA");
        Table.Countries.Select(c => c.FileCode).ShouldBeUnique();
        Table.Countries.ShouldAllBe(c => c.FileCode != null && Table.FindByFileCode(c.FileCode) == c);
    }

    [Fact]
    public void Numeric_codes_resolve_to_the_same_country() =>
        Table.Countries.ShouldAllBe(c => Table.FindByNumeric(c.IsoNumeric) == c);

    [Fact]
    public void Selection_accepts_codes_and_prompt_names_and_rejects_unknowns()
    {
        Table.Select("usa, Japan, Netherlands").Select(c => c.Iso3).ShouldBe(["USA", "JPN", "NLD"]);
        Should.Throw<InputException>(() => Table.Select("XYZ")).Message.ShouldContain("unknown country 'XYZ'");
    }

    [Fact]
    public void A_broken_table_names_the_entry_and_field()
    {
        var error = Should.Throw<InputException>(() => CountryTable.Parse("""
            version: 1
            countries:
              - { iso3: usa, isoNumeric: 840, name: x, continent: Atlantis, western: true, zone: z, languages: [en], surveys: [WVS7] }
            """, "c.yaml"));
        error.Message.ShouldContain("countries[0] (usa).iso3: expected three capital letters");
        error.Message.ShouldContain("continent: expected Africa, Asia, Europe, North America, South America or Oceania, found 'Atlantis'");
    }
}
