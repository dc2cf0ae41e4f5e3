using System.CommandLine;
using System.Globalization;
using CultureProbe.Surveys;
using Spectre.Console;

namespace CultureProbe.Cli.Commands;

/// <summary><c>cultureprobe demo</c>: the main job on synthetic data, end to end.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the demo's files.", DefaultValueFactory = _ => new DirectoryInfo("demo-out") };
        var command = new Command("demo", "Generate a SYNTHETIC survey, import it and summarise it. Everything it shows is synthetic.") { output };
        command.SetAction(parse =>
        {
            var folder = parse.GetValue(output)!.FullName;
            Directory.CreateDirectory(folder);
            var console = ConsoleFactory.Create(parse.InvocationConfiguration.Output);
            var bank = QuestionBankLoader.Default;
            var countries = CountryTable.Default;
            var csv = Path.Combine(folder, "wvs7.synthetic.csv");
            var packPath = Path.Combine(folder, "survey.synthetic.pack.json");
            var codes = countries.Select(SynthCommand.DefaultCountries).Select(c => c.Iso3).ToArray();
            console.MarkupLine("[bold yellow]SYNTHETIC DATA[/]: this demo generates its own survey answers; no real population is shown.");
            var rows = new SyntheticSurveyGenerator(bank, countries).Write(csv, new SyntheticSurveyOptions(codes, RowsPerCountry: 500));
            console.MarkupLine($"generated {rows} synthetic respondents in {codes.Length} countries -> {Markup.Escape(csv)}");
            var pack = new WvsCsvImporter(bank, countries).Import(csv, new WvsImportOptions());
            SurveyPackFile.Write(pack, packPath);
            console.MarkupLine($"imported with weight {pack.Provenance.WeightVariable} -> {Markup.Escape(packPath)}");

            var table = new Table().Title(Markup.Escape("Synthetic survey: weighted mean score per category, on [-1, 1]"));
            table.AddColumn("Category");
            foreach (var code in codes)
            {
                table.AddColumn(code);
            }
            foreach (var category in bank.Categories)
            {
                var cells = new List<string> { Markup.Escape(category.Title) };
                foreach (var code in codes)
                {
                    var means = bank.Questions.Where(q => q.CategoryId == category.Id && q.IsOrdinal)
                        .Select(q => (q, d: pack.Find(code, q.Code)))
                        .Where(x => x.d is not null)
                        .Select(x => x.d!.Options.Sum(o => o.Share * (x.q.FindOption(o.Code)?.Score ?? 0.0)))
                        .ToArray();
                    cells.Add(means.Length == 0 ? "–" : means.Average().ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture));
                }
                table.AddRow(cells.ToArray());
            }
            console.Write(table);
            console.MarkupLine($"[bold yellow]SYNTHETIC[/]: {pack.Distributions.Count} distributions, {pack.NotAsked.Count} items not asked; files in {Markup.Escape(folder)}");
            return Program.ExitOk;
        });
        return command;
    }
}
