using System.CommandLine;
using System.Globalization;
using System.Text;
using CultureProbe.Surveys;

namespace CultureProbe.Cli.Commands;

/// <summary><c>cultureprobe distributions</c>: prints a pack's answer distributions.</summary>
internal static class DistributionsCommand
{
    public static Command Create()
    {
        var pack = new Argument<FileInfo>("pack") { Description = "A survey pack made by 'cultureprobe import'." };
        var format = CommonOptions.Format("csv", "csv", "json");
        var command = new Command("distributions", "Print a survey pack's weighted answer shares: CSV columns country,question,code,share,n (n is the unweighted count), or JSON with provenance.") { pack, format };
        command.SetAction(parse =>
        {
            var surveyPack = SurveyPackFile.Read(parse.GetValue(pack)!.FullName);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(format) == "json")
            {
                CommonOptions.WriteJson(output, new
                {
                    provenance = surveyPack.Provenance,
                    distributions = surveyPack.Distributions,
                    not_asked = surveyPack.NotAsked,
                });
                return Program.ExitOk;
            }
            WriteCsv(surveyPack, output);
            return Program.ExitOk;
        });
        return command;
    }

    /// <summary>Writes one row per (country, question, code); shares in round-trip precision.</summary>
    public static void WriteCsv(SurveyPack pack, TextWriter output)
    {
        var line = new StringBuilder();
        output.Write("country,question,code,share,n\n");
        foreach (var distribution in pack.Distributions)
        {
            foreach (var option in distribution.Options)
            {
                line.Clear();
                line.Append(distribution.Country).Append(',').Append(distribution.Question).Append(',')
                    .Append(option.Code.ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(option.Share.ToString("R", CultureInfo.InvariantCulture)).Append(',')
                    .Append(option.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
                output.Write(line);
            }
        }
    }
}
