using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CultureProbe.Models;
using CultureProbe.Remote;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CultureProbe.Bench;

/// <summary>
/// Drives the <c>vllm</c> backend against a fake vLLM server (prompt_logprobs format) that answers every
/// request after a fixed latency, at 1, 4, 16 and 64 requests in flight. One item is one country branch of
/// one question: four answer continuations in one request. The server runs in a child process so that this
/// process's CPU time is the client's alone. Figures are the median of several runs.
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
            // Warm-up so that tiered JIT compilation is not counted as the first setting's CPU time.
            await MeasureAsync(url, 16, 400).ConfigureAwait(false);
            Console.WriteLine("in flight | items/s | target (0.8 x c / latency) | ratio | client CPU per request");
            foreach (var concurrency in Concurrencies)
            {
                var results = new List<(double ItemsPerSecond, double CpuMicroseconds)>();
                for (var run = 0; run < runs; run++)
                {
                    results.Add(await MeasureAsync(url, concurrency, Math.Max(60, concurrency * 30)).ConfigureAwait(false));
                }
                var rate = Median(results.Select(r => r.ItemsPerSecond));
                var cpu = Median(results.Select(r => r.CpuMicroseconds));
                var target = 0.8 * concurrency / (latency / 1000.0);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{concurrency,9} | {rate,7:F1} | {target,26:F1} | {rate / target,5:F2} | {cpu,8:F0} µs"));
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

    private static async Task<(double ItemsPerSecond, double CpuMicroseconds)> MeasureAsync(Uri url, int concurrency, int items)
    {
        await using var model = RemoteModelFactory.Create(new RemoteModelOptions("vllm", [url], "bench-model") { MaxInFlight = concurrency, BatchSize = 4 });
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
                if (result.Branches[0].Continuations.Count != 4)
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

    private static ScoringRequest Request(int i) => ScoringRequest.Single(
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
