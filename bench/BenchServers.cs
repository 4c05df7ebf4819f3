using AspireJobs.LocalProcesses;

namespace AspireJobs.Bench;

/// <summary>
/// The PostgreSQL and Redis the peers run on, one after another: the machine's own programs set
/// up as the AppHost sets up its local ones, with the same default durability (synchronous_commit
/// on, Redis append-only with fsync every second), on free loopback ports, in a temporary directory.
/// </summary>
public sealed class BenchServers : IAsyncDisposable
{
    private readonly string _directory;

    private BenchServers(string directory, PostgresProcess postgres, RedisProcess redis)
    {
        _directory = directory;
        Postgres = postgres;
        Redis = redis;
    }

    public PostgresProcess Postgres { get; }

    public RedisProcess Redis { get; }

    public static async Task<BenchServers> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "aspirejobs-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101); // PostgreSQL may run as another user

        var postgres = await PostgresProcess.StartAsync(Path.Combine(directory, "postgres"), new Dictionary<string, string> { ["max_connections"] = "300" });
        var redis = await RedisProcess.StartAsync(Path.Combine(directory, "redis"));
        return new BenchServers(directory, postgres, redis);
    }

    /// <summary>A fresh, empty database for one system.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await Postgres.DropDatabaseAsync(name);
        await Postgres.CreateDatabaseAsync(name);
        return Postgres.ConnectionString(name);
    }

    /// <summary>Empties Redis between systems.</summary>
    public async Task FlushRedisAsync()
    {
        using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(Redis.ConnectionString);
        await redis.GetDatabase().ExecuteAsync("FLUSHALL");
    }

    public async ValueTask DisposeAsync()
    {
        await Redis.DisposeAsync();
        await Postgres.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
