using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.Redis.StackExchange;

namespace AspireJobs.Bench.Subjects;

/// <summary>Hangfire's storage on PostgreSQL or Redis, at the settings that made it fastest here.</summary>
public static class HangfireStorage
{
    public static JobStorage Create(string kind, string connectionString) => kind switch
    {
        "pg" => PostgreSql(connectionString),
        "redis" => new RedisStorage(connectionString, new RedisStorageOptions { Prefix = "hangfire:" }),
        _ => throw new ArgumentException($"Unknown Hangfire storage '{kind}'.", nameof(kind)),
    };

    private static PostgreSqlStorage PostgreSql(string connectionString)
    {
        // A short poll: the default 15 s puts seconds between create and start. (Its long polling,
        // LISTEN/NOTIFY, left a job behind for minutes in a trial here, so it is not used.)
        var options = new PostgreSqlStorageOptions
        {
            QueuePollInterval = TimeSpan.FromMilliseconds(50),
            PrepareSchemaIfNecessary = true,
        };
        return new PostgreSqlStorage(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(connectionString, options), options);
    }
}

/// <summary>The job the Hangfire peers run: nothing, like AspireJobs' noop.</summary>
public static class NoopJob
{
    public static void Run()
    {
    }
}

/// <summary>
/// A Hangfire server process for the benchmark (<c>AspireJobs.Bench hangfire-server KIND CONNECTION WORKERS</c>),
/// so its memory is measured on its own. Runs until stopped.
/// </summary>
public static class HangfireServerProcess
{
    public static async Task<int> RunAsync(string[] args)
    {
        var storage = HangfireStorage.Create(args[1], args[2]);
        using var server = new BackgroundJobServer(new BackgroundJobServerOptions
        {
            WorkerCount = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture),
            SchedulePollingInterval = TimeSpan.FromSeconds(1),
        }, storage);
        Console.WriteLine("ready");
        var stop = new TaskCompletionSource();
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.TrySetResult();
        });
        await stop.Task;
        return 0;
    }
}
