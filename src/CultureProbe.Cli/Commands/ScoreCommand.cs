using System.CommandLine;
using System.Globalization;
using CultureProbe.Backends;
using CultureProbe.Llama;
using CultureProbe.Models;
using Spectre.Console;

namespace CultureProbe.Cli.Commands;

/// <summary>
/// <c>cultureprobe score</c>: exact log-likelihoods of continuations (or of a token sequence) under a GGUF model,
/// run in process by llama.cpp with an F32 KV cache so the numbers match a float64 forward pass.
/// </summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "GGUF model file, or with --backend the served model's name.", Required = true };
        var modelOptions = new ModelOptions();
        var context = new Option<string>("--context") { Description = "Text before the continuations.", DefaultValueFactory = _ => "" };
        var continuations = new Option<string[]>("--continuation") { Description = "A continuation to score (repeat the option for several).", AllowMultipleArgumentsPerToken = false };
        var tokenIds = new Option<string?>("--token-ids") { Description = "Score an exact token sequence instead, e.g. \"1 300 271\": every position after the first (local models)." };
        var naive = new Option<bool>("--naive") { Description = "Score every continuation from scratch instead of sharing the context's KV cache (local models)." };
        var format = CommonOptions.Format("table", "table", "json");
        var command = new Command("score", "Score continuations of a context (or an exact token sequence) with a local GGUF model or a server: tokens, per-token log-probabilities, their sum and whether each was the greedy choice.")
        {
            model, context, continuations, tokenIds, naive, format,
        };
        foreach (var option in modelOptions.All)
        {
            command.Options.Add(option);
        }
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var backend = Backends.Registry.Get(modelOptions.BackendName(parse));
            var source = new ModelSource(parse.GetValue(model)!, modelOptions.Settings(parse, o => o with { Naive = parse.GetValue(naive) }));
            backend.Validate(source);
            var ids = parse.GetValue(tokenIds) is { } idText ? ParseTokenIds(idText) : null;
            var texts = parse.GetValue(continuations) ?? [];
            if (ids is not null && texts.Length > 0)
            {
                throw new InputException("give either --token-ids or --continuation, not both");
            }
            if (ids is null && texts.Length == 0)
            {
                throw new InputException("give at least one --continuation, or --token-ids");
            }
            if (backend.Method.Measures() != MeasurementKind.LogLikelihood)
            {
                throw new InputException($"score reports log-likelihoods, but backend {backend.Name} measures {backend.Method.WireName()} (shares of answer options); use 'cultureprobe run' with it");
            }
            var opened = await backend.OpenAsync(source, cancellationToken).ConfigureAwait(false);
            await using (opened.ConfigureAwait(false))
            {
                var json = parse.GetValue(format) == "json";
                if (ids is not null)
                {
                    var scorer = opened as ITokenSequenceScorer
                        ?? throw new InputException($"--token-ids needs a backend that takes token ids (llama); {backend.Name} takes text");
                    var report = ScoreTokensReport.From(await scorer.ScoreTokensAsync(ids, cancellationToken).ConfigureAwait(false), Engine(opened));
                    if (json)
                    {
                        output.WriteLine(ScoreJson.Serialize(report));
                    }
                    else
                    {
                        WriteTokens(output, report);
                    }
                    return FiniteOrFailed(parse, report.LogProbs);
                }
                var likelihood = (ILikelihoodModel)opened;
                var contextText = parse.GetValue(context) ?? "";
                var result = await likelihood.ScoreAsync(OptionRequest.Single(contextText, texts), cancellationToken).ConfigureAwait(false);
                var textReport = ScoreTextReport.From(likelihood, result, contextText);
                if (json)
                {
                    output.WriteLine(ScoreJson.Serialize(textReport));
                }
                else
                {
                    WriteText(output, textReport);
                }
                return FiniteOrFailed(parse, textReport.Continuations.SelectMany(c => c.LogProbs));
            }
        });
        return command;
    }

    /// <summary>Exit 0, or 1 with a warning when the model gave a log-probability that is not a finite number.</summary>
    private static int FiniteOrFailed(ParseResult parse, IEnumerable<double> logProbs)
    {
        var bad = logProbs.Count(l => !double.IsFinite(l) && !double.IsNegativeInfinity(l));
        if (bad == 0)
        {
            return Program.ExitOk;
        }
        parse.InvocationConfiguration.Error.WriteLine($"error: the model gave {bad} log-probabilit{(bad == 1 ? "y" : "ies")} that are not numbers (NaN, written as null in JSON); its weights are likely broken");
        return Program.ExitRunFailed;
    }

    /// <summary>Parses token ids separated by spaces or commas, e.g. <c>"1 300 271"</c>.</summary>
    /// <exception cref="InputException">A part is not a non-negative integer, or there are fewer than two ids.</exception>
    internal static IReadOnlyList<int> ParseTokenIds(string text)
    {
        var parts = text.Split([' ', ',', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        var ids = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out ids[i]))
            {
                throw new InputException($"--token-ids: '{parts[i]}' (item {i + 1}) is not a non-negative integer token id");
            }
        }
        return ids.Length >= 2
            ? ids
            : throw new InputException($"--token-ids needs at least two ids (the first is only context); got {ids.Length}");
    }

    private static string Engine(IProbeModel model) => model is LlamaModel llama ? llama.Engine : model.Identity.Backend;

    private static string F(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);

    private static void WriteText(TextWriter output, ScoreTextReport report)
    {
        var console = ConsoleFactory.Create(output);
        console.MarkupLine($"model {Markup.Escape(report.Model.Name)} ({Markup.Escape(report.Engine)})");
        var table = new Table().AddColumns("Continuation", "Tokens (id:piece)", "Log-probs", "Sum", "Greedy");
        foreach (var c in report.Continuations)
        {
            table.AddRow(
                Markup.Escape(c.Text),
                Markup.Escape(string.Join(' ', c.Tokens.Select(t => $"{t.Id}:{t.Piece}"))),
                string.Join(' ', c.LogProbs.Select(F)),
                F(c.Sum),
                c.Greedy ? "yes" : "no");
        }
        console.Write(table);
    }

    private static void WriteTokens(TextWriter output, ScoreTokensReport report)
    {
        var console = ConsoleFactory.Create(output);
        console.MarkupLine($"model {Markup.Escape(report.Model.Name)} ({Markup.Escape(report.Engine)})");
        var table = new Table().AddColumns("Position", "Token", "Log-prob");
        for (var i = 1; i < report.Tokens.Count; i++)
        {
            table.AddRow(i.ToString(CultureInfo.InvariantCulture), report.Tokens[i].ToString(CultureInfo.InvariantCulture), F(report.LogProbs[i - 1]));
        }
        console.Write(table);
        console.MarkupLine($"sum {F(report.Sum)}");
    }
}
