using AspireJobs.AppHost.Infrastructure;
using AspireJobs.AppHost.Processes;
using Npgsql;

namespace AspireJobs.Bench;

/// <summary>
/// The one PostgreSQL and one Redis every system under test runs on, one after another: the
/// machine's own programs with their default durability (synchronous_commit on, Redis
/// append-only with fsync every second), on free loopback ports, in a temporary directory.
/// </summary>
public sealed class BenchServers : IAsyncDisposable
{
    private readonly string _directory;
    private readonly ManagedProcess _postgresProcess;
    private readonly ManagedProcess _redisProcess;

    private BenchServers(string directory, LocalPostgres postgres, ManagedProcess postgresProcess, LocalRedis redis, ManagedProcess redisProcess)
    {
        _directory = directory;
        Postgres = postgres;
        Redis = redis;
        _postgresProcess = postgresProcess;
        _redisProcess = redisProcess;
    }

    public LocalPostgres Postgres { get; }

    public LocalRedis Redis { get; }

    public static async Task<BenchServers> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "aspirejobs-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101); // PostgreSQL may run as another user

        var postgres = new LocalPostgres(Path.Combine(directory, "postgres"), FreePort.Next(), new Dictionary<string, string> { ["max_connections"] = "300" });
        await postgres.PrepareAsync(CancellationToken.None);
        var postgresProcess = ManagedProcess.Start(postgres.ServerProcess(), _ => { });
        var redis = new LocalRedis(Path.Combine(directory, "redis"), FreePort.Next());
        await redis.PrepareAsync(CancellationToken.None);
        var redisProcess = ManagedProcess.Start(redis.ServerProcess(), _ => { });

        while (!await postgres.IsReadyAsync(CancellationToken.None) || !await redis.IsReadyAsync(CancellationToken.None))
        {
            await Task.Delay(100);
        }

        return new BenchServers(directory, postgres, postgresProcess, redis, redisProcess);
    }

    /// <summary>A fresh, empty database for one system.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using (var admin = new NpgsqlConnection(Postgres.ConnectionString("postgres") + ";Pooling=false"))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }

        await Postgres.CreateDatabaseIfMissingAsync(name, template: null, CancellationToken.None);
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
        await _redisProcess.StopAsync(PosixSignals.SIGTERM, TimeSpan.FromSeconds(10));
        await _postgresProcess.StopAsync(PosixSignals.SIGINT, TimeSpan.FromSeconds(30));
        Directory.Delete(_directory, recursive: true);
    }
}
