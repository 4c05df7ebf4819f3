using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using AspireJobs.LocalProcesses;
using Npgsql;
using StackExchange.Redis;

namespace AspireJobs.Bench.Subjects;

/// <summary>
/// AspireJobs, started through its AppHost (<see cref="BenchSystem"/>: migrations, Api, two worker
/// replicas, health monitor, on the AppHost's own local PostgreSQL and Redis) and driven over HTTP
/// like any client. Workers are paused (SIGSTOP) while jobs pile up, so creates are measured alone
/// and the drain starts from a full queue. Variables given per resource (<c>--env</c>) compare
/// runtime settings run against run.
/// </summary>
public sealed class AspireJobsSubject(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> environment) : ISubject
{
    private BenchSystem? _system;
    private HttpClient _http = null!;
    private ConnectionMultiplexer _redis = null!;

    public const string SubjectName = "AspireJobs";

    public string Name => SubjectName;

    private IReadOnlyList<int> Workers => _system!.WorkerProcessIds;

    private int Api => _system!.ApiProcessId;

    private NpgsqlDataSource Database => _system!.Database;

    public async Task StartAsync()
    {
        // Workers sit paused for a while in every round.
        _system = await BenchSystem.StartAsync(workers: 2, BenchSystem.PausableWorkersWith(environment));
        _http = _system.Http;
        _redis = await ConnectionMultiplexer.ConnectAsync(_system.RedisConnectionString);
    }

    /// <summary>20,000 noop jobs created (two batches) and drained at once by the fresh system, no warm-up.</summary>
    public async Task<IReadOnlyList<Measurement>> RunColdAsync()
    {
        var (rate, _) = await _system!.CreateAndDrainAsync(ColdJobs, ColdBatch);
        return [new(ColdFigure, rate, "jobs/s")];
    }

    /// <summary>The cold figure's name, size and batches, the same for every system.</summary>
    private const string ColdFigure = "cold create+drain of 20,000, fresh system (once per run)";

    private const int ColdJobs = 20_000;

    private const int ColdBatch = 10_000;

    /// <summary>
    /// Every path of a round, twice, on fewer jobs. After one pass the first round's drain still
    /// ran at about two thirds of the later ones' (3,300–3,700 against 4,700–5,800 jobs/s): .NET's
    /// dynamic PGO was still running instrumented code. With it off every round matched, so it is
    /// warm-up, not the system, and a second pass gives it the time.
    /// </summary>
    public async Task WarmUpAsync()
    {
        for (var pass = 0; pass < 2; pass++)
        {
            _system!.PauseWorkers();
            await ResetAsync();
            await _system!.CreateRateAsync(callers: 16, jobs: 2_000);
            await BatchRateAsync(batches: 10, size: 1_000);
            _system!.ResumeWorkers();
            await WaitForDrainAsync();
            await LatencyAtRateAsync(1_000, TimeSpan.FromSeconds(2));
        }
    }

    public async Task<IReadOnlyList<Measurement>> RunRoundAsync()
    {
        var results = new List<Measurement>();
        _system!.PauseWorkers();
        await ResetAsync();
        var redisBefore = await RedisUsedMemoryAsync();
        results.Add(new("create, 1 caller", await _system!.CreateRateAsync(callers: 1, jobs: 2_000), "jobs/s"));
        results.Add(new("create, 16 callers", await _system!.CreateRateAsync(callers: 16, jobs: 8_000), "jobs/s"));
        results.Add(new("batch create (1,000 per call)", await BatchRateAsync(batches: 20, size: 1_000), "jobs/s"));
        await BatchRateAsync(batches: 70, size: 1_000); // 100,000 queued now
        results.Add(new("Redis memory, 100,000 queued jobs", (await RedisUsedMemoryAsync() - redisBefore) / 1024.0 / 1024.0, "MiB"));

        await ResetAsync();
        await BatchRateAsync(batches: 20, size: 1_000);
        await using (var api = new ProcessFootprint.PeakSampler(() => [Api]))
        await using (var connections = new ConnectionSampler(Database))
        {
            // The workers' memory over the drain alone, as the peers' harnesses sample theirs.
            await using (var workers = new ProcessFootprint.PeakSampler(() => Workers))
            {
                var drain = Stopwatch.StartNew();
                _system!.ResumeWorkers();
                await WaitForDrainAsync();
                results.Add(new("drain of queued noop jobs", 20_000 / drain.Elapsed.TotalSeconds, "jobs/s"));
                results.Add(new("worker resident memory (peak)", workers.PeakMiB, "MiB"));
            }

            foreach (var (rate, seconds) in new[] { (200, 5), (2_000, 2) })
            {
                var (p50, p95, p99) = await LatencyAtRateAsync(rate, TimeSpan.FromSeconds(seconds));
                results.Add(new($"create→start p50 at {rate} jobs/s", p50, "ms"));
                results.Add(new($"create→start p95 at {rate} jobs/s", p95, "ms"));
                results.Add(new($"create→start p99 at {rate} jobs/s", p99, "ms"));
            }

            results.Add(new("Api resident memory (peak)", api.PeakMiB, "MiB"));
            results.Add(new("PostgreSQL connections in use (peak)", connections.Peak, "connections"));
        }

        // After the connections are counted: the benchmark's own commits use a connection of their own.
        var floor = await CommitLatencyAsync(FloorRate, TimeSpan.FromSeconds(5));
        results.Add(new($"floor: one-row commit p50 at {FloorRate}/s", floor.P50, "ms"));
        results.Add(new($"floor: one-row commit p99 at {FloorRate}/s", floor.P99, "ms"));

        return results;
    }

    /// <summary>Empties the jobs and the dispatch index between figures.</summary>
    private async Task ResetAsync()
    {
        await _system!.TruncateJobsAsync();

        var server = _redis.GetServers().Single();
        var database = _redis.GetDatabase();
        foreach (var pattern in new[] { "{aspirejobs}:band:*", "{aspirejobs}:lease*", "{aspirejobs}:tickets" })
        {
            foreach (var key in server.Keys(pattern: pattern))
            {
                await database.KeyDeleteAsync(key);
            }
        }
    }

    private async Task<long> RedisUsedMemoryAsync()
    {
        var info = (string)(await _redis.GetDatabase().ExecuteAsync("INFO", "memory"))!;
        return long.Parse(info.Split("\r\n").First(l => l.StartsWith("used_memory:", StringComparison.Ordinal))["used_memory:".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<double> BatchRateAsync(int batches, int size)
    {
        var body = new { jobs = Enumerable.Range(0, size).Select(_ => new { type = "noop" }).ToArray() };
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < batches; i++)
        {
            using var response = await _http.PostAsJsonAsync("/api/jobs/batch", body);
            response.EnsureSuccessStatusCode();
        }

        return batches * size / clock.Elapsed.TotalSeconds;
    }

    private Task WaitForDrainAsync() => BenchSystem.WaitForDrainAsync(_http, TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(20));

    /// <summary>
    /// From the moment each create was due to be sent, by this process's clock, to its job's
    /// start, by the worker's (on the same machine): as BullMQ's side measures it, so the HTTP
    /// request, the wait for a group commit and any lag of the sender are in the time.
    /// </summary>
    private async Task<(double P50, double P95, double P99)> LatencyAtRateAsync(int rate, TimeSpan duration)
    {
        var sent = await SteadyRate.SendAsync(rate, duration, async due =>
        {
            using var response = await _http.PostAsJsonAsync("/api/jobs", new { type = "noop" });
            response.EnsureSuccessStatusCode();
            return (Id: (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid(), Due: due);
        });
        await WaitForDrainAsync();
        var dueById = sent.ToDictionary(s => s.Id, s => s.Due);
        await using var command = Database.CreateCommand(
            "SELECT e.job_id, e.started_at FROM job_executions e WHERE e.job_id = ANY($1) AND e.attempt = 1");
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. dueById.Keys] });
        var latencies = new List<double>(sent.Length);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            latencies.Add((reader.GetFieldValue<DateTimeOffset>(1) - dueById[reader.GetGuid(0)]).TotalMilliseconds);
        }

        if (latencies.Count != sent.Length)
        {
            throw new InvalidOperationException($"{sent.Length - latencies.Count} of {sent.Length} jobs created at {rate}/s have no first attempt.");
        }

        return SteadyRate.Percentiles(latencies);
    }

    private const int FloorRate = 200;

    /// <summary>
    /// The floor under create→start at a rate low enough that each create is committed alone: a
    /// one-row insert into a table of one column, committed under synchronous_commit in the
    /// system's own PostgreSQL at the same steady rate while the system idles. A create waits for
    /// a commit like it before its job reaches Redis, so no create→start percentile at this rate
    /// can be lower on this machine. Sent blocking, from a thread of its own on one connection, so
    /// that as little as can be of this process's own scheduling is in the time.
    /// </summary>
    private async Task<(double P50, double P95, double P99)> CommitLatencyAsync(int rate, TimeSpan duration)
    {
        await using var connection = await Database.OpenConnectionAsync();
        await using (var create = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS bench_commits (at timestamptz NOT NULL DEFAULT now())", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        var latencies = new List<double>();
        await Task.Factory.StartNew(() =>
        {
            using var insert = new NpgsqlCommand("INSERT INTO bench_commits DEFAULT VALUES", connection);
            var total = (int)(rate * duration.TotalSeconds);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < total; i++)
            {
                var wait = TimeSpan.FromSeconds((double)i / rate) - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    Thread.Sleep(wait);
                }

                var sent = Stopwatch.GetTimestamp();
                insert.ExecuteNonQuery();
                latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            }
        }, TaskCreationOptions.LongRunning);
        await using (var drop = new NpgsqlCommand("DROP TABLE bench_commits", connection))
        {
            await drop.ExecuteNonQueryAsync();
        }

        return SteadyRate.Percentiles(latencies);
    }

    public async ValueTask DisposeAsync()
    {
        if (_system is not null)
        {
            _system!.ResumeWorkers();
            await _redis.DisposeAsync();
            await _system.DisposeAsync();
        }
    }

    /// <summary>Samples how many connections the system holds to its database (the benchmark's own excluded).</summary>
    private sealed class ConnectionSampler : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public ConnectionSampler(NpgsqlDataSource db)
        {
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    await using var command = db.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' AND application_name <> $1");
                    command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = BenchSystem.ApplicationName });
                    Peak = Math.Max(Peak, (long)(await command.ExecuteScalarAsync())!);
                    await Task.Delay(200);
                }
            });
        }

        public long Peak { get; private set; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }
    }
}
