// Benchmarks are run by hand (never by CI): `dotnet run -c Release --project bench/CultureProbe.Bench -- <name> [options]`.
// Each benchmark prints its own figures; the README's Performance section records them.
namespace CultureProbe.Bench;

internal static class Program
{
    private static readonly Dictionary<string, (string Description, Func<string[], Task<int>> Run)> Benchmarks = new(StringComparer.Ordinal)
    {
        ["import"] = ("Import a synthetic WVS-7 file the size of the official one", ImportBenchmark.RunAsync),
        ["llama"] = ("Shared-prefix vs naive llama.cpp scoring of WVS-shaped prompts on a SmolLM2-135M-shaped F16 model", LlamaBenchmark.RunAsync),
        ["grid"] = ("paper-12 × N synthetic countries through runner and store on real-tokenizer GGUFs: CultureProbe vs naive vs raw decode", GridBenchmark.RunAsync),
        ["remote"] = ("Items/s and client CPU per request against a fake vLLM server with 50 ms latency", RemoteBenchmark.RunAsync),
        ["write-model"] = ("Write a random-weight GGUF of a real shape with a real tokenizer (--shape, --tokenizer, --type, --out)", WriteModelCommand.RunAsync),
    };

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || !Benchmarks.TryGetValue(args[0], out var benchmark))
        {
            Console.Error.WriteLine("usage: CultureProbe.Bench <benchmark> [options]");
            foreach (var (name, entry) in Benchmarks)
            {
                Console.Error.WriteLine($"  {name,-12} {entry.Description}");
            }
            return 2;
        }
        return await benchmark.Run(args[1..]).ConfigureAwait(false);
    }
}
