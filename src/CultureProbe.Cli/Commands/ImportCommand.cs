using System.CommandLine;
using System.Globalization;
using CultureProbe.Surveys;

namespace CultureProbe.Cli.Commands;

/// <summary><c>cultureprobe import</c>: turns a survey file into a survey pack.</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var input = new Argument<FileInfo>("csv") { Description = "The official WVS-7 cross-national CSV (release 5.0 or 6.0), or a long CSV country,question,code,share[,n]." };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the survey pack (JSON). Written atomically: a failed import leaves an existing pack untouched.", Required = true };
        var weight = new Option<string?>("--weight") { Description = "Weight variable: none, W_WEIGHT (default), S018 or PWGHT; for the joint EVS/WVS file none, gwght (default) or pwght." };
        var coding = new Option<string>("--coding") { Description = "Answer coding of the file: standard (default) or inverted.", DefaultValueFactory = _ => "standard" };
        coding.AcceptOnlyFromAmong("standard", "inverted");
        var layout = new Option<string>("--layout") { Description = "File layout: wvs7 (official WVS-7 microdata), evs-wvs (the joint EVS/WVS 2017-2022 file, IVS variable names), long (aggregated shares) or auto (decide from the header).", DefaultValueFactory = _ => "auto" };
        layout.AcceptOnlyFromAmong("auto", "wvs7", "evs-wvs", "long");
        var survey = new SurveyOptions();
        var command = new Command("import", "Import a survey file into a survey pack of weighted per-country answer distributions.") { input, output, weight, coding, layout, survey.Bank, survey.CountriesFile };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(input)!.FullName;
            var packPath = parse.GetValue(output)!.FullName;
            var chosenLayout = parse.GetValue(layout)!;
            if (chosenLayout == "auto")
            {
                chosenLayout = DetectLayout(path);
            }
            var bank = survey.QuestionBank(parse);
            var table = survey.Countries(parse);
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            var crosswalk = chosenLayout == "evs-wvs" ? SurveyCrosswalk.JointEvsWvs : null;
            var weightName = parse.GetValue(weight);
            string? weightColumn = crosswalk is null
                ? WvsImportOptions.ParseWeight(weightName ?? WvsCsvImporter.DefaultWeight)
                : (weightName ?? crosswalk.DefaultWeight) is var w && w.Equals("none", StringComparison.OrdinalIgnoreCase) ? null
                    : crosswalk.Weights.FirstOrDefault(c => c.Equals(w, StringComparison.OrdinalIgnoreCase))
                        ?? throw new InputException($"--weight: expected none or one of {string.Join(", ", crosswalk.Weights)} for the joint EVS/WVS file, found '{w}'");
            SurveyPack pack = chosenLayout == "long"
                ? new AggregateCsvImporter(bank, table).Import(path)
                : new WvsCsvImporter(bank, table).Import(path, new WvsImportOptions(
                    weightColumn,
                    parse.GetValue(coding) == "inverted" ? SurveyCoding.Inverted : SurveyCoding.Standard,
                    crosswalk));
            SurveyPackFile.Write(pack, packPath);
            var error = parse.InvocationConfiguration.Error;
            foreach (var warning in pack.Warnings.Take(20))
            {
                error.WriteLine($"warning: {warning}");
            }
            if (pack.Warnings.Count > 20)
            {
                error.WriteLine($"warning: … and {pack.Warnings.Count - 20} more (see the pack's warnings)");
            }
            var p = pack.Provenance;
            parse.InvocationConfiguration.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"imported {p.RowsRead} rows from {p.Source.FileName} ({p.Source.SizeBytes} bytes, sha256 {p.Source.Sha256[..12]}…) in {stopwatch.Elapsed.TotalSeconds:F1} s: "
                + $"{p.RowsPerCountry.Count} countries, {pack.Distributions.Count} distributions, {pack.NotAsked.Count} not-asked pairs; weight {p.WeightVariable}, coding {p.Coding}"
                + $"{(p.Synthetic ? "; SYNTHETIC data" : "")} -> {packPath}"));
            return Program.ExitOk;
        });
        return command;
    }

    /// <summary>long for country,question,code,share; evs-wvs when the header has the joint file's country and weight columns; else wvs7.</summary>
    private static string DetectLayout(string path)
    {
        if (!File.Exists(path))
        {
            return "wvs7";
        }
        using var reader = new StreamReader(path);
        var header = (reader.ReadLine() ?? "").Trim('\uFEFF').Replace("\"", "", StringComparison.Ordinal).ToLowerInvariant();
        if (header.StartsWith("country,question,code,share", StringComparison.Ordinal))
        {
            return "long";
        }
        var columns = header.Split([',', ';', '\t']).Select(c => c.Trim()).ToHashSet(StringComparer.Ordinal);
        return columns.Contains("cntry") && columns.Contains("gwght") && !columns.Contains("b_country") ? "evs-wvs" : "wvs7";
    }
}
