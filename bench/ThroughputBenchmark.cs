using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using AspireJobs.AppHost.Processes;
using Npgsql;

namespace AspireJobs.Bench;

/// <summary>
/// Creates from 1 and 16 callers, batch creates, the drain of 20,000 queued noop jobs with two
/// workers, and create→start latency at steady rates, all over HTTP. Workers are paused
/// (SIGSTOP) while jobs pile up, so creates are measured alone.
/// </summary>
public static class ThroughputBenchmark
{
    public static async Task RunAsync(Action<Measurement> report)
    {
        await using var system = await BenchSystem.StartAsync(workers: 2);
        var http = system.Http;
        var workers = system.WorkerProcessIds;

        Pause(workers);
        report(new("create, 1 caller", await CreateRateAsync(http, callers: 1, jobs: 2_000), "jobs/s"));
        report(new("create, 16 callers", await CreateRateAsync(http, callers: 16, jobs: 8_000), "jobs/s"));
        report(new("batch create (1,000 per call)", await BatchRateAsync(http, batches: 20, size: 1_000), "jobs/s"));
        Resume(workers);
        await WaitForDrainAsync(system, TimeSpan.FromMinutes(5));

        Pause(workers);
        await BatchRateAsync(http, batches: 20, size: 1_000);
        var drain = Stopwatch.StartNew();
        Resume(workers);
        await WaitForDrainAsync(system, TimeSpan.FromMinutes(10));
        report(new("drain 20,000 noop, 2 workers", 20_000 / drain.Elapsed.TotalSeconds, "jobs/s"));

        foreach (var rate in new[] { 200 })
        {
            var (p50, p99) = await LatencyAtRateAsync(system, rate, TimeSpan.FromSeconds(10));
            report(new($"create→start p50 at {rate} jobs/s", p50, "ms"));
            report(new($"create→start p99 at {rate} jobs/s", p99, "ms"));
        }
    }

    private static void Pause(IEnumerable<int> processIds)
    {
        foreach (var pid in processIds)
        {
            PosixSignals.Send(pid, PosixSignals.SIGSTOP);
        }
    }

    private static void Resume(IEnumerable<int> processIds)
    {
        foreach (var pid in processIds)
        {
            PosixSignals.Send(pid, PosixSignals.SIGCONT);
        }
    }

    private static async Task<double> CreateRateAsync(HttpClient http, int callers, int jobs)
    {
        var next = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= jobs)
            {
                using var response = await http.PostAsJsonAsync("/api/jobs", new { type = "noop" });
                response.EnsureSuccessStatusCode();
            }
        }));
        return jobs / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> BatchRateAsync(HttpClient http, int batches, int size)
    {
        var body = new { jobs = Enumerable.Range(0, size).Select(_ => new { type = "noop" }).ToArray() };
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < batches; i++)
        {
            using var response = await http.PostAsJsonAsync("/api/jobs/batch", body);
            response.EnsureSuccessStatusCode();
        }

        return batches * size / clock.Elapsed.TotalSeconds;
    }

    private static async Task WaitForDrainAsync(BenchSystem system, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (await system.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE status IN ('queued', 'running', 'scheduled')") > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The jobs did not drain in time.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>p50 and p99 of created_at → started_at, both by the database's clock.</summary>
    private static async Task<(double P50, double P99)> LatencyAtRateAsync(BenchSystem system, int rate, TimeSpan duration)
    {
        var total = (int)(rate * duration.TotalSeconds);
        var ids = new Guid[total];
        var clock = Stopwatch.StartNew();
        var sends = new List<Task>(total);
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed);
            }

            var index = i;
            sends.Add(Task.Run(async () =>
            {
                using var response = await system.Http.PostAsJsonAsync("/api/jobs", new { type = "noop" });
                response.EnsureSuccessStatusCode();
                ids[index] = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            }));
        }

        await Task.WhenAll(sends);
        await WaitForDrainAsync(system, TimeSpan.FromMinutes(2));
        await using var command = system.Database.CreateCommand(
            "SELECT extract(epoch FROM e.started_at - j.created_at) * 1000 FROM jobs j JOIN job_executions e ON e.job_id = j.id AND e.attempt = 1 WHERE j.id = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = ids });
        var latencies = new List<double>(total);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            latencies.Add((double)reader.GetDecimal(0));
        }

        latencies.Sort();
        return (Percentiles.Of(latencies, 50), Percentiles.Of(latencies, 99));
    }
}
