using System.Diagnostics;
using System.Globalization;
using CultureProbe.Llama;
using CultureProbe.Llama.Gguf;
using CultureProbe.Models;

namespace CultureProbe.Bench;

/// <summary>
/// Scores WVS-shaped prompts (a question-and-choices prefix of about 60 tokens, 10 country suffixes, K = 4 or K = 10
/// multi-token answers) with the shared-prefix scorer and the naive one, on a generated model with SmolLM2-135M's shapes
/// in F16 (random weights cost the same time as trained ones). Reports the median of several runs.
/// Usage: <c>llama [--runs N] [--threads N] [--model path.gguf] [--orders-only]</c>.
/// </summary>
internal static class LlamaBenchmark
{
    private const string Prefix =
        "Here is a question from a survey about values. For each of the following aspects, indicate how important it is " +
        "in your life. Would you say it is very important, rather important, not very important or not at all important? " +
        "The aspect is: family. Choose one answer from these options: very important, rather important, not very important, " +
        "not at all important.";

    private static readonly string[] Countries =
        ["Japan", "Germany", "Brazil", "Nigeria", "India", "Mexico", "Egypt", "Sweden", "Indonesia", "Argentina"];

    private static readonly string[] AnswersK4 = [" Very important", " Rather important", " Not very important", " Not at all important"];

    private static readonly string[] AnswersK10 =
    [
        " 1 Never justifiable", " 2 Rarely justifiable", " 3 Seldom justifiable", " 4 Sometimes not justifiable", " 5 Neither",
        " 6 Sometimes justifiable", " 7 Often justifiable", " 8 Mostly justifiable", " 9 Nearly always justifiable", " 10 Always justifiable",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = Option(args, "--runs") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 5;
        var threads = Option(args, "--threads") is { } t ? int.Parse(t, CultureInfo.InvariantCulture) : (int?)null;
        var modelPath = Option(args, "--model") ?? await EnsureModelAsync().ConfigureAwait(false);

        Console.WriteLine($"model: {modelPath}");
        await using var model = await LlamaModel.OpenAsync(modelPath, new LlamaModelOptions { Threads = threads, ContextSize = 2048 }).ConfigureAwait(false);
        await using var naive = await LlamaModel.OpenAsync(modelPath, new LlamaModelOptions { Threads = threads, ContextSize = 2048, Naive = true }).ConfigureAwait(false);
        Console.WriteLine($"llama.cpp {LlamaRuntime.Version}, {LlamaRuntime.SystemInfo}");
        Console.WriteLine($"load average before the run (other processes compete for the cores): {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"threads {model.Threads}, batch {model.BatchSize}, context {model.ContextSize}, runs {runs} (median reported)");
        Console.WriteLine($"prefix: {model.Tokenize(Prefix).Length} tokens with BOS; suffix ' In Japan, the answer is:' {model.Tokenize(" In Japan, the answer is:").Length - 1} tokens");
        if (args.Contains("--probe"))
        {
            var request = Tree(AnswersK4);
            if (args.Contains("--trace"))
            {
                LlamaRuntime.Logger = new StderrLogger();
            }
            foreach (var sequences in args.Contains("--trace") ? new[] { 64 } : [1, 4, 10, 40, 64])
            {
                await using var probe = await LlamaModel.OpenAsync(modelPath, new LlamaModelOptions { Threads = threads, ContextSize = 2048, MaxParallelSequences = sequences, FlashAttention = args.Contains("--no-fa") ? false : null }).ConfigureAwait(false);
                var m = await MeasureAsync(probe, request, 1).ConfigureAwait(false);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sequences {sequences}: wall {m.Wall:F2} s, {m.Calls} calls, {m.Tokens} tokens, decode {m.Decode:F2} s"));
            }
            return 0;
        }
        if (args.Contains("--orders-only"))
        {
            await OrdersAsync(model, runs).ConfigureAwait(false);
            return 0;
        }
        Console.WriteLine();
        Console.WriteLine("| K | mode | items | wall s | items/s | tokens decoded/item | decode calls | llama_decode tok/s | outside decode |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        // Raw llama_decode speed: one long context in full batches with a single output row.
        var longContext = string.Concat(Enumerable.Repeat(Prefix + " ", 7));
        var raw = await MeasureAsync(naive, OptionRequest.Single(longContext, [" Very important"]), runs).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| - | raw decode | 1 | {raw.Wall:F2} | | {raw.Tokens} | {raw.Calls} | {raw.Tokens / raw.Decode:F0} | {(raw.Wall - raw.Decode) / raw.Wall * 100:F1}% |"));
        foreach (var answers in new[] { AnswersK4, AnswersK10 })
        {
            var request = Tree(answers);
            var shared = await MeasureAsync(model, request, runs).ConfigureAwait(false);
            var scratch = await MeasureAsync(naive, request, Math.Max(1, Math.Min(runs, 3))).ConfigureAwait(false);
            Report(answers.Length, "shared-prefix", request.LeafCount, shared);
            Report(answers.Length, "naive", request.LeafCount, scratch);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"|   | speed-up | | | **{scratch.Wall / shared.Wall:F1}x** | | | | |"));
        }
        await OrdersAsync(model, runs).ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// One real WVS-7 item (Q1, K = 4) for the ten countries with Kim &amp; Baek's prompt, in the original order and in
    /// all four rotations, built by the probe's own prompt builder: rotations share the question text (the prefix) and
    /// each order's choices across its countries, so they cost far less than four separate runs.
    /// </summary>
    private static async Task OrdersAsync(LlamaModel model, int runs)
    {
        var asked = Prompts.AskedQuestion.Create(Surveys.QuestionBankLoader.Default.Select("Q1").Single());
        var countries = Surveys.CountryTable.Default.Select("JPN,DEU,BRA,NGA,IND,MEX,EGY,SWE,IDN,ARG");
        var template = Prompts.PromptTemplateSet.BuiltIn().Default("en");
        Console.WriteLine();
        Console.WriteLine("| option orders | branches | items/s | wall s | tokens decoded | decode calls | shared prefix tokens |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        var single = default(Measurement);
        foreach (var scheme in new[] { "original", "rotations" })
        {
            var prompts = Prompts.PromptBuilder.Build(asked, countries, template, Prompts.AnswerFormat.LetterAndText, orders: Prompts.OptionOrders.Parse(scheme));
            var request = new OptionRequest(prompts.Prefix, [.. prompts.Branches.Select(b => new OptionBranch(b.Suffix, b.Choices))]);
            var m = await MeasureAsync(model, request, runs).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {scheme} | {prompts.Branches.Count} | {prompts.Branches.Count / m.Wall:F1} | {m.Wall:F3} | {m.Tokens} | {m.Calls} | {model.Tokenize(prompts.Prefix).Length} |"));
            if (scheme == "original")
            {
                single = m;
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"|   | rotations cost {m.Wall / single!.Wall:F2}x the time and {(double)m.Tokens / single.Tokens:F2}x the tokens of one order, for {prompts.Branches.Count / countries.Count} orders | | | | | |"));
            }
        }
    }

    private sealed record Measurement(double Wall, double Decode, long Tokens, long Calls);

    private static OptionRequest Tree(string[] answers) =>
        new(Prefix, [.. Countries.Select(c => new OptionBranch($" In {c}, the answer is:", answers.Select(a => new AnswerChoice(null, a.Trim(), a)).ToArray()))]);

    private static async Task<Measurement> MeasureAsync(LlamaModel model, OptionRequest request, int runs)
    {
        await model.ScoreAsync(request).ConfigureAwait(false); // warm-up: first-touch of weights and graph allocation
        var results = new List<Measurement>();
        for (var i = 0; i < runs; i++)
        {
            model.ResetStatistics();
            var started = Stopwatch.GetTimestamp();
            await model.ScoreAsync(request).ConfigureAwait(false);
            var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var stats = model.Statistics;
            results.Add(new Measurement(wall, stats.DecodeTime.TotalSeconds, stats.TokensDecoded, stats.DecodeCalls));
        }
        return results.OrderBy(m => m.Wall).ElementAt(results.Count / 2);
    }

    private static void Report(int k, string mode, int items, Measurement m) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {k} | {mode} | {items} | {m.Wall:F2} | {items / m.Wall:F1} | {(double)m.Tokens / items:F1} | {m.Calls} | {m.Tokens / m.Decode:F0} | {(m.Wall - m.Decode) / m.Wall * 100:F1}% |"));

    private static async Task<string> EnsureModelAsync()
    {
        var folder = Path.Combine(FindRepositoryRoot(), ".cache", "bench");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "smollm2-135m-shaped-random-f16.gguf");
        if (!File.Exists(path))
        {
            Console.WriteLine("generating a SmolLM2-135M-shaped F16 model with random weights (once)...");
            var started = Stopwatch.GetTimestamp();
            var words = string.Join(' ', [Prefix, .. Countries.Select(c => $" In {c}, the answer is:"), .. AnswersK4, .. AnswersK10])
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(w => "▁" + w)
                .Distinct(StringComparer.Ordinal)
                .ToArray();
            await Task.Run(() => TinyLlamaGgufWriter.Write(path, TinyLlamaSpec.SmolLm2Shaped(words))).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"generated in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"));
        }
        return path;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CultureProbe.slnx")))
            {
                return dir.FullName;
            }
        }
        return Directory.GetCurrentDirectory();
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private sealed class StderrLogger : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {formatter(state, exception)}");
    }
}
