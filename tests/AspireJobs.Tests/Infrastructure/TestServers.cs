using AspireJobs.Core.Dispatch;
using AspireJobs.LocalProcesses;
using AspireJobs.MigrationService;
using Npgsql;
using StackExchange.Redis;

[assembly: AssemblyFixture(typeof(AspireJobs.Tests.Infrastructure.TestServers))]

namespace AspireJobs.Tests.Infrastructure;

/// <summary>
/// One real PostgreSQL and one real Redis for the whole test run, started from the machine's
/// programs (set up as the AppHost sets up its local ones) on free loopback ports in a temporary
/// directory, and stopped by process id when the run ends, whether tests passed or not. A
/// migrated template database lets each test get a fresh database in one statement.
/// </summary>
public sealed class TestServers : IAsyncLifetime
{
    public const string TemplateDatabase = "aspirejobs_template";

    // Durability is not under test here and costs time: the benchmark runs with it on.
    private static readonly Dictionary<string, string> FastSettings = new()
    {
        ["fsync"] = "off",
        ["synchronous_commit"] = "off",
        ["full_page_writes"] = "off",
        ["max_connections"] = "400",
    };

    public string Root { get; private set; } = "";

    public PostgresProcess Postgres { get; private set; } = null!;

    public RedisProcess Redis { get; private set; } = null!;

    public IConnectionMultiplexer RedisConnection { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await TestLeftovers.StopAsync();
        Root = TestLeftovers.CreateRunDirectory();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Postgres?.Kill();

        var postgres = PostgresProcess.StartAsync(Path.Combine(Root, "postgres"), FastSettings);
        var redis = RedisProcess.StartAsync(Path.Combine(Root, "redis"));
        Postgres = await postgres;
        TestLeftovers.Record(Root, Postgres.ProcessId);
        Redis = await redis;
        TestLeftovers.Record(Root, Redis.ProcessId);

        await Postgres.CreateDatabaseAsync(TemplateDatabase);
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

    /// <summary>A Redis server of a test's own (for tests that flush, pause or kill it); stopped on dispose.</summary>
    public async Task<RedisProcess> StartOwnRedisAsync()
    {
        var redis = await RedisProcess.StartAsync(CreateDirectory("redis"));
        TestLeftovers.Record(Root, redis.ProcessId);
        return redis;
    }

    /// <summary>Starts a test's own Redis again after it stopped: the same port, password and data directory.</summary>
    public async Task<RedisProcess> RestartOwnRedisAsync(RedisProcess stopped)
    {
        var redis = await RedisProcess.StartAsync(stopped.Directory, stopped.Port);
        TestLeftovers.Record(Root, redis.ProcessId);
        return redis;
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
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }

        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }

        TestLeftovers.Remove(Root);
    }

    private async Task<TestDatabase> CreateDatabaseAsync(string? template)
    {
        var name = "test_" + Guid.NewGuid().ToString("N");
        await Postgres.CreateDatabaseAsync(name, template);
        return new TestDatabase(this, name);
    }
}
