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

    [Fact]
    public async Task JobsCreatedWhileRedisIsDown_ArePushedByTheApiItself_OnceRedisIsBack()
    {
        var redis = await servers.StartOwnRedisAsync();
        await using var system = await TestSystem.CreateAsync(servers, redis.ConnectionString);
        using var http = system.Api();
        await http.PostJsonAsync("/api/jobs", new { type = "noop" }, HttpStatusCode.Created);

        redis.Signal(PosixSignals.SIGKILL);
        await redis.DisposeAsync();

        var single = (await http.PostJsonAsync("/api/jobs", new { type = "noop", priority = 5 }, HttpStatusCode.Created)).Id();
        var batch = (await http.PostJsonAsync("/api/jobs/batch", new { jobs = new[] { new { type = "noop" }, new { type = "noop" } } }, HttpStatusCode.Created))
            .GetProperty("ids").EnumerateArray().Select(id => id.GetGuid()).ToList();
        var cancelled = (await http.PostJsonAsync("/api/jobs", new { type = "noop" }, HttpStatusCode.Created)).Id();
        await http.PostJsonAsync($"/api/jobs/{cancelled}/cancel", HttpStatusCode.OK);

        var unpushed = system.ApiHost.Services.GetRequiredService<UnpushedJobs>();
        Assert.Equal(4, unpushed.Count);

        // No health monitor runs, so no reconciler: only the Api can put these jobs in their bands.
        await using var restarted = await servers.RestartOwnRedisAsync(redis);
        await system.WaitUntilAsync(
            async () => unpushed.Count == 0 && (await BandedAsync(system)).IsSupersetOf([single, .. batch]),
            TimeSpan.FromSeconds(60),
            "the jobs created while Redis was down to be in their bands");

        var high = await system.Dispatcher.BandPageAsync(PriorityBand.High, 0, 100);
        Assert.Contains(single, high);
        Assert.DoesNotContain(cancelled, await BandedAsync(system));
        // Pushed late, so without tickets: a worker reads each from PostgreSQL (see enqueue.lua).
        foreach (var id in batch.Append(single))
        {
            Assert.False(await system.Redis.GetDatabase().HashExistsAsync(system.Keys.Tickets, id.ToString()));
        }
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
