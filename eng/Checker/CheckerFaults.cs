using AspireJobs.LocalProcesses;
using StackExchange.Redis;

namespace AspireJobs.Checker;

/// <summary>Every class of fault the checker injects, each a process killed, a server wiped or restarted, or the network degraded.</summary>
public static class CheckerFaults
{
    /// <summary>The fault classes, in the order they are injected; a paused worker is held for twice <paramref name="heartbeatTimeout"/>.</summary>
    public static IReadOnlyList<CheckerFault> All(TimeSpan heartbeatTimeout) =>
    [
        new("worker kill -9", (system, _) => Kill(system, "worker", PosixSignals.SIGKILL)),
        new("api kill -9 during creates", (system, _) => Kill(system, "api", PosixSignals.SIGKILL)),
        new("monitor (leader) kill -9", (system, _) => Kill(system, "healthmonitor", PosixSignals.SIGKILL)),
        new("redis FLUSHALL", FlushRedisAsync),
        new("redis kill -9, data kept", (system, _) => Kill(system, "redis", PosixSignals.SIGKILL)),
        new("redis kill -9, AOF deleted", KillRedisAndDeleteItsDataAsync),
        new("postgres fast shutdown", (system, _) => Kill(system, "postgres", PosixSignals.SIGINT)),
        new("postgres kill -9", (system, _) => Kill(system, "postgres", PosixSignals.SIGKILL)),
        PausedWorker(heartbeatTimeout * 2),
        new("network +200 ms latency", (system, _) => SetLatency(system, TimeSpan.FromMilliseconds(200)),
            Hold: TimeSpan.FromSeconds(4), HealAsync: (system, _) => SetLatency(system, TimeSpan.Zero)),
        new("network connections reset", (system, _) =>
        {
            system.RedisProxy.DropAll();
            system.PostgresProxy.DropAll();
            return Task.CompletedTask;
        }),
        new("network half-open 6 s", (system, _) => SetHalfOpen(system, true),
            Hold: TimeSpan.FromSeconds(6), HealAsync: (system, _) => SetHalfOpen(system, false)),
    ];

    private static CheckerFault PausedWorker(TimeSpan hold)
    {
        var paused = 0;
        return new("worker SIGSTOP past heartbeat timeout",
            (system, _) =>
            {
                paused = system.ProcessIdsOf("worker")[0];
                Signal(paused, PosixSignals.SIGSTOP, "worker");
                return Task.CompletedTask;
            },
            hold,
            (_, _) =>
            {
                Signal(paused, PosixSignals.SIGCONT, "worker");
                return Task.CompletedTask;
            });
    }

    private static Task Kill(CheckedSystem system, string resource, int signal)
    {
        var victim = system.ProcessIdsOf(resource) is [var first, ..] ? first : throw new InvalidOperationException($"no running {resource} to signal");
        Signal(victim, signal, resource);
        return Task.CompletedTask;
    }

    /// <summary>A fault whose signal reached no process never happened: the run must not pass for it.</summary>
    private static void Signal(int processId, int signal, string resource)
    {
        if (!PosixSignals.Send(processId, signal))
        {
            throw new InvalidOperationException($"signal {signal} reached no process: {resource}'s process {processId} is gone (a stale process id)");
        }
    }

    private static async Task FlushRedisAsync(CheckedSystem system, CancellationToken cancellationToken)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(system.RedisConnectionString + ",allowAdmin=true");
        foreach (var server in redis.GetServers())
        {
            await server.FlushAllDatabasesAsync();
        }
    }

    private static Task KillRedisAndDeleteItsDataAsync(CheckedSystem system, CancellationToken cancellationToken)
    {
        Kill(system, "redis", PosixSignals.SIGKILL);
        // Before the AppHost starts it again (a second or more): it comes back empty.
        var directory = Path.Combine(system.DataDirectory, "redis");
        foreach (var data in Directory.EnumerateFileSystemEntries(directory).Where(p => Path.GetFileName(p) is "appendonlydir" or "dump.rdb"))
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
            else
            {
                File.Delete(data);
            }
        }

        return Task.CompletedTask;
    }

    private static Task SetLatency(CheckedSystem system, TimeSpan latency)
    {
        system.RedisProxy.Latency = latency;
        system.PostgresProxy.Latency = latency;
        return Task.CompletedTask;
    }

    private static Task SetHalfOpen(CheckedSystem system, bool halfOpen)
    {
        system.RedisProxy.HalfOpen = halfOpen;
        system.PostgresProxy.HalfOpen = halfOpen;
        return Task.CompletedTask;
    }
}
