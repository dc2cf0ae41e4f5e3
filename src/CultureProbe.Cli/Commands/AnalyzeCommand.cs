using System.CommandLine;
using System.Security.Cryptography;
using CultureProbe.Analysis;
using CultureProbe.Models;
using CultureProbe.Probing;
using CultureProbe.Surveys;
using Spectre.Console;

namespace CultureProbe.Cli.Commands;

/// <summary><c>cultureprobe analyze</c>: the run's metrics, tables and report for distributions made elsewhere.</summary>
internal static class AnalyzeCommand
{
    public static Command Create()
    {
        var human = new Option<FileInfo>("--human") { Description = "Population distributions: CSV group,question,code,share[,score].", Required = true };
        var model = new Option<FileInfo>("--model") { Description = "Model distributions: CSV model,group,question,code,share (repeated rows are averaged).", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for results.json, items.csv, alignment.csv and report.html.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the bootstrap and the shuffled-country control.", DefaultValueFactory = _ => 0 };
        var bootstrap = new Option<int>("--bootstrap") { Description = "Bootstrap resamples for the 95% intervals (0 to skip).", DefaultValueFactory = _ => 1000 }.NonNegative(100_000);
        var survey = new SurveyOptions();
        var command = new Command("analyze", "Apply CultureProbe's metrics, tables and report to answer distributions produced elsewhere.") { human, model, output, seed, bootstrap, survey.Bank, survey.CountriesFile };
        command.SetAction(parse =>
        {
            var humanPath = parse.GetValue(human)!.FullName;
            var modelPath = parse.GetValue(model)!.FullName;
            var folder = parse.GetValue(output)!.FullName;
            var bank = survey.QuestionBank(parse);
            var table = survey.Countries(parse);
            var reader = new ExternalDistributions(bank);
            var items = reader.Read(humanPath, modelPath);
            if (items.Count == 0)
            {
                throw new InputException($"{modelPath}: no (model, group, question) matches a human distribution in {humanPath}");
            }
            var options = new AlignmentOptions(parse.GetValue(bootstrap), parse.GetValue(seed));
            var modelSha = Sha256Of(modelPath);
            var models = items.Select(i => i.Model).Distinct(StringComparer.Ordinal)
                .Select(m => new ModelInfo(m, Path.GetFileName(modelPath), modelSha, null, ScoringMethod.External, false)).ToArray();
            var results = new ProbeResults(
                ProbeResults.CurrentSchemaVersion,
                new RunProvenance(Path.GetFileName(humanPath), Sha256Of(humanPath), null, false, bank.Sha256, ProgramInfo.Version, DateTimeOffset.UtcNow, options.Seed),
                new MethodInfo(ScoringMethod.External, null, null, null, null, null, false),
                models,
                items.Select(i => i.ToResult()).ToArray(),
                AlignmentBuilder.Build(items, table, options));
            ResultsFiles.WriteAll(results, folder);
            ReportOutput.WriteReport(results, folder, bank, table);
            var console = ConsoleFactory.Create(parse.InvocationConfiguration.Output);
            foreach (var warning in reader.Warnings.Take(10))
            {
                console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
            }
            if (reader.Warnings.Count > 10)
            {
                console.MarkupLine($"[yellow]warning:[/] … and {reader.Warnings.Count - 10} more");
            }
            SummaryTable.Write(console, results);
            console.MarkupLine($"results in {Markup.Escape(folder)}");
            return Program.ExitOk;
        });
        return command;
    }

    private static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
