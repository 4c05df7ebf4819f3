using System.Globalization;
using AspireJobs.Bench.Subjects;

namespace AspireJobs.Bench;

/// <summary>
/// Speed from the first second: a fresh system through the AppHost (two workers), then 20,000
/// noop jobs created (two batches) and drained at once, with no warm-up; then the same twice
/// more on the now-warm system. The figure that counts is the first pass ÷ the last, in the same
/// run. <c>--env resource:NAME=VALUE</c> (repeatable) sets a variable on a resource, to compare
/// runtime settings (tiered compilation, GC) run against run. Each pass also samples the workers'
/// peak resident memory (VmRSS, the larger of the two; and PSS, which shares the pages of the
/// framework's files among the processes that map them), so a setting's cost in memory shows in
/// the same run as its speed, and the CPU seconds the pass cost each process of the system,
/// this one (which hosts the AppHost) and the rest of the machine, which say where a cold pass
/// spends its time.
/// </summary>
public static class ColdStartBenchmark
{
    private const int Jobs = 20_000;
    private const int BatchSize = 10_000;
    private const int Passes = 3;

    public static async Task<int> RunAsync(int rounds, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> environment)
    {
        var settings = BenchSystem.Describe(environment);
        Console.WriteLine($"Cold start, {DateTime.UtcNow:yyyy-MM-dd}: {Jobs:N0} noop jobs created and drained on a fresh system, then twice more; {settings}");
        var ratios = new List<double>();
        var warmRss = new List<double>();
        for (var round = 1; round <= rounds; round++)
        {
            await using var system = await BenchSystem.StartAsync(workers: 2, environment);
            var passes = new List<double>();
            var peaks = new List<double>();
            var creates = new List<double>();
            var cpu = new List<string>();
            var pss = new List<double>();
            for (var pass = 0; pass < Passes; pass++)
            {
                var before = CpuSeconds(system);
                await using var workers = new ProcessFootprint.PeakSampler(() => system.WorkerProcessIds);
                await using var workersPss = new ProcessFootprint.PeakSampler(() => system.WorkerProcessIds, ProcessFootprint.ProportionalBytes);
                var (rate, createSeconds) = await CreateAndDrainAsync(system);
                var after = CpuSeconds(system);
                passes.Add(rate);
                creates.Add(createSeconds);
                peaks.Add(workers.PeakMiB);
                pss.Add(workersPss.PeakMiB);
                cpu.Add(after.Minus(before).ToString());
            }

            ratios.Add(passes[0] / passes[^1]);
            warmRss.Add(peaks[^1]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| round {round} | {string.Join(" | ", passes.Select(p => $"{p:N0} jobs/s"))} | cold ÷ warm {passes[0] / passes[^1]:0.00} | worker RSS peak {string.Join(" / ", peaks.Select(p => $"{p:0}"))} MiB (PSS {string.Join(" / ", pss.Select(p => $"{p:0}"))}) | creates took {string.Join(" / ", creates.Select(c => $"{c:0.00}"))} s | CPU s {CpuShares.Legend} {string.Join(" · ", cpu)} |"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cold ÷ warm, median of {rounds}: {Percentiles.Median(ratios):0.00}; worker RSS peak in the warm pass, median: {Percentiles.Median(warmRss):0} MiB"));
        return 0;
    }

    /// <summary>
    /// CPU seconds used so far by each process of the system, by this process (which hosts the
    /// AppHost) and by the machine as a whole: on a shared machine, the CPU a pass costs each
    /// process is steadier than its wall time, and the rest says what no process here accounts for.
    /// </summary>
    private static CpuShares CpuSeconds(BenchSystem system) => new(
        ProcessFootprint.CpuSeconds(system.WorkerProcessIds),
        ProcessFootprint.CpuSeconds([system.ApiProcessId]),
        ProcessFootprint.CpuSeconds(system.PostgresProcessIds),
        ProcessFootprint.CpuSeconds([system.RedisProcessId]),
        ProcessFootprint.CpuSeconds([system.IndexerProcessId]),
        ProcessFootprint.CpuSeconds([system.HealthMonitorProcessId]),
        ProcessFootprint.CpuSeconds([Environment.ProcessId]),
        ProcessFootprint.MachineBusySeconds());

    private sealed record CpuShares(double Workers, double Api, double Postgres, double Redis, double Indexer, double Monitor, double Bench, double Machine)
    {
        public const string Legend = "workers/api/postgres/redis/indexer/monitor/bench+apphost/rest";

        public CpuShares Minus(CpuShares before) => new(Workers - before.Workers, Api - before.Api, Postgres - before.Postgres, Redis - before.Redis,
            Indexer - before.Indexer, Monitor - before.Monitor, Bench - before.Bench, Machine - before.Machine);

        private double Rest => Machine - Workers - Api - Postgres - Redis - Indexer - Monitor - Bench;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Workers:0.0}/{Api:0.0}/{Postgres:0.0}/{Redis:0.0}/{Indexer:0.0}/{Monitor:0.0}/{Bench:0.0}/{Rest:0.0}");
    }

    /// <summary>
    /// Creates and drains the jobs (<see cref="BenchSystem.CreateAndDrainAsync"/>), then clears
    /// them for the next pass.
    /// </summary>
    private static async Task<(double Rate, double CreateSeconds)> CreateAndDrainAsync(BenchSystem system)
    {
        var (rate, createSeconds) = await system.CreateAndDrainAsync(Jobs, BatchSize);

        await system.TruncateJobsAsync();
        return (rate, createSeconds);
    }
}
