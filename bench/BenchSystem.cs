using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using AspireJobs.AppHost.Lifecycle;
using AspireJobs.AppHost.Services;
using AspireJobs.LocalProcesses;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AspireJobs.Bench;

/// <summary>
/// The whole of AspireJobs started through its AppHost (with Aspire.Hosting.Testing: the AppHost's
/// own model, Aspire's orchestrator, its local PostgreSQL and Redis with their default
/// durability, synchronous_commit on) in a private data directory, for one benchmark.
/// </summary>
public sealed class BenchSystem : IAsyncDisposable
{
    private readonly string _dataDirectory;

    private BenchSystem(DistributedApplication app, string dataDirectory, string jobsdb, string redis)
    {
        App = app;
        _dataDirectory = dataDirectory;
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = app.GetEndpoint("api", "http") };
        ApiKey = ApiKeys.Read(dataDirectory);
        Http.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        Database = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(jobsdb) { ApplicationName = ApplicationName }.ConnectionString);
        RedisConnectionString = redis;
    }

    /// <summary>The benchmark's own sessions in PostgreSQL, told apart from the system's by this name.</summary>
    public const string ApplicationName = "aspirejobs-bench";

    public DistributedApplication App { get; }

    /// <summary>A client of the Api that sends the admin key the AppHost generated.</summary>
    public HttpClient Http { get; }

    public string ApiKey { get; }

    /// <summary>The key the AppHost generated for a scope (<c>write</c>, <c>read</c>), from the data directory.</summary>
    public string ApiKeyOf(string scope) => ApiKeys.Read(_dataDirectory, scope);

    public NpgsqlDataSource Database { get; }

    public string RedisConnectionString { get; }

    public IReadOnlyList<int> WorkerProcessIds => ProcessIdsOf("worker");

    public int ApiProcessId => ProcessIdsOf("api").Single();

    public int HealthMonitorProcessId => ProcessIdsOf("healthmonitor").Single();

    public int RedisProcessId => ProcessIdsOf("redis").Single();

    /// <summary>
    /// Settings for a system whose workers sit paused (SIGSTOP) for a while, which is no sign of ill
    /// health: they must not be declared dead, nor drained or evacuated for the gaps in their
    /// heartbeats, nor take fewer jobs at once for them. The sample that spans a pause scores a worker
    /// 0 some seconds after it resumed, and a worker scored 0 runs a quarter of its slots: the very
    /// drain a pause prepared for.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> PausableWorkers = new Dictionary<string, IReadOnlyDictionary<string, string>>
    {
        ["worker"] = new Dictionary<string, string> { ["Worker__HeartbeatTimeout"] = "00:10:00", ["Worker__HealthAwareAcquisition"] = "false" },
        ["healthmonitor"] = new Dictionary<string, string> { ["HealthMonitor__AutoDrain"] = "false", ["HealthMonitor__AutoEvacuate"] = "false" },
    };

    /// <summary><see cref="PausableWorkers"/> and the variables given (<c>--env</c>), which win where both set one.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> PausableWorkersWith(
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> environment)
    {
        var merged = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (resource, variables) in PausableWorkers.Concat(environment))
        {
            if (!merged.TryGetValue(resource, out var into))
            {
                merged[resource] = into = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            foreach (var (name, value) in variables)
            {
                into[name] = value;
            }
        }

        return merged.ToDictionary(m => m.Key, m => (IReadOnlyDictionary<string, string>)m.Value, StringComparer.Ordinal);
    }

    /// <summary>The variables given (<c>--env</c>) as <c>resource:NAME=VALUE, ...</c>; "defaults" when none.</summary>
    public static string Describe(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> environment) =>
        environment.Count == 0 ? "defaults" : string.Join(", ", environment.SelectMany(r => r.Value.Select(v => $"{r.Key}:{v.Key}={v.Value}")));

    /// <summary>Stops the workers where they stand (SIGSTOP): jobs pile up untouched.</summary>
    public void PauseWorkers() => Signal(WorkerProcessIds, PosixSignals.SIGSTOP);

    public void ResumeWorkers() => Signal(WorkerProcessIds, PosixSignals.SIGCONT);

    private static void Signal(IEnumerable<int> processIds, int signal)
    {
        foreach (var pid in processIds)
        {
            PosixSignals.Send(pid, signal);
        }
    }

    /// <summary>
    /// Sends noop jobs one HTTP request each, as a client does, from <paramref name="callers"/>
    /// concurrent callers; jobs/s.
    /// </summary>
    public async Task<double> CreateRateAsync(int callers, int jobs)
    {
        var next = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= jobs)
            {
                using var response = await Http.PostAsJsonAsync("/api/jobs", new { type = "noop" });
                response.EnsureSuccessStatusCode();
            }
        }));
        return jobs / clock.Elapsed.TotalSeconds;
    }

    public int IndexerProcessId => ProcessIdsOf("indexer").Single();

    /// <summary>PostgreSQL's postmaster and its children (the backends), when PostgreSQL runs as a local process.</summary>
    public IReadOnlyList<int> PostgresProcessIds
    {
        get
        {
            var postmasters = ProcessIdsOf("postgres");
            var children = Directory.EnumerateDirectories("/proc")
                .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
                .Where(pid => pid > 0 && postmasters.Contains(ParentOf(pid)));
            return [.. postmasters, .. children];
        }
    }

    /// <param name="environment">Extra variables per resource, e.g. <c>worker</c>'s heartbeat timeout.</param>
    public static async Task<BenchSystem> StartAsync(int workers, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? environment = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "aspirejobs-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dataDirectory);
        File.SetUnixFileMode(dataDirectory, (UnixFileMode)0b111_101_101); // PostgreSQL may run as another user

        using var timeout = new CancellationTokenSource(AspireJobsAppHost.StartTimeout);
        // No dashboard, so the services export no telemetry (the AppHost's TelemetryWithoutDashboard).
        var app = await AspireJobsAppHost.StartAsync(dataDirectory, workers,
            builder =>
            {
                builder.WithEnvironment(environment ?? new Dictionary<string, IReadOnlyDictionary<string, string>>());
                // The tables are what this process prints: the services' own output (forwarded by
                // Aspire.Hosting.Testing, PostgreSQL's routine lines among its errors) and Aspire's
                // progress would bury them. The AppHost's warnings (a crash restart) still show.
                builder.Services.AddLogging(logging => logging
                    .AddFilter("AspireJobs.AppHost.Resources", LogLevel.None)
                    .AddFilter("Aspire.Hosting", LogLevel.Warning));
            },
            dashboard: false, timeout.Token);

        var system = new BenchSystem(app, dataDirectory,
            await app.GetConnectionStringAsync("jobsdb", timeout.Token) ?? throw new InvalidOperationException("jobsdb has no connection string."),
            await app.GetConnectionStringAsync("redis", timeout.Token) ?? throw new InvalidOperationException("redis has no connection string."));
        while (system.WorkerProcessIds.Count < workers || await system.ScalarAsync<long>("SELECT count(*) FROM workers WHERE status = 'active'") < workers)
        {
            await Task.Delay(100, timeout.Token);
        }

        return system;
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var command = Command(sql, parameters);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Every row of a query, each read by <paramref name="read"/>.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read, params object[] parameters)
    {
        await using var command = Command(sql, parameters);
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>
    /// Empties the jobs and everything recorded of them, between figures. The indexer may be reading
    /// or storing these very attempts, and TRUNCATE locks its tables in the order it names them, then
    /// the ones it cascades to. So it names them in the order the indexer's statements lock them:
    /// its store takes <c>execution_vectors</c> before <c>job_executions</c>, and its lookup of
    /// attempts <c>job_executions</c> before <c>jobs</c> (its read of the log takes <c>job_events</c>
    /// alone). Tried again should it still lose a deadlock (40P01).
    /// </summary>
    public async Task TruncateJobsAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var truncate = Database.CreateCommand("TRUNCATE execution_vectors, job_executions, jobs, job_events CASCADE");
                await truncate.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < 5)
            {
                await Task.Delay(200);
            }
        }
    }

    private NpgsqlCommand Command(string sql, object[] parameters)
    {
        var command = Database.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return command;
    }

    /// <summary>
    /// Creates noop jobs in batches while the workers run, and times them from the first create to
    /// the last completion: jobs/s, and the seconds the creates alone took (the Api's part; the
    /// workers drain meanwhile).
    /// </summary>
    public async Task<(double Rate, double CreateSeconds)> CreateAndDrainAsync(int jobs, int batchSize)
    {
        var clock = Stopwatch.StartNew();
        for (var created = 0; created < jobs; created += batchSize)
        {
            using var response = await Http.PostAsJsonAsync("/api/jobs/batch", new { jobs = Enumerable.Range(0, Math.Min(batchSize, jobs - created)).Select(_ => new { type = "noop" }) });
            response.EnsureSuccessStatusCode();
        }

        var createSeconds = clock.Elapsed.TotalSeconds;
        await WaitForDrainAsync(Http, TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(10));
        return (jobs / clock.Elapsed.TotalSeconds, createSeconds);
    }

    /// <summary>
    /// Waits until no job is left to run: none waiting, scheduled, queued or running, as a client
    /// asks it (<c>GET /api/queues</c>, the kept counts, as BullMQ's peer polls getJobCounts). An
    /// EXISTS over the jobs' statuses was planned as a scan of the table once finished jobs made
    /// most of it: 30 ms of PostgreSQL's CPU per poll, every 10-20 ms, during the drain it timed.
    /// </summary>
    public static async Task WaitForDrainAsync(HttpClient api, TimeSpan timeout, TimeSpan poll)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var counts = await api.GetFromJsonAsync<JsonElement>("/api/queues");
            var queued = counts.GetProperty("queued");
            var unfinished = queued.GetProperty("high").GetInt64() + queued.GetProperty("medium").GetInt64() + queued.GetProperty("low").GetInt64()
                + counts.GetProperty("scheduled").GetInt64() + counts.GetProperty("waiting").GetInt64() + counts.GetProperty("running").GetInt64();
            if (unfinished == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"AspireJobs did not drain within {timeout} ({unfinished} jobs left).");
            }

            await Task.Delay(poll);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Database.DisposeAsync();
        await App.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    private static int ParentOf(int pid)
    {
        try
        {
            // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>The running instances' process ids, from apphost.json.</summary>
    private List<int> ProcessIdsOf(string resource) =>
        [.. (StatusFile.Read(StatusFile.PathIn(_dataDirectory))?.Resources ?? [])
            .Where(r => r.Resource == resource && r.State == KnownResourceStates.Running && r.ProcessId is not null)
            .Select(r => r.ProcessId!.Value)];
}
