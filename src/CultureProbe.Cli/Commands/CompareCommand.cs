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
        var resamples = new Option<int>("--resamples") { Description = "Bootstrap resamples of the significance tests (the permutation tests draw 9999 arrangements, or enumerate all when fewer).", DefaultValueFactory = _ => 1999 }.NonNegative(100_000);
        var seed = new Option<int>("--seed") { Description = "Seed of the bootstraps and permutations.", DefaultValueFactory = _ => 0 };
        var noQuestions = new Option<bool>("--no-question-resampling") { Description = "Skip the bootstrap over questions (the slow part with many countries and models)." };
        var command = new Command("compare", "Compare models across runs: by parameter count, base vs chat, training-corpus attributes and the Western vs non-Western gap, with paired tests of every difference (bootstrap CIs over countries and questions, permutation p-values, Holm-corrected, effect sizes).")
        {
            runs, cards, mixed, format, resamples, seed, noQuestions,
        };
        command.SetAction(parse =>
        {
            var loaded = parse.GetValue(runs)!.Select(d => (d.FullName, ResultsFiles.ReadJson(Path.Combine(d.FullName, ResultsFiles.ResultsJson)))).ToArray();
            var cardList = parse.GetValue(cards) is { } folder ? ModelCard.LoadFolder(folder.FullName) : [];
            var comparison = ModelComparison.Build(loaded, cardList, parse.GetValue(mixed));
            if (parse.GetValue(resamples) is < 100 or > 1_000_000)
            {
                throw new InputException($"--resamples: expected 100 to 1000000, found {parse.GetValue(resamples)}");
            }
            var options = new Analysis.ComparisonOptions(BootstrapResamples: parse.GetValue(resamples), Seed: parse.GetValue(seed));
            var scores = loaded.SelectMany(r => ModelScores.Of(r.Item2)).Select(m => m with
            {
                BaseModel = m.BaseModel ?? cardList.FirstOrDefault(c => c.Id.Equals(m.Model, StringComparison.OrdinalIgnoreCase))?.BaseModel,
            }).ToArray();
            var differences = ModelDifferences.Compute(scores, Surveys.CountryTable.Default, options, !parse.GetValue(noQuestions));
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(format) == "json")
            {
                CommonOptions.WriteJson(output, new { comparison, differences });
                return Program.ExitOk;
            }
            var console = ConsoleFactory.Create(output);
            var models = new Table().Title("Models (mean of per-country r), largest first").AddColumns("Model", "Params (B)", "Chat", "Method", "Countries", "Pearson", "Spearman", "Western", "non-Western", "Gap", "In");
            foreach (var m in comparison.Models)
            {
                models.AddRow(Markup.Escape(m.Model), m.Card?.ParametersBillions?.ToString("0.###", CultureInfo.InvariantCulture) ?? "?", m.Card?.Chat switch { true => "chat", false => "base", _ => "?" },
                    Markup.Escape(m.ScoringMethod.WireName()), m.Countries.ToString(CultureInfo.InvariantCulture), F(m.Pearson), F(m.Spearman), F(m.Western), F(m.NonWestern), F(m.WesternGap),
                    Markup.Escape(string.Join(", ", m.Card?.EvaluatedIn ?? [])));
            }
            console.Write(models);
            WriteDifferences(console, differences);
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

    private static void WriteDifferences(IAnsiConsole console, ModelDifferences differences)
    {
        var level = differences.Options.Level.ToString("P0", CultureInfo.InvariantCulture);
        if (differences.Pairs.Count > 0)
        {
            var pairs = new Table().Title($"Differences in mean per-country r (first − second), {level} intervals")
                .AddColumns("First", "Second", "Countries", "Difference", "CI over countries", "CI over questions", "p (permutation)", "p (Holm)", "d_z");
            foreach (var p in differences.Pairs)
            {
                var c = p.OverCountries;
                pairs.AddRow(Markup.Escape(p.First) + (p.IsBaseChatPair ? " [dim](base/chat)[/]" : ""), Markup.Escape(p.Second), c.N.ToString(CultureInfo.InvariantCulture), F(c.MeanDifference),
                    Interval(c.Interval), p.OverQuestions is { } q ? Interval(q.Interval) : "–", P(c.Test.PValue), P(p.HolmP), F(c.CohensDz));
            }
            console.Write(pairs);
        }
        if (differences.WesternGaps.Count > 0)
        {
            var gaps = new Table().Title($"Western minus non-Western mean r per model, {level} intervals").AddColumns("Model", "Western", "non-Western", "Gap", "CI", "p (permutation)", "p (Holm)", "Hedges' g");
            foreach (var g in differences.WesternGaps)
            {
                var c = g.Comparison;
                gaps.AddRow(Markup.Escape(g.Model), $"{F(c.MeanFirst)} ({c.FirstCountries.Count})", $"{F(c.MeanSecond)} ({c.SecondCountries.Count})", F(c.Difference), Interval(c.Interval), P(c.Test.PValue), P(g.HolmP), F(c.HedgesG));
            }
            console.Write(gaps);
        }
        foreach (var note in differences.Notes)
        {
            console.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
        }
    }

    private static string Interval(Analysis.BootstrapInterval interval) =>
        double.IsFinite(interval.Lower) ? Markup.Escape($"[{F(interval.Lower)}, {F(interval.Upper)}]") : "–";

    private static string P(double p) => !double.IsFinite(p) ? "–" : p < 0.001 ? "<0.001" : p.ToString("0.000", CultureInfo.InvariantCulture);

    private static string F(double value) => double.IsFinite(value) ? value.ToString("0.000", CultureInfo.InvariantCulture) : "–";
}
