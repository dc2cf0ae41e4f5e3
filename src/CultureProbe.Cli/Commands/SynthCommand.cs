using System.CommandLine;
using CultureProbe.Surveys;

namespace CultureProbe.Cli.Commands;

/// <summary><c>cultureprobe synth</c>: writes synthetic microdata in the official layout.</summary>
internal static class SynthCommand
{
    public const string DefaultCountries = "USA,CAN,AUS,DEU,JPN,BRA,NGA,IND";

    public static Command Create()
    {
        var output = new Option<FileInfo>("--out") { Description = "Output CSV. 'synthetic' is added to the file name when it lacks it.", Required = true };
        var countries = new Option<string>("--countries") { Description = "Comma-separated ISO alpha-3 codes.", DefaultValueFactory = _ => DefaultCountries };
        var rows = new Option<int>("--rows") { Description = "Respondents per country.", DefaultValueFactory = _ => 400 };
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed writes the same file.", DefaultValueFactory = _ => 7 };
        var layout = new Option<string>("--layout") { Description = "wvs7 (the official WVS-7 layout, default) or evs-wvs (the joint EVS/WVS 2017-2022 layout with IVS variable names).", DefaultValueFactory = _ => "wvs7" };
        layout.AcceptOnlyFromAmong("wvs7", "evs-wvs");
        var survey = new SurveyOptions();
        var command = new Command("synth", "Write SYNTHETIC microdata in the official WVS-7 CSV layout (one column per item code of the bank), with known per-country distributions and non-uniform weights. Nothing in it was surveyed.")
        {
            output, countries, rows, seed, layout, survey.Bank, survey.CountriesFile,
        };
        command.SetAction(parse =>
        {
            var path = EnsureSyntheticName(parse.GetValue(output)!.FullName);
            var table = survey.Countries(parse);
            var bank = survey.QuestionBank(parse);
            var codes = table.Select(parse.GetValue(countries)!).Select(c => c.Iso3).ToArray();
            var generator = new SyntheticSurveyGenerator(bank, table);
            // The built-in bank's file has every Q1..Q290 column as the official one does; another survey's has its items' columns.
            var options = new SyntheticSurveyOptions(codes, parse.GetValue(rows), parse.GetValue(seed), AllQuestionColumns: parse.GetValue(survey.Bank) is null);
            var written = parse.GetValue(layout) == "evs-wvs"
                ? generator.WriteJointEvsWvs(path, options, SurveyCrosswalk.JointEvsWvs)
                : generator.Write(path, options);
            parse.InvocationConfiguration.Output.WriteLine($"wrote {written} synthetic rows for {codes.Length} countries -> {path}");
            return Program.ExitOk;
        });
        return command;
    }

    /// <summary>Adds <c>.synthetic</c> before the extension when the name does not say synthetic already.</summary>
    public static string EnsureSyntheticName(string path)
    {
        var name = Path.GetFileName(path);
        if (name.Contains("synthetic", StringComparison.OrdinalIgnoreCase))
        {
            return path;
        }
        var extension = Path.GetExtension(name);
        return Path.Combine(Path.GetDirectoryName(path) ?? ".", $"{Path.GetFileNameWithoutExtension(name)}.synthetic{(extension.Length == 0 ? ".csv" : extension)}");
    }
}
