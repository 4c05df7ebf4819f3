using System.Net;
using AspireJobs.LocalProcesses;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.HealthMonitor;

/// <summary>
/// A worker is given up only for its own silence: a PostgreSQL or Redis that stands still for
/// longer than the heartbeat timeout (2 s here) must not make live workers look dead.
/// </summary>
public sealed class LivenessStallTests(TestServers servers)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AWorkerWhoseReportToPostgreSqlHangs_KeepsBeating_AndIsNotGivenUp()
    {
        await using var system = await TestSystem.CreateAsync(servers);
        var worker = await StartAsync(system, workers: 1);
        var workerId = await system.Database.ScalarAsync<Guid>("SELECT id FROM workers");

        // Hold the worker's row, so its metrics report waits on the lock well past the heartbeat timeout.
        await using (var connection = await system.Database.DataSource.OpenConnectionAsync(TestContext.Current.CancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken))
        {
            await using var hold = new Npgsql.NpgsqlCommand("SELECT FROM workers WHERE id = $1 FOR UPDATE", connection, transaction) { Parameters = { new() { Value = workerId } } };
            await hold.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(4), TestContext.Current.CancellationToken);
            await transaction.CommitAsync(TestContext.Current.CancellationToken);
        }

        await AssertAllServeAsync(system, worker);
    }

    [Fact]
    public async Task ARedisPausedPastTheHeartbeatTimeout_GivesUpNoWorker()
    {
        await using var redis = await servers.StartOwnRedisAsync();
        await using var system = await TestSystem.CreateAsync(servers, redis.ConnectionString);
        var workers = await StartAsync(system, workers: 2);

        redis.Signal(PosixSignals.SIGSTOP);
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        redis.Signal(PosixSignals.SIGCONT);

        await AssertAllServeAsync(system, workers);
    }

    /// <summary>Workers and a health monitor with a 2 s heartbeat timeout, once the monitor has judged liveness.</summary>
    private static async Task<ServiceProcess[]> StartAsync(TestSystem system, int workers)
    {
        var started = await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => system.StartWorkerAsync(FleetProcessTests.FastWorker)));
        await system.StartHealthMonitorAsync(FleetProcessTests.FastMonitor);
        await system.WaitUntilAsync(() => system.Redis.GetDatabase().KeyExistsAsync(system.Keys.LivenessEpoch), Patience, "the health monitor's first liveness pass");
        return started;
    }

    /// <summary>Jobs still complete, and after several more liveness passes every worker is active and running.</summary>
    private static async Task AssertAllServeAsync(TestSystem system, params ServiceProcess[] workers)
    {
        using var http = system.Api();
        await http.PostJsonAsync("/api/jobs/batch", new { jobs = Enumerable.Range(0, 20).Select(_ => new { type = "noop" }) }, HttpStatusCode.Created);
        await system.WaitUntilAsync(async () => await system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE status = 'completed'") == 20, Patience, "the jobs to complete");
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);

        var statuses = await system.Database.ScalarAsync<string>("SELECT string_agg(status, ',') FROM workers");
        Assert.True(statuses == string.Join(',', workers.Select(_ => "active")), $"worker statuses: {statuses}{Environment.NewLine}{system.Output()}");
        Assert.All(workers, worker => Assert.False(worker.Exited.IsCompleted, system.Output()));
    }
}
