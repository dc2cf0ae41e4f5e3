namespace CultureProbe.Llama;

/// <summary>Counts physical CPU cores (hyper-threads share a core's arithmetic units, so llama.cpp gains nothing from them).</summary>
internal static class PhysicalCores
{
    public static int Count { get; } = Detect();

    private static int Detect()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                var cores = new HashSet<(string, string)>();
                string physical = "0";
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    if (colon < 0)
                    {
                        continue;
                    }
                    var key = line[..colon].Trim();
                    var value = line[(colon + 1)..].Trim();
                    if (key == "physical id")
                    {
                        physical = value;
                    }
                    else if (key == "core id")
                    {
                        cores.Add((physical, value));
                    }
                }
                if (cores.Count > 0)
                {
                    return Math.Min(cores.Count, Environment.ProcessorCount);
                }
            }
        }
        catch (IOException)
        {
        }
        return Math.Max(1, Environment.ProcessorCount);
    }
}
