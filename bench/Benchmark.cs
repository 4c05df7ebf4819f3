using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using AspireJobs.AppHost;
using AspireJobs.AppHost.Hosting;
using AspireJobs.AppHost.Processes;
using Npgsql;

namespace AspireJobs.Bench;

/// <summary>
/// Starts AspireJobs (PostgreSQL with synchronous_commit on, Redis, migrations, Api, two workers,
/// health monitor) in a private data directory and measures, over HTTP like any client:
/// single creates from 1 and 16 callers, batch creates, the drain of 20,000 queued noop jobs,
/// and create→start latency at a steady rate. Workers are paused (SIGSTOP) while jobs pile up.
/// </summary>
public static class Benchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = RepositoryRoot.Find();
        var dataDirectory = Path.Combine(Path.GetTempPath(), "aspirejobs-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dataDirectory);
        File.SetUnixFileMode(dataDirectory, (UnixFileMode)0b111_101_101);

        var builder = new DistributedApplicationBuilder(new AppHostOptions(Workers: 2, ApiPort: 0, dataDirectory), root)
        {
            Output = new QuietOutput(),
        };
        builder.AddAspireJobs();
        await using var app = builder.Build();
        await app.StartAsync();
        foreach (var resource in new[] { "api", "worker", "healthmonitor" })
        {
            await app.WaitForResourceReadyAsync(resource).WaitAsync(TimeSpan.FromMinutes(3));
        }

        var api = app.GetEndpoint("api");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = api };
        var workers = app.InstancesOf("worker").Select(w => w.ProcessId!.Value).ToList();
        var database = app.Instances.OfType<ResourceInstance>().First(i => i.Resource is PostgresServerResource).Resource as PostgresServerResource;
        await using var db = NpgsqlDataSource.Create(database!.Server.ConnectionString("jobsdb"));

        var results = new List<Measurement>();
        void Report(Measurement m)
        {
            results.Add(m);
            Console.WriteLine(m);
        }

        // Creates, with the workers paused so nothing competes with them.
        Pause(workers);
        Report(new("create, 1 caller", await CreateRateAsync(http, callers: 1, jobs: 2_000), "jobs/s"));
        Report(new("create, 16 callers", await CreateRateAsync(http, callers: 16, jobs: 8_000), "jobs/s"));
        Report(new("batch create (1,000 per call)", await BatchRateAsync(http, batches: 20, size: 1_000), "jobs/s"));
        Resume(workers);
        await WaitForDrainAsync(db, TimeSpan.FromMinutes(5));

        // Drain: 20,000 noop jobs queued while the workers are paused, then released.
        Pause(workers);
        await BatchRateAsync(http, batches: 20, size: 1_000);
        var drain = Stopwatch.StartNew();
        Resume(workers);
        await WaitForDrainAsync(db, TimeSpan.FromMinutes(10));
        Report(new("drain 20,000 noop, 2 workers", 20_000 / drain.Elapsed.TotalSeconds, "jobs/s"));

        // Pickup latency at a steady rate, measured by the database's clock (created_at → started_at).
        foreach (var rate in new[] { 200 })
        {
            var (p50, p99) = await LatencyAtRateAsync(http, db, rate, TimeSpan.FromSeconds(10));
            Report(new($"create→start p50 at {rate} jobs/s", p50, "ms"));
            Report(new($"create→start p99 at {rate} jobs/s", p99, "ms"));
        }

        await app.StopAsync();
        Directory.Delete(dataDirectory, recursive: true);
        return 0;
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

    private static async Task WaitForDrainAsync(NpgsqlDataSource db, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            await using var command = db.CreateCommand("SELECT count(*) FROM jobs WHERE status IN ('queued', 'running', 'scheduled')");
            if ((long)(await command.ExecuteScalarAsync())! == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The jobs did not drain in time.");
            }

            await Task.Delay(20);
        }
    }

    private static async Task<(double P50, double P99)> LatencyAtRateAsync(HttpClient http, NpgsqlDataSource db, int rate, TimeSpan duration)
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
                using var response = await http.PostAsJsonAsync("/api/jobs", new { type = "noop" });
                response.EnsureSuccessStatusCode();
                ids[index] = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            }));
        }

        await Task.WhenAll(sends);
        await WaitForDrainAsync(db, TimeSpan.FromMinutes(2));
        await using var command = db.CreateCommand(
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

    /// <summary>Resources' output is not part of the benchmark's.</summary>
    private sealed class QuietOutput : IProcessOutput
    {
        public void Write(string resourceName, string line)
        {
        }
    }
}
