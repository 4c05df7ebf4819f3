using System.Net;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Workers;
using AspireJobs.LocalProcesses;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Api;

/// <summary>
/// With Redis gone after PostgreSQL committed, every route that then tells Redis still answers
/// its success, and PostgreSQL holds the change (the reconciler makes Redis good later).
/// </summary>
public sealed class RedisDownTests(TestServers servers)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_Cancel_Requeue_AndDrain_AnswerTheirSuccess_WhenRedisIsDown()
    {
        var redis = await servers.StartOwnRedisAsync();
        await using var system = await TestSystem.CreateAsync(servers, redis.ConnectionString);
        using var http = system.Api();
        var queued = (await http.PostJsonAsync("/api/jobs", new { type = "noop" }, HttpStatusCode.Created)).Id();
        var failed = (await system.Store.JobInsertAsync(TestJobs.New(maxRetries: 0), Token)).Job.Id;
        var started = Assert.Single((await system.Store.StartNowAsync([failed], Guid.NewGuid(), TimeSpan.FromSeconds(30), ["noop"], Token)).Started);
        await system.Store.JobFinishIfRunningAsync([JobFinish.DeadLettered(failed, started.LeaseToken, ExecutionStatus.Failed, "boom")], Token);
        var worker = Guid.NewGuid();
        await new WorkerStore(system.Database.DataSource, TimeProvider.System).WorkerInsertAsync(new WorkerRegistration(worker, "w", "h", 1, "1", ["noop"], 4), Token);

        redis.Signal(PosixSignals.SIGKILL);
        await redis.DisposeAsync();

        var created = (await http.PostJsonAsync("/api/jobs", new { type = "noop" }, HttpStatusCode.Created)).Id();
        await http.PostJsonAsync($"/api/jobs/{queued}/cancel", HttpStatusCode.OK);
        await http.PostJsonAsync($"/api/dead-letters/{failed}/requeue", HttpStatusCode.OK);
        await http.PostJsonAsync($"/api/workers/{worker}/drain", HttpStatusCode.OK);

        Assert.Equal(JobStatus.Queued, (await system.Store.JobGetByIdAsync(created, Token))!.Status);
        Assert.Equal(JobStatus.Cancelled, (await system.Store.JobGetByIdAsync(queued, Token))!.Status);
        Assert.Equal(JobStatus.Queued, (await system.Store.JobGetByIdAsync(failed, Token))!.Status);
        Assert.Equal("draining", await system.Database.ScalarAsync<string>("SELECT status FROM workers WHERE id = $1", worker));
    }
}
