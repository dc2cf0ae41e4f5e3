using System.CommandLine;
using System.Globalization;
using CultureProbe.Surveys;
using Spectre.Console;

namespace CultureProbe.Cli.Commands;

/// <summary><c>cultureprobe countries</c>: lists the country table.</summary>
internal static class CountriesCommand
{
    public static Command Create()
    {
        var format = CommonOptions.Format("table", "table", "json");
        var survey = new SurveyOptions();
        var command = new Command("countries", "List the countries and territories surveyed by WVS-7 and EVS-2017 (and those of --countries-file), with continent, Western or not, and cultural zone.") { format, survey.CountriesFile };
        command.SetAction(parse =>
        {
            var table = survey.Countries(parse);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(format) == "json")
            {
                CommonOptions.WriteJson(output, new
                {
                    western_rule = table.WesternRule,
                    countries = table.Countries.Select(c => new
                    {
                        iso3 = c.Iso3,
                        iso_numeric = c.IsoNumeric,
                        name = c.Name,
                        continent = c.Continent,
                        western = c.IsWestern,
                        zone = c.CulturalZone,
                        languages = c.Languages,
                        surveys = c.Surveys,
                    }),
                });
                return Program.ExitOk;
            }
            var console = ConsoleFactory.Create(output);
            var grid = new Table().AddColumns("ISO3", "Num", "Name in prompts", "Continent", "Western", "Cultural zone", "Languages", "Surveys");
            foreach (var c in table.Countries)
            {
                grid.AddRow(c.Iso3, c.IsoNumeric.ToString(CultureInfo.InvariantCulture), Markup.Escape(c.Name), c.Continent, c.IsWestern ? "yes" : "no",
                    Markup.Escape(c.CulturalZone), string.Join(' ', c.Languages), string.Join(' ', c.Surveys));
            }
            console.Write(grid);
            console.WriteLine($"{table.Countries.Count} countries and territories. Western: {table.WesternRule}");
            return Program.ExitOk;
        });
        return command;
    }
}
