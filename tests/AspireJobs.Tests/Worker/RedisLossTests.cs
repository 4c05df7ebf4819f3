using System.Net;
using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Worker;

/// <summary>Redis is only the index: losing all of it mid-run loses no job.</summary>
public sealed class RedisLossTests(TestServers servers)
{
    [Fact]
    public async Task AFlushAllMidRun_IsHealed_AndEveryJobStillCompletesOnce()
    {
        await using var redis = await servers.StartOwnRedisAsync();
        await using var system = await TestSystem.CreateAsync(servers, redis.ConnectionString);
        using var http = system.Api();
        var workerSettings = new Dictionary<string, string?> { ["Worker__Concurrency"] = "4", ["Worker__SafetyPollInterval"] = "00:00:00.500" };
        await Task.WhenAll(system.StartWorkerAsync(workerSettings), system.StartWorkerAsync(workerSettings));
        await system.StartHealthMonitorAsync(new Dictionary<string, string?> { ["HealthMonitor__ReconcileInterval"] = "00:00:00.200" });

        await http.PostJsonAsync("/api/jobs/batch", new { jobs = Enumerable.Range(0, 300).Select(_ => new { type = "sleep", payload = new { ms = 20 } }) }, HttpStatusCode.Created);
        await system.WaitUntilAsync(async () => await system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE status = 'completed'") >= 60, TimeSpan.FromSeconds(60), "a fifth of the jobs to complete");

        await system.Redis.GetDatabase().ExecuteAsync("FLUSHALL");

        await system.WaitUntilAsync(async () => await system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE status = 'completed'") == 300, TimeSpan.FromSeconds(90), "all 300 jobs to complete after the flush");
        Assert.Equal(300L, await system.Database.ScalarAsync<long>("SELECT count(*) FROM job_executions WHERE status = 'completed'"));
        Assert.Equal(0L, await system.Database.ScalarAsync<long>("SELECT count(*) FROM job_executions WHERE status NOT IN ('completed', 'abandoned')"));
    }

    [Fact]
    public async Task AWorkerThatTakesAJobAgain_WhileItsLostRunGoesOn_KeepsTheNewRunsLease_AndCanCancelIt()
    {
        await using var system = await TestSystem.CreateAsync(servers);
        using var http = system.Api();
        var worker = await system.StartWorkerAsync(new Dictionary<string, string?> { ["Worker__HeartbeatInterval"] = "00:00:00.200", ["Worker__SafetyPollInterval"] = "00:00:00.200" });
        var id = (await http.PostJsonAsync("/api/jobs", new { type = "sleep", payload = new { ms = 5_000 } }, HttpStatusCode.Created)).Id();
        await system.WaitUntilAsync(async () => await system.Database.ScalarAsync<string>("SELECT status FROM jobs WHERE id = $1", id) == "running", TimeSpan.FromSeconds(30), "the first run's start to be written");

        // What the health monitor does when Redis lost the lease of a run that goes on: the attempt
        // is recorded abandoned and the job goes back to its band. The same worker takes it again,
        // and its second run lasts well beyond the first.
        var firstToken = await system.Database.ScalarAsync<Guid>("SELECT lease_token FROM jobs WHERE id = $1", id);
        Assert.True(await system.Store.FinishAsync(JobFinish.LeaseExpired(id, firstToken), Token));
        await system.Database.ExecuteAsync("UPDATE jobs SET payload = '{\"ms\":120000}' WHERE id = $1", id);
        await system.Dispatcher.DropLeasesAsync([.. (await system.Dispatcher.LeasesOfAsync([id])).Select(held => held.Lease)]);
        await system.Dispatcher.EnqueueAsync([new QueuedJob(id, 3)]);
        await system.WaitUntilAsync(async () => await system.Database.ScalarAsync<string>("SELECT status || ':' || attempts FROM jobs WHERE id = $1", id) == "running:2", TimeSpan.FromSeconds(30), "the second run's start to be written");
        var secondFence = await system.Database.ScalarAsync<long>("SELECT fence FROM jobs WHERE id = $1", id);

        // The first run ends, its outcome refused: it must end its own lease only.
        await system.WaitUntilAsync(() => Task.FromResult(worker.Output(400).Contains("finished after its lease was taken over")), TimeSpan.FromSeconds(30), "the first run to end");
        var held = Assert.Single(await system.Dispatcher.LeasesOfAsync([id]));
        Assert.Equal(secondFence, held.Lease.Fence);
        var deadline = await system.Dispatcher.LeaseDeadlineAsync(system.Redis, id);
        await system.WaitUntilAsync(async () => await system.Dispatcher.LeaseDeadlineAsync(system.Redis, id) > deadline, TimeSpan.FromSeconds(30), "the heartbeat to extend the second run's lease");

        // And the second run is still the worker's to stop: a cancellation reaches it at once.
        Assert.Equal(HttpStatusCode.Accepted, (await http.PostAsync($"/api/jobs/{id}/cancel", null, Token)).StatusCode);
        await system.WaitUntilAsync(async () => await system.Database.ScalarAsync<string>("SELECT status FROM jobs WHERE id = $1", id) == "cancelled", TimeSpan.FromSeconds(30), "the second run to stop as cancelled");
        Assert.Equal("1:abandoned,2:cancelled", await system.Database.ScalarAsync<string>(
            "SELECT string_agg(attempt || ':' || status, ',' ORDER BY attempt) FROM job_executions WHERE job_id = $1", id));
        // Its lease is released right after the outcome's commit.
        await system.WaitUntilAsync(async () => (await system.Dispatcher.LeasesOfAsync([id])).Count == 0, TimeSpan.FromSeconds(30), "the second run's lease to be released");
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;
}
