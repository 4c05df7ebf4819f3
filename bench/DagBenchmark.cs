using System.Diagnostics;
using System.Net.Http.Json;
using AspireJobs.LocalProcesses;

namespace AspireJobs.Bench;

/// <summary>
/// Workflows on the whole system (two worker replicas through the AppHost): a fan-out/fan-in of
/// 10,000 jobs (one root, 9,998 in parallel, one join) and a chain of 1,000, each created in one
/// batch while the workers are paused, then run to the end. Reports jobs/s from the workers'
/// resumption to the last job's completion, and release latencies, from the completion of a
/// job's last parent to its own start, by the workers' clocks (one machine): for the chain every
/// link (p50, p99), where nothing else is queued; for the fan-out the first of the 9,998 to start
/// after the root, and the join after the last of them (the other 9,997 wait their turn in the band).
/// </summary>
public static class DagBenchmark
{
    public static async Task RunAsync(Action<Measurement> report, int rounds = 3)
    {
        await using var system = await BenchSystem.StartAsync(workers: 2);
        var shapes = new (string Name, object[] Jobs)[] { ("fan-out/fan-in of 10,000", FanOutFanIn(10_000)), ("chain of 1,000", Chain(1_000)) };
        foreach (var (name, jobs) in shapes)
        {
            await RunShapeAsync(system, jobs); // warm-up
            var rates = new List<double>();
            var latencies = new List<double>();
            var firsts = new List<double>();
            var joins = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                var (rate, releases) = await RunShapeAsync(system, jobs);
                rates.Add(rate);
                latencies.AddRange(releases.Select(r => r.Ms));
                firsts.Add(releases.Where(r => r.Parents == 1).Min(r => r.Ms));
                joins.Add(releases.Max(r => r.Parents) > 1 ? releases.Single(r => r.Parents > 1).Ms : double.NaN);
                Console.Error.WriteLine($"  {name}, round {round + 1}: {rate:N0} jobs/s");
            }

            rates.Sort();
            latencies.Sort();
            firsts.Sort();
            joins.Sort();
            report(new($"{name}: run to the end (median of {rounds})", Percentiles.Median(rates), "jobs/s"));
            if (double.IsNaN(joins[0]))
            {
                report(new($"{name}: parent done → child start p50", Percentiles.Of(latencies, 50), "ms"));
                report(new($"{name}: parent done → child start p99", Percentiles.Of(latencies, 99), "ms"));
            }
            else
            {
                report(new($"{name}: root done → first child start (median)", Percentiles.Median(firsts), "ms"));
                report(new($"{name}: last parent done → join start (median)", Percentiles.Median(joins), "ms"));
            }
        }
    }

    private static readonly string[] Root = ["root"];

    private static object[] FanOutFanIn(int total)
    {
        var middle = Enumerable.Range(0, total - 2).Select(i => $"m{i}").ToArray();
        return
        [
            new { @ref = "root", type = "noop" },
            .. middle.Select(m => (object)new { @ref = m, type = "noop", dependsOn = Root }),
            new { @ref = "join", type = "noop", dependsOn = middle },
        ];
    }

    private static object[] Chain(int length) =>
        Enumerable.Range(0, length).Select(i => (object)new { @ref = $"c{i}", type = "noop", dependsOn = i == 0 ? Array.Empty<string>() : [$"c{i - 1}"] }).ToArray();

    private static async Task<(double Rate, IReadOnlyList<(double Ms, long Parents)> Releases)> RunShapeAsync(BenchSystem system, object[] jobs)
    {
        await system.TruncateJobsAsync();

        system.PauseWorkers();
        using (var created = await system.Http.PostAsJsonAsync("/api/jobs/batch", new { jobs }))
        {
            created.EnsureSuccessStatusCode();
        }

        var clock = Stopwatch.StartNew();
        system.ResumeWorkers();
        await BenchSystem.WaitForDrainAsync(system.Http, TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(5));

        var rate = jobs.Length / clock.Elapsed.TotalSeconds;
        await using var command = system.Database.CreateCommand(
            """
            SELECT extract(epoch FROM c.started_at - max(p.completed_at)) * 1000, count(*)
            FROM jobs c
            JOIN job_dependencies d ON d.job_id = c.id
            JOIN jobs p ON p.id = d.depends_on_id
            GROUP BY c.id, c.started_at
            """);
        var releases = new List<(double, long)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            releases.Add(((double)reader.GetDecimal(0), reader.GetInt64(1)));
        }

        return (rate, releases);
    }
}
