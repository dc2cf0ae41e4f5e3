using System.Globalization;
using CultureProbe.Analysis;
using CultureProbe.Probing;
using Spectre.Console;

namespace CultureProbe.Cli;

/// <summary>The end-of-run table: per model, mean correlation overall and by Western / non-Western, with baselines.</summary>
internal static class SummaryTable
{
    public static void Write(IAnsiConsole console, ProbeResults results)
    {
        var table = new Table().Title("Alignment (mean of per-country correlations of model and population mean scores)");
        table.AddColumns("Model", "Countries", "Pearson", "Spearman", "Western", "non-Western", "1-JSD", "Top match", "Pooled r", "Shuffled r");
        foreach (var model in results.Models)
        {
            var all = results.Alignment.FirstOrDefault(r => r.Model == model.Id && r.GroupKind == GroupKind.All);
            if (all is null)
            {
                continue;
            }
            var western = results.Alignment.FirstOrDefault(r => r.Model == model.Id && r.GroupKind == GroupKind.Western && r.Group == AlignmentTable.Western);
            var nonWestern = results.Alignment.FirstOrDefault(r => r.Model == model.Id && r.GroupKind == GroupKind.Western && r.Group == AlignmentTable.NonWestern);
            table.AddRow(Markup.Escape(model.Id + (model.Synthetic ? " (synthetic)" : "")), all.NCountries.ToString(CultureInfo.InvariantCulture), F(all.Pearson), F(all.Spearman),
                F(western?.Pearson), F(nonWestern?.Pearson), F(all.MeanJsAlignment), F(all.TopMatchRate), F(all.PearsonPooled), F(all.PearsonShuffled));
        }
        console.Write(table);
    }

    private static string F(double? value) => value is { } v && double.IsFinite(v) ? v.ToString("0.000", CultureInfo.InvariantCulture) : "–";
}
