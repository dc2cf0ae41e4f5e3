using System.CommandLine;
using System.Globalization;
using CultureProbe.Models;
using CultureProbe.Probing;
using Spectre.Console;

namespace CultureProbe.Cli.Commands;

/// <summary><c>cultureprobe compare</c>: models of finished runs by size, base vs chat, corpus and Western gap.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var runs = new Argument<DirectoryInfo[]>("runs") { Description = "Run folders (each with a results.json).", Arity = ArgumentArity.OneOrMore };
        var cards = new Option<DirectoryInfo?>("--cards") { Description = "Folder of model cards (YAML: family, parameters, training tokens, chat or base, corpus); matched by model id. See data/model-cards for examples." };
        var mixed = new Option<bool>("--allow-mixed-methods") { Description = "Compare models scored by different methods (log-likelihood, chat top-logprobs, sampling) although their numbers are not strictly comparable." };
        var format = CommonOptions.Format("table", "table", "json");
        var command = new Command("compare", "Compare models across runs: by parameter count, base vs chat, training-corpus attributes and the Western vs non-Western gap.") { runs, cards, mixed, format };
        command.SetAction(parse =>
        {
            var loaded = parse.GetValue(runs)!.Select(d => (d.FullName, ResultsFiles.ReadJson(Path.Combine(d.FullName, ResultsFiles.ResultsJson)))).ToArray();
            var cardList = parse.GetValue(cards) is { } folder ? ModelCard.LoadFolder(folder.FullName) : [];
            var comparison = ModelComparison.Build(loaded, cardList, parse.GetValue(mixed));
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(format) == "json")
            {
                CommonOptions.WriteJson(output, comparison);
                return Program.ExitOk;
            }
            var console = ConsoleFactory.Create(output);
            var models = new Table().Title("Models (mean of per-country r), largest first").AddColumns("Model", "Params (B)", "Chat", "Method", "Countries", "Pearson", "Spearman", "Western", "non-Western", "Gap");
            foreach (var m in comparison.Models)
            {
                models.AddRow(Markup.Escape(m.Model), m.Card?.ParametersBillions?.ToString("0.###", CultureInfo.InvariantCulture) ?? "?", m.Card?.Chat switch { true => "chat", false => "base", _ => "?" },
                    Markup.Escape(m.ScoringMethod.WireName()), m.Countries.ToString(CultureInfo.InvariantCulture), F(m.Pearson), F(m.Spearman), F(m.Western), F(m.NonWestern), F(m.WesternGap));
            }
            console.Write(models);
            console.MarkupLine($"Spearman correlation of parameter count with mean r: {F(comparison.SizeCorrelation)} (needs 3 or more models with known sizes)");
            if (comparison.Pairs.Count > 0)
            {
                var pairs = new Table().Title("Base vs chat").AddColumns("Base", "Chat", "Base r", "Chat r", "Change", "Base gap", "Chat gap");
                foreach (var p in comparison.Pairs)
                {
                    pairs.AddRow(Markup.Escape(p.BaseModel), Markup.Escape(p.ChatModel), F(p.BasePearson), F(p.ChatPearson), F(p.PearsonChange), F(p.BaseWesternGap), F(p.ChatWesternGap));
                }
                console.Write(pairs);
            }
            if (comparison.Corpus.Count > 0)
            {
                var corpus = new Table().Title("By training-corpus attribute").AddColumns("Attribute", "Value", "Models", "Mean r", "Mean Western gap");
                foreach (var g in comparison.Corpus)
                {
                    corpus.AddRow(g.Attribute, g.Value, g.Models.ToString(CultureInfo.InvariantCulture), F(g.MeanPearson), F(g.MeanWesternGap));
                }
                console.Write(corpus);
            }
            return Program.ExitOk;
        });
        return command;
    }

    private static string F(double value) => double.IsFinite(value) ? value.ToString("0.000", CultureInfo.InvariantCulture) : "–";
}
