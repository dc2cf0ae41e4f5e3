namespace CultureProbe.Bench;

internal static class ImportBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        _ = args;
        Console.Error.WriteLine("import benchmark: not yet written");
        return Task.FromResult(1);
    }
}
