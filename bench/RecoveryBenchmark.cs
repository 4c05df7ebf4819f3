using System.Net.Http.Json;
using System.Text.Json;
using AspireJobs.LocalProcesses;

namespace AspireJobs.Bench;

/// <summary>
/// Crash recovery with the shipped defaults (2 s heartbeats, 10 s heartbeat timeout): a worker
/// running a long job is killed with SIGKILL, and the time until the job starts again on another
/// worker is measured, by the database's clock, over many kills.
/// </summary>
public static class RecoveryBenchmark
{
    public static async Task RunAsync(Action<Measurement> report, int kills = 20)
    {
        await using var system = await BenchSystem.StartAsync(workers: 3);
        var restarts = new List<double>();
        for (var i = 0; i < kills; i++)
        {
            await WaitForLiveWorkersAsync(system, 3);
            using var created = await system.Http.PostAsJsonAsync("/api/jobs", new { type = "sleep", payload = new { ms = 120_000 } });
            var jobId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            while (await system.ScalarAsync<string>("SELECT status FROM jobs WHERE id = $1", jobId) != "running")
            {
                await Task.Delay(10);
            }

            var victim = await system.ScalarAsync<int>("SELECT w.process_id FROM jobs j JOIN workers w ON w.id = j.worker_id WHERE j.id = $1", jobId);
            PosixSignals.Send(victim, PosixSignals.SIGKILL);
            var killedAt = await system.ScalarAsync<DateTime>("SELECT now()");

            while (await system.ScalarAsync<int>("SELECT attempts FROM jobs WHERE id = $1", jobId) < 2)
            {
                await Task.Delay(10);
            }

            var restartedAt = await system.ScalarAsync<DateTime>("SELECT started_at FROM job_executions WHERE job_id = $1 AND attempt = 2", jobId);
            restarts.Add((restartedAt - killedAt).TotalSeconds);
            Console.Error.WriteLine($"  kill {i + 1}: restarted after {restarts[^1]:0.00} s");
            using var cancelled = await system.Http.PostAsync($"/api/jobs/{jobId}/cancel", null);
        }

        restarts.Sort();
        report(new($"kill -9 → restart elsewhere, median of {kills}", Percentiles.Median(restarts), "s"));
        report(new($"kill -9 → restart elsewhere, worst of {kills}", restarts[^1], "s"));
    }

    private static async Task WaitForLiveWorkersAsync(BenchSystem system, int count)
    {
        // The AppHost restarts each killed worker; wait until the fleet is whole again.
        while (await system.ScalarAsync<long>("SELECT count(*) FROM workers WHERE status = 'active'") < count)
        {
            await Task.Delay(100);
        }
    }
}
