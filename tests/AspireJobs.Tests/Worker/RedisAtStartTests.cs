using System.Net;
using AspireJobs.LocalProcesses;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Worker;

/// <summary>A worker that starts while Redis is down, against a real Redis stopped and started again.</summary>
public sealed class RedisAtStartTests(TestServers servers)
{
    [Fact]
    public async Task AWorkerStartedWhileRedisIsDown_WaitsForIt_ThenRunsJobs()
    {
        var redis = await servers.StartOwnRedisAsync();
        await using var system = await TestSystem.CreateAsync(servers, redis.ConnectionString);
        using var http = system.Api();
        redis.Signal(PosixSignals.SIGKILL);
        await redis.DisposeAsync();

        // A safety poll too long to matter: the job below starts by its wake-up.
        var worker = system.LaunchWorker(new Dictionary<string, string?> { ["Worker__SafetyPollInterval"] = "00:05:00" });
        await UntilItMeetsTheOutageAsync(system, worker);
        Assert.False(worker.Exited.IsCompleted, $"The worker exited while Redis was down:{System.Environment.NewLine}{worker.Output()}");

        await using var restarted = await servers.RestartOwnRedisAsync(redis);
        await worker.UntilHealthyAsync(TimeSpan.FromSeconds(60));

        var id = (await http.PostJsonAsync("/api/jobs", new { type = "noop" }, HttpStatusCode.Created)).Id();
        await system.WaitUntilAsync(
            async () => await system.Database.ScalarAsync<string>("SELECT status FROM jobs WHERE id = $1", id) == "completed",
            TimeSpan.FromSeconds(30), "the job to complete, started by its wake-up");
    }

    [Fact]
    public async Task AWorkerStoppedWhileItWaitsForRedis_StopsCleanly()
    {
        var redis = await servers.StartOwnRedisAsync();
        await using var system = await TestSystem.CreateAsync(servers, redis.ConnectionString);
        redis.Signal(PosixSignals.SIGKILL);
        await redis.DisposeAsync();
        var worker = system.LaunchWorker();
        await UntilItMeetsTheOutageAsync(system, worker);

        // SIGTERM, as the AppHost stops it: exit code 0, not a crash of a start cut short.
        Assert.Equal(0, await worker.StopAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Waits until the worker has logged a first heartbeat Redis did not take, or has exited.</summary>
    private static Task UntilItMeetsTheOutageAsync(TestSystem system, ServiceProcess worker) =>
        system.WaitUntilAsync(
            () => Task.FromResult(worker.Printed("Redis did not take this worker's first heartbeat") || worker.Exited.IsCompleted),
            TimeSpan.FromSeconds(60), "the worker to meet the outage at its first heartbeat");
}
