using System.CommandLine;
using CultureProbe.Surveys;

namespace CultureProbe.Cli.Commands;

/// <summary><c>cultureprobe synth</c>: writes synthetic microdata in the official layout.</summary>
internal static class SynthCommand
{
    public const string DefaultCountries = "USA,CAN,AUS,DEU,JPN,BRA,NGA,IND";

    /// <summary>Most respondents per country <c>synth</c> writes.</summary>
    public const int MaxRowsPerCountry = 100_000;

    public static Command Create()
    {
        var output = new Option<FileInfo>("--out") { Description = "Output CSV. 'synthetic' is added to the file name when it lacks it.", Required = true };
        var countries = new Option<string>("--countries") { Description = "Comma-separated ISO alpha-3 codes.", DefaultValueFactory = _ => DefaultCountries };
        var rows = new Option<int>("--rows") { Description = "Respondents per country.", DefaultValueFactory = _ => 400 };
        // The real WVS-7 has 1,000 to 4,000 respondents per country; a bound keeps a typo from filling the disk (2^31 rows wrote 22 GB).
        rows.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<int>();
            if (value is < 1 or > MaxRowsPerCountry)
            {
                result.AddError($"--rows: expected 1 to {MaxRowsPerCountry} respondents per country, found {value}");
            }
        });
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed writes the same file.", DefaultValueFactory = _ => 7 };
        var layout = new Option<string>("--layout") { Description = "wvs7 (the official WVS-7 layout, default), evs-wvs (the joint EVS/WVS 2017-2022 layout with IVS variable names), or study (the joint layout with the multilingual study's 37 topics, interview languages and both weights, for 'study --survey'; default countries: the paper's 13 and Germany).", DefaultValueFactory = _ => "wvs7" };
        layout.AcceptOnlyFromAmong("wvs7", "evs-wvs", "study");
        var survey = new SurveyOptions();
        var command = new Command("synth", "Write SYNTHETIC microdata in the official WVS-7 CSV layout (one column per item code of the bank), with known per-country distributions and non-uniform weights. Nothing in it was surveyed.")
        {
            output, countries, rows, seed, layout, survey.Bank, survey.CountriesFile,
        };
        command.SetAction(parse =>
        {
            var path = EnsureSyntheticName(parse.GetValue(output)!.FullName);
            var table = survey.Countries(parse);
            if (parse.GetValue(layout) == "study")
            {
                var studyCountries = parse.GetResult(countries) is { Implicit: false }
                    ? table.Select(parse.GetValue(countries)!).Select(StudyCountry).ToArray()
                    : Study.SyntheticStudySurvey.DefaultCountries;
                var studyRows = Study.SyntheticStudySurvey.Write(path, Study.StudyTopicSet.Default, studyCountries, parse.GetValue(rows), parse.GetValue(seed));
                parse.InvocationConfiguration.Output.WriteLine($"wrote {studyRows} synthetic rows for {studyCountries.Count} countries in the joint EVS/WVS study layout -> {path}");
                return Program.ExitOk;
            }
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

    /// <summary>A country of the study layout: its file code, and its survey languages (the first for 85 % of respondents, the rest sharing the remainder).</summary>
    private static Study.SyntheticStudyCountry StudyCountry(Country country)
    {
        var code = country.FileCode ?? throw new InputException($"--countries: {country.Iso3} has no code in the joint EVS/WVS file (fileCode in the country table)");
        var languages = country.Languages.Count == 0 ? ["en"] : country.Languages;
        return new Study.SyntheticStudyCountry(code, languages.Select((l, i) => (l, languages.Count == 1 ? 1.0 : i == 0 ? 0.85 : 0.15 / (languages.Count - 1))).ToArray());
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
