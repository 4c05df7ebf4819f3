using AspireJobs.Api.Access;
using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using StackExchange.Redis;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>
/// One test's own AspireJobs on the shared test servers: a fresh database, Redis keys under a
/// prefix of its own, an in-process Api, and worker and health-monitor processes on demand, all
/// configured the way the AppHost configures them. Everything stops on dispose.
/// </summary>
public sealed class TestSystem : IAsyncDisposable
{
    private readonly List<ServiceProcess> _processes = [];
    private readonly string _redisConnectionString;
    private readonly bool _ownRedis;
    private WebApplicationFactory<AspireJobs.Api.ApiOptions>? _api;

    private TestSystem(TestServers servers, TestDatabase database, string? redisConnectionString)
    {
        Database = database;
        Keys = TestServers.NewRedisKeys();
        _redisConnectionString = redisConnectionString ?? servers.Redis.ConnectionString;
        _ownRedis = redisConnectionString is not null;
        Redis = _ownRedis ? ConnectionMultiplexer.Connect(OwnRedisOptions(redisConnectionString!)) : servers.RedisConnection;
        Store = new JobStore(database.DataSource, TimeProvider.System);
        Dispatcher = new JobDispatcher(Redis, Keys, TimeProvider.System);
    }

    public TestDatabase Database { get; }

    public RedisKeys Keys { get; }

    public IConnectionMultiplexer Redis { get; }

    public JobStore Store { get; }

    public JobDispatcher Dispatcher { get; }

    public IReadOnlyList<ServiceProcess> Processes => _processes;

    /// <summary>
    /// The test's client of a Redis of the test's own, which the test may stop and start: it
    /// reconnects as the services do, every half second, rather than back off as the client's
    /// default does (for up to half a minute).
    /// </summary>
    private static ConfigurationOptions OwnRedisOptions(string connectionString) =>
        AspireJobs.ServiceDefaults.RedisClient.Parse(connectionString, "redis");

    /// <summary>A system on the shared servers; <paramref name="redisConnectionString"/> puts it on another Redis.</summary>
    public static async Task<TestSystem> CreateAsync(TestServers servers, string? redisConnectionString = null) =>
        new(servers, await servers.CreateDatabaseAsync(), redisConnectionString);

    /// <summary>The environment the AppHost would give a service of this system.</summary>
    public Dictionary<string, string?> Environment(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__jobsdb"] = Database.ConnectionString,
            ["ConnectionStrings__redis"] = _redisConnectionString,
            ["Dispatch__KeyPrefix"] = Keys.Prefix,
            // The Redis client's connection lines (thirty of them) would fill the last lines of a
            // process that a failed test prints; its warnings and errors still show.
            ["Logging__LogLevel__StackExchange.Redis"] = "Warning",
        };
        foreach (var (name, value) in extra ?? new Dictionary<string, string?>())
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>An HttpClient for an in-process Api of this system, with the admin key.</summary>
    public HttpClient Api() => Api(ApiScope.Admin);

    /// <summary>An HttpClient for an in-process Api of this system, with the key of <paramref name="scope"/>, or none.</summary>
    public HttpClient Api(ApiScope? scope) => scope is { } held ? ApiHost.CreateClient().WithKey(held) : ApiHost.CreateClient();

    /// <summary>The in-process Api of this system, started on first use.</summary>
    public WebApplicationFactory<AspireJobs.Api.ApiOptions> ApiHost => _api ??= CreateApiHost([]);

    /// <summary>Another in-process Api of this system, with <paramref name="settings"/> on top (the caller disposes it).</summary>
    public WebApplicationFactory<AspireJobs.Api.ApiOptions> CreateApiHost(IEnumerable<KeyValuePair<string, string>> settings) =>
        new WebApplicationFactory<AspireJobs.Api.ApiOptions>().WithWebHostBuilder(web =>
        {
            foreach (var (name, value) in Environment())
            {
                web.UseSetting(name.Replace("__", ":", StringComparison.Ordinal), value);
            }

            // No warm-up by default: a test host shares the test process's runtime, which compiles
            // all along, so the warm-up would run its every round (CreatePathWarmUpTests has it).
            web.UseSetting("Api:WarmUpRounds", "0");
            foreach (var (name, value) in TestApiKeys.Settings().Concat(settings))
            {
                web.UseSetting(name, value);
            }
        });

    /// <summary>
    /// An Api process of this system (Kestrel, its own runtime and environment), with the tests'
    /// keys and no warm-up; the caller disposes it.
    /// </summary>
    public async Task<ServiceProcess> StartApiAsync(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var environment = Environment(extra);
        environment.TryAdd("Api__WarmUpRounds", "0");
        foreach (var (name, value) in TestApiKeys.Settings())
        {
            environment[name.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return await ServiceProcess.StartAsync("Api", environment);
    }

    public async Task<ServiceProcess> StartWorkerAsync(IReadOnlyDictionary<string, string?>? extra = null) =>
        Track(await ServiceProcess.StartAsync("Worker", Environment(extra)));

    /// <summary>A worker started without waiting for it to be healthy (stopped with the system).</summary>
    public ServiceProcess LaunchWorker(IReadOnlyDictionary<string, string?>? extra = null) =>
        Track(ServiceProcess.Launch("Worker", Environment(extra)));

    public async Task<ServiceProcess> StartHealthMonitorAsync(IReadOnlyDictionary<string, string?>? extra = null) =>
        Track(await ServiceProcess.StartAsync("HealthMonitor", Environment(extra)));

    public async Task<ServiceProcess> StartIndexerAsync(IReadOnlyDictionary<string, string?>? extra = null) =>
        Track(await ServiceProcess.StartAsync("Indexer", Environment(extra)));

    /// <summary>The last lines of every process's output, for a failure message.</summary>
    public string Output() => string.Join(System.Environment.NewLine, _processes.Select(p => $"--- {p.Project} ({p.ProcessId}){System.Environment.NewLine}{p.Output(40)}"));

    /// <summary>
    /// Polls until <paramref name="condition"/> holds; fails, when it does not in time, with what
    /// the system held then (<see cref="DescribeAsync"/>) and every process's output.
    /// </summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds} s waiting for {what}.{System.Environment.NewLine}{await DescribeAsync()}{System.Environment.NewLine}{Output()}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// The newest jobs and events in PostgreSQL, the log readers' cursors and what memory holds,
    /// and the sizes of the Redis index, at the moment of a failure: whether a job was never
    /// dispatched, never finished, or finished unseen.
    /// </summary>
    private async Task<string> DescribeAsync()
    {
        var lines = new List<string> { $"--- state at {DateTimeOffset.UtcNow:O}" };
        try
        {
            await ReadLinesAsync(lines, "job", """
                SELECT id::text, type, status, attempts::text, coalesce(worker_id::text, '-'), fence::text, coalesce(parked_at::text, '-')
                FROM (SELECT * FROM jobs ORDER BY created_at DESC LIMIT 20) newest ORDER BY created_at
                """);
            await ReadLinesAsync(lines, "event", """
                SELECT id::text, job_id::text, coalesce(from_status, '-') || '->' || to_status, coalesce(attempt::text, '-'), at::text, coalesce(started_at::text, '-')
                FROM (SELECT * FROM job_events ORDER BY id DESC LIMIT 30) newest ORDER BY id
                """);
            // Where the log's readers (the indexer) stand, and what memory holds.
            await ReadLinesAsync(lines, "cursor", "SELECT name, last_event_id::text, updated_at::text FROM job_event_cursors ORDER BY name");
            await ReadLinesAsync(lines, "remembered", "SELECT job_id::text, attempt::text, outcome FROM execution_vectors ORDER BY job_id, attempt LIMIT 20");
        }
        catch (Npgsql.NpgsqlException e)
        {
            lines.Add($"PostgreSQL could not be read: {e.Message}");
        }

        try
        {
            var redis = Redis.GetDatabase();
            var bands = await Task.WhenAll(Keys.Bands.Select(band => redis.SortedSetLengthAsync(band)));
            lines.Add($"redis bands {string.Join('/', bands)}, leases {await redis.SortedSetLengthAsync(Keys.Leases)}, idle workers {await redis.SetLengthAsync(Keys.IdleWorkers)}");
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            lines.Add($"Redis could not be read: {e.Message}");
        }

        return string.Join(System.Environment.NewLine, lines);
    }

    private async Task ReadLinesAsync(List<string> lines, string label, string sql)
    {
        await using var command = Database.DataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(label + " " + string.Join(' ', Enumerable.Range(0, reader.FieldCount).Select(reader.GetString)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_processes.Select(p => p.DisposeAsync().AsTask()));
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await Database.DisposeAsync();
        if (_ownRedis)
        {
            await Redis.DisposeAsync(); // else it would try to reconnect to a port a later test's Redis may take
        }
    }

    private ServiceProcess Track(ServiceProcess process)
    {
        _processes.Add(process);
        return process;
    }
}
