using System.Net;
using AspireJobs.Api.Jobs;
using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Workers;
using AspireJobs.LocalProcesses;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AspireJobs.Tests.Api;

/// <summary>
/// With Redis gone after PostgreSQL committed, every route that then tells Redis still answers
/// its success, and PostgreSQL holds the change (the reconciler makes Redis good later; the Api
/// itself pushes the jobs it created once Redis is back).
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
        var failed = await DeadLetteredJobAsync(system);
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

    [Fact]
    public async Task JobsCreatedOrRequeuedWhileRedisIsDown_AreAnsweredAtOnce_AndPushedByTheApiItself_OnceRedisIsBack()
    {
        var redis = await servers.StartOwnRedisAsync();
        // A minute for a Redis command, half that for a request: a create or requeue that waited
        // for Redis in its client's backlog would fail here, not just take long.
        await using var system = await TestSystem.CreateAsync(servers, redis.ConnectionString + ",asyncTimeout=60000,syncTimeout=60000");
        using var http = system.Api();
        http.Timeout = TimeSpan.FromSeconds(30);
        await http.PostJsonAsync("/api/jobs", new { type = "noop" }, HttpStatusCode.Created);
        var deadLettered = await DeadLetteredJobAsync(system);

        redis.Signal(PosixSignals.SIGKILL);
        await redis.DisposeAsync();
        await system.WaitUntilAsync(
            () => Task.FromResult(!system.ApiHost.Services.GetRequiredService<JobDispatcher>().IsConnected),
            TimeSpan.FromSeconds(30),
            "the Api's Redis client to see Redis gone");

        var single = (await http.PostJsonAsync("/api/jobs", new { type = "noop", priority = 5 }, HttpStatusCode.Created)).Id();
        var batch = (await http.PostJsonAsync("/api/jobs/batch", new { jobs = new[] { new { type = "noop" }, new { type = "noop" } } }, HttpStatusCode.Created))
            .GetProperty("ids").EnumerateArray().Select(id => id.GetGuid()).ToList();
        await http.PostJsonAsync($"/api/dead-letters/{deadLettered}/requeue", HttpStatusCode.OK);
        var cancelled = (await http.PostJsonAsync("/api/jobs", new { type = "noop" }, HttpStatusCode.Created)).Id();
        // Cancelled in PostgreSQL alone: the route would wait for Redis to take the job out of its band.
        Assert.NotNull(await system.Store.JobSetCancelledIfPendingAsync(cancelled, Token));

        var unpushed = system.ApiHost.Services.GetRequiredService<UnpushedJobs>();
        Assert.Equal(5, unpushed.Count);

        // No health monitor runs, so no reconciler: only the Api can put these jobs in their bands.
        await using var restarted = await servers.RestartOwnRedisAsync(redis);
        await system.WaitUntilAsync(
            async () => unpushed.Count == 0 && (await BandedAsync(system)).IsSupersetOf([single, deadLettered, .. batch]),
            TimeSpan.FromSeconds(60),
            "the jobs created or requeued while Redis was down to be in their bands");

        var high = await system.Dispatcher.BandPageAsync(PriorityBand.High, 0, 100);
        Assert.Contains(single, high);
        Assert.DoesNotContain(cancelled, await BandedAsync(system));
        // Pushed late, so without tickets: a worker reads each from PostgreSQL (see enqueue.lua).
        foreach (var id in batch.Append(single))
        {
            Assert.False(await system.Redis.GetDatabase().HashExistsAsync(system.Keys.Tickets, id.ToString()));
        }
    }

    /// <summary>A job that failed its only attempt and waits in the dead letters, written to PostgreSQL alone.</summary>
    private static async Task<Guid> DeadLetteredJobAsync(TestSystem system)
    {
        var id = (await system.Store.JobInsertAsync(TestJobs.New(maxRetries: 0), Token)).Job.Id;
        var started = Assert.Single((await system.Store.StartNowAsync([id], Guid.NewGuid(), TimeSpan.FromSeconds(30), ["noop"], Token)).Started);
        await system.Store.JobFinishIfRunningAsync([JobFinish.DeadLettered(id, started.LeaseToken, ExecutionStatus.Failed, "boom")], Token);
        return id;
    }

    private static async Task<HashSet<Guid>> BandedAsync(TestSystem system)
    {
        var banded = new HashSet<Guid>();
        foreach (var band in Enum.GetValues<PriorityBand>())
        {
            banded.UnionWith(await system.Dispatcher.BandPageAsync(band, 0, 100));
        }

        return banded;
    }
}
