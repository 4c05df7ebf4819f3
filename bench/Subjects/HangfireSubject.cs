using System.Diagnostics;
using AspireJobs.LocalProcesses;
using Hangfire;
using Hangfire.Storage;

namespace AspireJobs.Bench.Subjects;

/// <summary>
/// Hangfire on PostgreSQL or on Redis: clients in this process, the server (20 workers, long
/// polling) in a process of its own. Each round starts from empty storage.
/// </summary>
public sealed class HangfireSubject(string kind, BenchServers servers) : ISubject
{
    private const int ServerWorkers = 20;

    // Hangfire on PostgreSQL drains about 140 jobs/s here: 20,000 would take seven of the
    // benchmark's twenty minutes. It reads somewhat slower over 5,000 (the README says by how much).
    private int DrainJobs => kind == "pg" ? 5_000 : 20_000;

    private const int WarmUpJobs = 300;

    public string Name => kind == "pg" ? "Hangfire + PostgreSQL" : "Hangfire + Redis";

    public Task StartAsync() => Task.CompletedTask;

    /// <summary>The client's create path run once untimed, as the other systems' are before their rounds.</summary>
    public async Task WarmUpAsync()
    {
        var (storage, _) = await FreshStorageAsync();
        await CreateRateAsync(new BackgroundJobClient(storage), callers: 16, jobs: 1_000);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public async Task<IReadOnlyList<Measurement>> RunRoundAsync()
    {
        var results = new List<Measurement>();
        var (storage, connection) = await FreshStorageAsync();
        var client = new BackgroundJobClient(storage);
        results.Add(new("create, 1 caller", await CreateRateAsync(client, callers: 1, jobs: 1_000), "jobs/s"));
        results.Add(new("create, 16 callers", await CreateRateAsync(client, callers: 16, jobs: 3_000), "jobs/s"));

        (storage, connection) = await FreshStorageAsync();
        client = new BackgroundJobClient(storage);
        var server = await StartServerAsync(connection);
        try
        {
            // Like AspireJobs' workers in the drain: warm (a few hundred jobs run), paused while
            // the queue fills, and timed from the moment they resume.
            await CreateRateAsync(client, callers: 16, jobs: WarmUpJobs);
            await WaitForSucceededAsync(storage, WarmUpJobs);
            PosixSignals.Send(server.Id, PosixSignals.SIGSTOP);
            await CreateRateAsync(client, callers: 16, jobs: DrainJobs);
            await using (var sampler = new ProcessFootprint.PeakSampler(() => [server.Id]))
            {
                var drain = Stopwatch.StartNew();
                PosixSignals.Send(server.Id, PosixSignals.SIGCONT);
                await WaitForSucceededAsync(storage, WarmUpJobs + DrainJobs);
                results.Add(new("drain of queued noop jobs", DrainJobs / drain.Elapsed.TotalSeconds, "jobs/s"));
                results.Add(new("worker resident memory (peak)", sampler.PeakMiB, "MiB"));
            }

            foreach (var (rate, seconds) in new[] { (200, 5), (2_000, 2) })
            {
                var before = storage.GetMonitoringApi().GetStatistics().Succeeded;
                var sent = await SteadyRate.SendAsync(rate, TimeSpan.FromSeconds(seconds), due => Task.Run(() => (Id: client.Enqueue(() => NoopJob.Run()), Due: due)));
                await WaitForSucceededAsync(storage, before + sent.Length);
                var (p50, p95, p99) = SteadyRate.Percentiles(sent.Select(job => StartLatencyMs(storage.GetMonitoringApi(), job.Id, job.Due)));
                results.Add(new($"create→start p50 at {rate} jobs/s", p50, "ms"));
                results.Add(new($"create→start p95 at {rate} jobs/s", p95, "ms"));
                results.Add(new($"create→start p99 at {rate} jobs/s", p99, "ms"));
            }
        }
        finally
        {
            PosixSignals.Send(server.Id, PosixSignals.SIGCONT);
            await server.StopAsync(PosixSignals.SIGTERM, TimeSpan.FromSeconds(20));
        }

        return results;
    }

    private async Task<(JobStorage Storage, string Connection)> FreshStorageAsync()
    {
        if (kind == "pg")
        {
            var connection = await servers.CreateDatabaseAsync("hangfire");
            return (HangfireStorage.Create(kind, connection), connection);
        }

        await servers.FlushRedisAsync();
        return (HangfireStorage.Create(kind, servers.Redis.ConnectionString), servers.Redis.ConnectionString);
    }

    private async Task<ManagedProcess> StartServerAsync(string connection)
    {
        var ready = new TaskCompletionSource();
        // The server is this program again: its own executable, or, started as `dotnet
        // AspireJobs.Bench.dll`, the dotnet host, which needs the assembly first.
        var self = Environment.ProcessPath!;
        string[] assembly = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [typeof(HangfireSubject).Assembly.Location] : [];
        var process = ManagedProcess.Start(
            new ProcessSpec(self, [.. assembly, "hangfire-server", kind, connection, ServerWorkers.ToString(System.Globalization.CultureInfo.InvariantCulture)], AppContext.BaseDirectory, new Dictionary<string, string?>()),
            line => { if (line == "ready") ready.TrySetResult(); });
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromMinutes(1));
        }
        catch
        {
            await process.StopAsync(PosixSignals.SIGKILL, TimeSpan.FromSeconds(5));
            throw;
        }

        return process;
    }

    private static async Task<double> CreateRateAsync(BackgroundJobClient client, int callers, int jobs)
    {
        var next = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(() =>
        {
            while (Interlocked.Increment(ref next) <= jobs)
            {
                client.Enqueue(() => NoopJob.Run());
            }
        })));
        return jobs / clock.Elapsed.TotalSeconds;
    }

    private static async Task WaitForSucceededAsync(JobStorage storage, long count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (storage.GetMonitoringApi().GetStatistics().Succeeded < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Hangfire did not finish the jobs in time.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>From the job's creation to the moment it entered Processing, by Hangfire's own records.</summary>
    /// <summary>From when the create was due to be sent to the job's processing state, as the other systems are timed.</summary>
    private static double StartLatencyMs(IMonitoringApi monitoring, string id, DateTimeOffset due)
    {
        var processing = monitoring.JobDetails(id).History.Last(state => state.StateName == "Processing");
        return (processing.CreatedAt - due.UtcDateTime).TotalMilliseconds;
    }
}
