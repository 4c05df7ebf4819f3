namespace AspireJobs.Bench;

/// <summary>
/// The benchmark's entry: runs the chosen parts (all by default) and prints every figure.
/// <c>dotnet run -c Release --project bench -- [throughput] [recovery] [monitor]</c>
/// </summary>
public static class Benchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var parts = args.Length == 0 ? ["throughput", "recovery", "monitor"] : args;
        var unknown = parts.Except(["throughput", "recovery", "monitor"]).ToList();
        if (unknown.Count > 0)
        {
            Console.Error.WriteLine($"bench: unknown part '{unknown[0]}'; choose from throughput, recovery, monitor.");
            return 2;
        }

        var results = new List<Measurement>();
        void Report(Measurement measurement)
        {
            results.Add(measurement);
            Console.WriteLine(measurement);
        }

        if (parts.Contains("throughput"))
        {
            await ThroughputBenchmark.RunAsync(Report);
        }

        if (parts.Contains("recovery"))
        {
            await RecoveryBenchmark.RunAsync(Report);
        }

        if (parts.Contains("monitor"))
        {
            await MonitorFootprintBenchmark.RunAsync(Report);
        }

        return 0;
    }
}
