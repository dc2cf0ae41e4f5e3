using CultureProbe.Models;
using System.CommandLine;
using System.Globalization;
using CultureProbe.Llama;
using CultureProbe.Llama.Scoring;
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
        var remote = new RemoteOptions();
        var context = new Option<string>("--context") { Description = "Text before the continuations.", DefaultValueFactory = _ => "" };
        var continuations = new Option<string[]>("--continuation") { Description = "A continuation to score (repeat the option for several).", AllowMultipleArgumentsPerToken = false };
        var tokenIds = new Option<string?>("--token-ids") { Description = "Score an exact token sequence instead, e.g. \"1 300 271\": every position after the first." };
        var chat = new Option<bool>("--chat") { Description = "Wrap the context in the model's chat template (user turn; the continuation starts the assistant turn)." };
        var naive = new Option<bool>("--naive") { Description = "Score every continuation from scratch instead of sharing the context's KV cache." };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: physical cores)." };
        var format = CommonOptions.Format("table", "table", "json");
        var command = new Command("score", "Score continuations of a context (or an exact token sequence) with a local GGUF model or a server: tokens, per-token log-probabilities, their sum and whether each was the greedy choice.")
        {
            model, context, continuations, tokenIds, chat, naive, threads, format,
        };
        foreach (var option in remote.All)
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var options = new LlamaModelOptions
            {
                F32KvCache = true,
                Chat = parse.GetValue(chat),
                Naive = parse.GetValue(naive),
                Threads = parse.GetValue(threads),
            };
            if (remote.IsRemote(parse))
            {
                var texts0 = parse.GetValue(continuations) ?? [];
                if (parse.GetValue(tokenIds) is not null || texts0.Length == 0)
                {
                    throw new InputException("with --backend, give --context and at least one --continuation (token ids are for local models)");
                }
                var served = remote.Create(parse, parse.GetValue(model)!);
                try
                {
                    var result = served.ScoreAsync(ScoringRequest.Single(parse.GetValue(context) ?? "", texts0)).GetAwaiter().GetResult();
                    var remoteReport = ScoreTextReport.From(result, parse.GetValue(context) ?? "");
                    if (parse.GetValue(format) == "json")
                    {
                        output.WriteLine(ScoreJson.Serialize(remoteReport));
                    }
                    else
                    {
                        WriteText(output, remoteReport);
                    }
                    return Program.ExitOk;
                }
                finally
                {
                    served.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
            }
            var path = Path.GetFullPath(parse.GetValue(model)!);
            var ids = parse.GetValue(tokenIds);
            var texts = parse.GetValue(continuations) ?? [];
            var json = parse.GetValue(format) == "json";
            try
            {
                if (ids is not null)
                {
                    if (texts.Length > 0)
                    {
                        throw new InputException("give either --token-ids or --continuation, not both");
                    }
                    var report = LlamaScoring.ScoreTokenIdsAsync(path, LlamaScoring.ParseTokenIds(ids), options).GetAwaiter().GetResult();
                    if (json)
                    {
                        output.WriteLine(ScoreJson.Serialize(report));
                    }
                    else
                    {
                        WriteTokens(output, report);
                    }
                    return Program.ExitOk;
                }
                if (texts.Length == 0)
                {
                    throw new InputException("give at least one --continuation, or --token-ids");
                }
                var textReport = LlamaScoring.ScoreTextAsync(path, parse.GetValue(context) ?? "", texts, options).GetAwaiter().GetResult();
                if (json)
                {
                    output.WriteLine(ScoreJson.Serialize(textReport));
                }
                else
                {
                    WriteText(output, textReport);
                }
                return Program.ExitOk;
            }
            catch (LlamaRuntimeException e)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
                return Program.ExitRunFailed;
            }
        });
        return command;
    }

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
