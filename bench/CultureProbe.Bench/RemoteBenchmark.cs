using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CultureProbe.Analysis;
using CultureProbe.Backends;
using CultureProbe.Models;
using CultureProbe.Probing;
using CultureProbe.Prompts;
using CultureProbe.Remote;
using CultureProbe.Surveys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CultureProbe.Bench;

/// <summary>
/// Drives the <c>vllm</c> backend against a fake vLLM server (prompt_logprobs format) that answers every
/// request after a fixed latency, at 1, 4, 16 and 64 requests in flight, two ways: (a) <c>ScoreAsync</c> alone,
/// one item per call; (b) the path <c>run</c> takes: the probe service's plan, runner and result store (a fresh
/// SQLite store per run), on four-option questions of a synthetic pack, so that one item is one country branch
/// and one request (four prompts per request). The server runs in a child process so that this process's CPU time
/// is the client's alone. Figures are the median of several runs.
/// Usage: <c>remote [runs] [latency-ms]</c>.
/// </summary>
internal static partial class RemoteBenchmark
{
    private static readonly int[] Concurrencies = [1, 4, 16, 64];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length >= 1 && args[0] == "--serve")
        {
            return await ServeAsync(int.Parse(args[1], CultureInfo.InvariantCulture)).ConfigureAwait(false);
        }
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
        var latency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50;

        var host = Environment.ProcessPath!;
        string[] childArgs = Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? [typeof(RemoteBenchmark).Assembly.Location, "remote", "--serve", latency.ToString(CultureInfo.InvariantCulture)]
            : ["remote", "--serve", latency.ToString(CultureInfo.InvariantCulture)];
        using var server = Process.Start(new ProcessStartInfo(host, childArgs) { RedirectStandardOutput = true, RedirectStandardInput = true })!;
        try
        {
            var url = new Uri((await server.StandardOutput.ReadLineAsync().ConfigureAwait(false))!);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fake vLLM server at {url}, {latency} ms per request; {Environment.ProcessorCount} cores; median of {runs} runs"));
            using var workspace = new Workspace();
            // Warm-up so that tiered JIT compilation is not counted as the first setting's CPU time.
            await MeasureAsync(url, 16, 400).ConfigureAwait(false);
            await MeasureRunAsync(url, 16, workspace).ConfigureAwait(false);
            Console.WriteLine("in flight | ScoreAsync items/s | runner+store items/s | target (0.8 x c / latency) | runner+store / target | client CPU per request (ScoreAsync, runner+store)");
            foreach (var concurrency in Concurrencies)
            {
                var alone = new List<(double ItemsPerSecond, double CpuMicroseconds)>();
                var withStore = new List<(double ItemsPerSecond, double CpuMicroseconds)>();
                for (var run = 0; run < runs; run++)
                {
                    alone.Add(await MeasureAsync(url, concurrency, Math.Max(60, concurrency * 30)).ConfigureAwait(false));
                    withStore.Add(await MeasureRunAsync(url, concurrency, workspace).ConfigureAwait(false));
                }
                var rate = Median(alone.Select(r => r.ItemsPerSecond));
                var runRate = Median(withStore.Select(r => r.ItemsPerSecond));
                var target = 0.8 * concurrency / (latency / 1000.0);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{concurrency,9} | {rate,18:F1} | {runRate,20:F1} | {target,26:F1} | {runRate / target,21:F2} | {Median(alone.Select(r => r.CpuMicroseconds)),6:F0} µs, {Median(withStore.Select(r => r.CpuMicroseconds)),6:F0} µs"));
            }
        }
        finally
        {
            server.StandardInput.Close();
            if (!server.WaitForExit(5000))
            {
                server.Kill();
            }
        }
        return 0;
    }

    /// <summary>
    /// The path <c>run</c> takes: the probe service plans the four-option questions for every country of the pack,
    /// and the runner measures them with <paramref name="concurrency"/> requests in flight, storing each question
    /// tree in a fresh SQLite store. Items/s is the runner's own figure (model open to last tree committed).
    /// </summary>
    private static async Task<(double ItemsPerSecond, double CpuMicroseconds)> MeasureRunAsync(Uri url, int concurrency, Workspace workspace)
    {
        var store = workspace.NewStorePath();
        // About as many items as the ScoreAsync measurement takes at this concurrency: 50 countries per question.
        var spec = workspace.Spec with { Questions = workspace.Spec.Questions.Take(Math.Max(2, (int)Math.Ceiling(Math.Max(60, concurrency * 30) / 50.0))).ToArray() };
        var job = new ProbeJob(workspace.Pack, QuestionBankLoader.Default, CountryTable.Default, [spec],
            [new ModelRequest("bench-model", "vllm")],
            BackendSettings.Empty.With(new RemoteModelOptions { Endpoints = [url], MaxInFlight = concurrency, PromptsPerRequest = 4 }),
            [], LikelihoodNormalization.None, new AlignmentOptions(0), store);
        var observer = new Timing();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        await new ProbeService(new BackendRegistry(RemoteBackends.All)).RunAsync(job, observer).ConfigureAwait(false);
        process.Refresh();
        var summary = observer.Summary!;
        if (summary.Failed > 0 || summary.Scored != summary.Total)
        {
            throw new InvalidOperationException($"the run stored {summary.Scored} of {summary.Total} items ({summary.Failed} failed)");
        }
        // CPU per request over the whole service call (planning and results included), so it is an upper bound for the runner's.
        return (summary.Scored / summary.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpuBefore).TotalMicroseconds / summary.Scored);
    }

    private sealed class Timing : IProbeObserver
    {
        public ProbeRunSummary? Summary { get; private set; }

        public async Task<ProbeRunSummary> RunAsync(PlannedModel model, ProbeSpec spec, Func<IProgress<ProbeProgress>?, Task<ProbeRunSummary>> run) =>
            Summary = await run(null).ConfigureAwait(false);
    }

    /// <summary>A synthetic pack of every WVS-7 country and the bank's four-option questions, and a folder for stores.</summary>
    private sealed class Workspace : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "cultureprobe-bench-remote", Guid.NewGuid().ToString("N"));
        private int _stores;

        public Workspace()
        {
            Directory.CreateDirectory(_folder);
            var bank = QuestionBankLoader.Default;
            var countries = CountryTable.Default.Countries.Where(c => c.Surveys.Contains("WVS7")).Take(50).ToArray();
            var csv = Path.Combine(_folder, "bench.synthetic.csv");
            new SyntheticSurveyGenerator(bank, CountryTable.Default).Write(csv, new SyntheticSurveyOptions(countries.Select(c => c.Iso3).ToArray(), RowsPerCountry: 50, NotAskedRate: 0));
            Pack = new WvsCsvImporter(bank, CountryTable.Default).Import(csv, new WvsImportOptions());
            Spec = new ProbeSpec(bank.Questions.Where(q => q.IsOrdinal && q.Options.Count == 4).Take(40).ToArray(), countries, PromptTemplateSet.BuiltIn().Default("en"), AnswerFormat.LetterAndText);
        }

        public SurveyPack Pack { get; }

        public ProbeSpec Spec { get; }

        public string NewStorePath() => Path.Combine(_folder, $"store-{Interlocked.Increment(ref _stores)}.db");

        public void Dispose() => Directory.Delete(_folder, recursive: true);
    }

    private static async Task<(double ItemsPerSecond, double CpuMicroseconds)> MeasureAsync(Uri url, int concurrency, int items)
    {
        await using var model = (ILikelihoodModel)RemoteBackends.Open(new RemoteModelOptions { Backend = "vllm", Endpoints = [url], Model = "bench-model", MaxInFlight = concurrency, PromptsPerRequest = 4 });
        var request = Request(0);
        await model.ScoreAsync(request).ConfigureAwait(false); // connection and JIT warm-up
        var next = 0;
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= items)
            {
                var result = await model.ScoreAsync(request).ConfigureAwait(false);
                if (result.Branches[0].Count != 4)
                {
                    throw new InvalidOperationException("wrong result shape");
                }
            }
        }).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        stopwatch.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        return (items / stopwatch.Elapsed.TotalSeconds, cpu.TotalMicroseconds / items);
    }

    private static OptionRequest Request(int i) => OptionRequest.Single(
        $"Question: How important is family in your life?\nChoices: A) Very important, B) Rather important, C) Not very important, D) Not at all important\nIn country {i}, Answer:",
        [" A) Very important", " B) Rather important", " C) Not very important", " D) Not at all important"]);

    [GeneratedRegex(@"\s*(?:\w+|[^\w\s])")]
    private static partial Regex Tokens();

    /// <summary>The child process: a vLLM-shaped server answering after <paramref name="latencyMs"/>.</summary>
    private static async Task<int> ServeAsync(int latencyMs)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.Run(async context =>
        {
            var body = (await JsonNode.ParseAsync(context.Request.Body).ConfigureAwait(false))!;
            var choices = new JsonArray();
            var index = 0;
            foreach (var prompt in body["prompt"]!.AsArray())
            {
                var positions = new JsonArray { null };
                foreach (var token in Tokens().Matches(prompt!.GetValue<string>()).Skip(1))
                {
                    positions.Add(new JsonObject { ["42"] = new JsonObject { ["logprob"] = -1.0, ["rank"] = 1, ["decoded_token"] = token.Value } });
                }
                choices.Add(new JsonObject { ["index"] = index++, ["text"] = ".", ["prompt_logprobs"] = positions });
            }
            await Task.Delay(latencyMs).ConfigureAwait(false);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(new JsonObject { ["choices"] = choices }.ToJsonString()).ConfigureAwait(false);
        });
        await app.StartAsync().ConfigureAwait(false);
        Console.WriteLine(app.Urls.First());
        // Runs until the parent closes standard input.
        await Console.In.ReadToEndAsync().ConfigureAwait(false);
        await app.StopAsync().ConfigureAwait(false);
        return 0;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
