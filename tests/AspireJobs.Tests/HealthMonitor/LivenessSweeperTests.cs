using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Workers;
using AspireJobs.HealthMonitor;
using AspireJobs.HealthMonitor.Fleet;
using AspireJobs.HealthMonitor.Leadership;
using AspireJobs.LocalProcesses;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AspireJobs.Tests.HealthMonitor;

/// <summary>The liveness sweeper in process, on a Redis of the test's own that it stops and starts again.</summary>
public sealed class LivenessSweeperTests(TestServers servers)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AWorkerWhoseBeatsCouldNotReachRedisWhileItWasDown_GetsTimeToBeatAgain_BeforeItIsJudged()
    {
        var redis = await servers.StartOwnRedisAsync();
        await using var system = await TestSystem.CreateAsync(servers, redis.ConnectionString);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var workers = new WorkerStore(system.Database.DataSource, clock);
        var options = Options.Create(new HealthMonitorOptions());
        var sweeper = new LivenessSweeper(workers, system.Store, system.Dispatcher, InProcessMonitor.Rescue(system), clock, options,
            new LeaderElection(system.Database.DataSource, options, NullLogger<LeaderElection>.Instance), NullLogger<LivenessSweeper>.Instance);
        var worker = Guid.NewGuid();
        await workers.WorkerInsertAsync(new WorkerRegistration(worker, "w1", "h", 1, "1", ["noop"], 4), Token);
        await sweeper.RunPassAsync(Token); // the liveness marker set: a first pass gives every worker its grace
        clock.Advance(options.Value.RedisLossGrace + TimeSpan.FromSeconds(1));
        await system.Dispatcher.HeartbeatAsync(worker, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), []);
        await sweeper.RunPassAsync(Token);
        Assert.Equal("active", await StatusAsync(system, worker));

        // Redis goes away, kept data and all: passes fail, and the worker's beats cannot land, so
        // its key has lapsed (it beat with a two-second timeout) by the time Redis is back.
        redis.Signal(PosixSignals.SIGKILL);
        await redis.DisposeAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => sweeper.RunPassAsync(Token));
        await Task.Delay(TimeSpan.FromSeconds(2.5), Token);
        await using var restarted = await servers.RestartOwnRedisAsync(redis);
        // Reconnected before the next pass, which Redis then answers at once: no stall to see.
        await system.WaitUntilAsync(async () =>
        {
            try
            {
                await system.Redis.GetDatabase().PingAsync();
                return true;
            }
            catch (Exception e) when (RedisFailure.Is(e))
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "the connection to Redis to be back");
        await sweeper.RunPassAsync(Token);

        Assert.Equal("active", await StatusAsync(system, worker));

        // Given the grace and still silent, it is judged.
        clock.Advance(options.Value.RedisLossGrace + TimeSpan.FromSeconds(1));
        await sweeper.RunPassAsync(Token);
        Assert.Equal("dead", await StatusAsync(system, worker));
    }

    private static Task<string> StatusAsync(TestSystem system, Guid worker) =>
        system.Database.ScalarAsync<string>("SELECT status FROM workers WHERE id = $1", worker);
}
