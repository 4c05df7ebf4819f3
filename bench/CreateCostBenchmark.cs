using System.Diagnostics;
using System.Globalization;
using AspireJobs.Bench.Subjects;

namespace AspireJobs.Bench;

/// <summary>
/// Where a create's cost goes. A fresh system with its workers paused, warmed by 5,000 creates,
/// then rounds of 2,000 creates from one caller and 8,000 from 16, one HTTP request per job as a
/// client sends them. Each round prints jobs/s and the CPU milliseconds per 1,000 creates spent
/// by the Api, PostgreSQL, Redis and this process (the callers' HttpClient and JSON), so a change
/// shows where it saved and whether the machine or a wait was the limit; first, what the same
/// processes spend idle, per second, which every figure includes. <c>--env
/// resource:NAME=VALUE</c> compares settings run against run.
/// </summary>
public static class CreateCostBenchmark
{
    private static readonly (int Callers, int Jobs)[] Figures = [(1, 2_000), (16, 8_000)];

    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(int rounds, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> environment)
    {
        var settings = BenchSystem.Describe(environment);
        Console.WriteLine($"Create cost, {DateTime.UtcNow:yyyy-MM-dd}: single creates over HTTP, workers paused; {settings}");
        await using var system = await BenchSystem.StartAsync(workers: 2, BenchSystem.PausableWorkersWith(environment));
        system.PauseWorkers();
        await system.CreateRateAsync(callers: 16, jobs: 4_000);
        await system.CreateRateAsync(callers: 1, jobs: 1_000);

        // What the processes spend with no creates at all (timers, health checks, the monitor's
        // and the indexer's polls): part of every figure below, most of all the slow single caller's.
        var idleFrom = CpuSeconds(system);
        await Task.Delay(IdleWindow);
        var idle = CpuSeconds(system).Minus(idleFrom);
        double PerSecond(double seconds) => seconds * 1000 / IdleWindow.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| idle | CPU ms per second: api {PerSecond(idle.Api):0} · postgres {PerSecond(idle.Postgres):0} · redis {PerSecond(idle.Redis):0} · callers {PerSecond(idle.Callers):0} |"));
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var (callers, jobs) in Figures)
            {
                var before = CpuSeconds(system);
                var clock = Stopwatch.StartNew();
                var rate = await system.CreateRateAsync(callers, jobs);
                var wall = clock.Elapsed.TotalSeconds;
                var used = CpuSeconds(system).Minus(before);
                double PerThousand(double seconds) => seconds * 1000 / (jobs / 1000.0);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| round {round} | {callers,2} caller(s) | {rate,7:N0} jobs/s | CPU ms per 1,000: api {PerThousand(used.Api):0} · postgres {PerThousand(used.Postgres):0} · redis {PerThousand(used.Redis):0} · callers {PerThousand(used.Callers):0} | machine busy {used.Total / wall / Environment.ProcessorCount:P0} |"));
            }
        }

        system.ResumeWorkers();
        return 0;
    }

    private sealed record Cpu(double Api, double Postgres, double Redis, double Callers)
    {
        public double Total => Api + Postgres + Redis + Callers;

        public Cpu Minus(Cpu before) => new(Api - before.Api, Postgres - before.Postgres, Redis - before.Redis, Callers - before.Callers);
    }

    private static Cpu CpuSeconds(BenchSystem system) => new(
        ProcessFootprint.CpuSeconds([system.ApiProcessId]),
        ProcessFootprint.CpuSeconds(system.PostgresProcessIds),
        ProcessFootprint.CpuSeconds([system.RedisProcessId]),
        Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);
}
