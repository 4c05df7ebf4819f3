using AspireJobs.AppHost.Infrastructure;
using AspireJobs.AppHost.Processes;
using AspireJobs.Core.Dispatch;
using AspireJobs.MigrationService;
using Npgsql;
using StackExchange.Redis;

[assembly: AssemblyFixture(typeof(AspireJobs.Tests.Infrastructure.TestServers))]

namespace AspireJobs.Tests.Infrastructure;

/// <summary>
/// One real PostgreSQL and one real Redis for the whole test run, started from the machine's
/// programs (the same runners the AppHost uses) on free loopback ports in a temporary directory,
/// and stopped by process id when the run ends, whether tests passed or not. A migrated
/// template database lets each test get a fresh database in one statement.
/// </summary>
public sealed class TestServers : IAsyncLifetime
{
    public const string TemplateDatabase = "aspirejobs_template";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    // Durability is not under test here and costs time: the benchmark runs with it on.
    private static readonly Dictionary<string, string> FastSettings = new()
    {
        ["fsync"] = "off",
        ["synchronous_commit"] = "off",
        ["full_page_writes"] = "off",
        ["max_connections"] = "400",
    };

    private ManagedProcess? _postgresProcess;
    private ManagedProcess? _redisProcess;

    public string Root { get; private set; } = "";

    public LocalPostgres Postgres { get; private set; } = null!;

    public LocalRedis Redis { get; private set; } = null!;

    public IConnectionMultiplexer RedisConnection { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await TestLeftovers.StopAsync();
        Root = TestLeftovers.CreateRunDirectory();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillServers();

        Postgres = new LocalPostgres(Path.Combine(Root, "postgres"), FreePort.Next(), FastSettings);
        await Postgres.PrepareAsync(CancellationToken.None);
        _postgresProcess = ManagedProcess.Start(Postgres.ServerProcess(), _ => { });
        TestLeftovers.Record(Root, _postgresProcess.Id);

        Redis = new LocalRedis(Path.Combine(Root, "redis"), FreePort.Next());
        await Redis.PrepareAsync(CancellationToken.None);
        _redisProcess = ManagedProcess.Start(Redis.ServerProcess(), _ => { });
        TestLeftovers.Record(Root, _redisProcess.Id);

        await WaitUntilAsync("PostgreSQL", _postgresProcess, Postgres.IsReadyAsync);
        await WaitUntilAsync("Redis", _redisProcess, Redis.IsReadyAsync);

        await Postgres.CreateDatabaseIfMissingAsync(TemplateDatabase, template: null, CancellationToken.None);
        await using (var template = NpgsqlDataSource.Create(Postgres.ConnectionString(TemplateDatabase) + ";Pooling=false"))
        {
            await new Migrator(template).MigrateAsync(MigrationCatalog.Embedded, CancellationToken.None);
        }

        RedisConnection = await ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);
    }

    /// <summary>A new database with the current schema, dropped when the returned object is disposed.</summary>
    public Task<TestDatabase> CreateDatabaseAsync() => CreateDatabaseAsync(TemplateDatabase);

    /// <summary>A new, empty database (for migration tests).</summary>
    public Task<TestDatabase> CreateEmptyDatabaseAsync() => CreateDatabaseAsync(template: null);

    /// <summary>Redis keys under a prefix of their own, so tests sharing the server never meet.</summary>
    public static RedisKeys NewRedisKeys() => new("test-" + Guid.NewGuid().ToString("N")[..16]);

    /// <summary>A Redis server of a test's own (for tests that flush or kill it); stopped on dispose.</summary>
    public async Task<OwnRedis> StartOwnRedisAsync()
    {
        var redis = new LocalRedis(CreateDirectory("redis"), FreePort.Next());
        await redis.PrepareAsync(CancellationToken.None);
        var process = ManagedProcess.Start(redis.ServerProcess(), _ => { });
        TestLeftovers.Record(Root, process.Id);
        await WaitUntilAsync("Redis", process, redis.IsReadyAsync);
        return new OwnRedis(redis, process);
    }

    /// <summary>A directory inside this run's temporary directory, removed with it.</summary>
    public string CreateDirectory(string name)
    {
        var path = Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, TestLeftovers.WorldTraversable);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        if (RedisConnection is not null)
        {
            await RedisConnection.DisposeAsync();
        }

        NpgsqlConnection.ClearAllPools();
        if (_redisProcess is not null)
        {
            await _redisProcess.StopAsync(PosixSignals.SIGTERM, TimeSpan.FromSeconds(10));
        }

        if (_postgresProcess is not null)
        {
            await _postgresProcess.StopAsync(PosixSignals.SIGINT, TimeSpan.FromSeconds(20));
        }

        TestLeftovers.Remove(Root);
    }

    private async Task<TestDatabase> CreateDatabaseAsync(string? template)
    {
        var name = "test_" + Guid.NewGuid().ToString("N");
        await Postgres.CreateDatabaseIfMissingAsync(name, template, CancellationToken.None);
        return new TestDatabase(this, name);
    }

    private void KillServers()
    {
        foreach (var process in new[] { _redisProcess, _postgresProcess })
        {
            if (process is not null && !process.Exited.IsCompleted)
            {
                process.Signal(PosixSignals.SIGKILL);
            }
        }
    }

    private static async Task WaitUntilAsync(string what, ManagedProcess process, Func<CancellationToken, Task<bool>> isReady)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (!await isReady(CancellationToken.None))
        {
            if (process.Exited.IsCompleted)
            {
                throw new InvalidOperationException($"{what} exited with code {process.Exited.Result} while starting for the tests.");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not become ready within {StartTimeout.TotalSeconds} s.");
            }

            await Task.Delay(50);
        }
    }
}

/// <summary>A Redis server one test owns.</summary>
public sealed class OwnRedis(LocalRedis redis, ManagedProcess process) : IAsyncDisposable
{
    public string ConnectionString => redis.ConnectionString;

    /// <summary>Sends a signal to the server (SIGSTOP and SIGCONT pause and resume it).</summary>
    public bool Signal(int signal) => process.Signal(signal);

    public async ValueTask DisposeAsync() => await process.StopAsync(PosixSignals.SIGTERM, TimeSpan.FromSeconds(10));
}
