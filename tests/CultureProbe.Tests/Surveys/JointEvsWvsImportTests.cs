using CultureProbe.Surveys;
using Shouldly;

namespace CultureProbe.Tests.Surveys;

public sealed class JointEvsWvsImportTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Joint_file_variables_land_on_Q_codes_with_their_recodes_and_weights()
    {
        // Denmark (208) and Portugal (620); A001 = Q1 as is, A027 = Q7 with 1 mentioned / 0 not,
        // E037 = Q108 reversed (1..10 -> 10..1); gwght weights; negative codes missing.
        var path = _temp.File("evs.csv");
        File.WriteAllText(path, string.Join("\n",
            "studyno,cntry,cntry_AN,gwght,pwght,A001,A027,E037",
            "7503,208,DK,2,1,1,1,3",
            "7503,208,DK,1,1,2,0,10",
            "7503,620,PT,1,1,1,0,-2",
            "7503,208,DK,1,1,-1,1,1") + "\n");
        var (code, _, error) = CliRunner.Run("import", path, "--out", _temp.File("p.json"));
        code.ShouldBe(0, error);
        var pack = SurveyPackFile.Read(_temp.File("p.json"));

        pack.Provenance.Importer.ShouldBe("evs-wvs-joint-csv");
        pack.Provenance.WeightVariable.ShouldBe("gwght");
        pack.Find("DNK", "Q1")!.ShareOf(1).ShouldBe(2.0 / 3.0, 1e-15);
        var q7 = pack.Find("DNK", "Q7")!;
        q7.ShareOf(1).ShouldBe(3.0 / 4.0, 1e-15, "mentioned (1) keeps code 1");
        q7.ShareOf(2).ShouldBe(1.0 / 4.0, 1e-15, "not mentioned (0) becomes code 2");
        var q108 = pack.Find("DNK", "Q108")!;
        q108.Options.Select(o => o.Code).ShouldBe([1, 8, 10], "E037 codes 10, 3 and 1 become 1, 8 and 10");
        pack.Find("PRT", "Q108").ShouldBeNull();
        pack.NotAsked.ShouldContain(new NotAskedItem("PRT", "Q108"));
    }

    [Fact]
    public void Synthetic_fixture_in_the_joint_layout_imports_with_its_weight_choices()
    {
        var csv = _temp.File("joint.synthetic.csv");
        var (code, _, error) = CliRunner.Run("synth", "--layout", "evs-wvs", "--out", csv, "--countries", "DNK,PRT,NLD", "--rows", "50");
        code.ShouldBe(0, error);
        CliRunner.Run("import", csv, "--out", _temp.File("a.json")).ExitCode.ShouldBe(0);
        var pack = SurveyPackFile.Read(_temp.File("a.json"));
        pack.Provenance.Synthetic.ShouldBeTrue();
        pack.Provenance.RowsPerCountry.Keys.ShouldBe(["DNK", "NLD", "PRT"]);
        pack.Distributions.Count(d => d.Country == "DNK").ShouldBeGreaterThan(150);
        pack.Find("DNK", "Q7")!.Options.Select(o => o.Code).ShouldBeSubsetOf([1, 2]);

        CliRunner.Run("import", csv, "--out", _temp.File("b.json"), "--weight", "pwght").ExitCode.ShouldBe(0);
        var (bad, _, message) = CliRunner.Run("import", csv, "--out", _temp.File("c.json"), "--weight", "W_WEIGHT");
        bad.ShouldBe(2);
        message.ShouldContain("expected none or one of gwght, pwght");
    }
}
