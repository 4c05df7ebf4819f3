using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.HealthMonitor;
using AspireJobs.HealthMonitor.Leadership;
using AspireJobs.HealthMonitor.Maintenance;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AspireJobs.Tests.HealthMonitor;

public sealed class DispatchReconcilerTests(TestServers servers) : IAsyncLifetime
{
    // The reconciler's clock, a minute ahead. Which new jobs it leaves to their creates' pushes it
    // judges on Redis's clock (on this machine, the system's), not on this one: a job stamped half
    // a minute ahead is within the grace, one stamped by _olderJobs past it.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow.AddMinutes(1));
    private TestSystem _system = null!;
    private JobStore _olderJobs = null!;
    private DispatchReconciler _reconciler = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _system = await TestSystem.CreateAsync(servers);
        _olderJobs = new JobStore(_system.Database.DataSource, new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(-1)));
        var options = Options.Create(new HealthMonitorOptions { BatchSize = 7 });
        _reconciler = new DispatchReconciler(_system.Store, _system.Dispatcher, InProcessMonitor.Rescue(_system), _clock, options,
            new LeaderElection(_system.Database.DataSource, options, NullLogger<LeaderElection>.Instance), NullLogger<DispatchReconciler>.Instance);
    }

    public ValueTask DisposeAsync() => _system.DisposeAsync();

    [Fact]
    public async Task APass_PushesBackEveryQueuedJobRedisLost()
    {
        var result = await _olderJobs.JobInsertBatchAsync(Enumerable.Range(0, 40).Select(i => TestJobs.New(priority: i % 5 + 1)).ToList(), Token);
        await _system.Dispatcher.EnqueueAsync(result.Queued.Take(10).ToList()); // the other 30 pushes were lost

        await _reconciler.RunPassAsync(Token);

        Assert.Equal((16, 16, 8), await _system.Dispatcher.BandLengthsAsync());
        Assert.Empty(await _system.Dispatcher.FindMissingAsync(result.Ids.ToList()));
    }

    [Fact]
    public async Task APass_LeavesAJobJustCreatedToItsCreatorsPush_AndPushesOneWhosePushWasLost()
    {
        // Past the grace on the reconciler's own clock, within it on Redis's: its create may still be pushing it, with its ticket.
        var fresh = (await new JobStore(_system.Database.DataSource, new FakeTimeProvider(DateTimeOffset.UtcNow.AddSeconds(30))).JobInsertAsync(TestJobs.New(), Token)).Job;
        var lost = (await _olderJobs.JobInsertAsync(TestJobs.New(), Token)).Job; // past the grace: its push was lost

        await _reconciler.RunPassAsync(Token);

        Assert.Equal([lost.Id], await _system.Dispatcher.AcquireIdsAsync(Guid.NewGuid(), 10, TimeSpan.FromSeconds(5), FairnessPolicy.Default));
        Assert.Empty(await _system.Dispatcher.FindMissingAsync([lost.Id]));
        Assert.Equal([fresh.Id], await _system.Dispatcher.FindMissingAsync([fresh.Id]));
    }

    [Fact]
    public async Task APass_RemovesBandEntriesThatAreNotQueuedJobs()
    {
        var queued = (await _system.Store.JobInsertAsync(TestJobs.New(), Token)).Job;
        var cancelled = (await _system.Store.JobInsertAsync(TestJobs.New(), Token)).Job;
        await _system.Store.JobSetCancelledIfPendingAsync(cancelled.Id, Token);
        await _system.Dispatcher.EnqueueAsync([new QueuedJob(queued.Id, 3), new QueuedJob(cancelled.Id, 3), new QueuedJob(Guid.CreateVersion7(), 1)]);

        await _reconciler.RunPassAsync(Token);

        Assert.Equal((0, 1, 0), await _system.Dispatcher.BandLengthsAsync());
        Assert.Equal([queued.Id], await _system.Dispatcher.AcquireIdsAsync(Guid.NewGuid(), 10, TimeSpan.FromSeconds(5), FairnessPolicy.Default));
    }

    [Fact]
    public async Task APass_KeepsLeasedJobs_AndDropsExpiredLeasesOfFinishedOnes()
    {
        var job = (await _olderJobs.JobInsertAsync(TestJobs.New(), Token)).Job;
        await _system.Dispatcher.EnqueueAsync([new QueuedJob(job.Id, 3)]);
        // Leased on the clock the reconciler reads.
        var taken = await new JobDispatcher(_system.Redis, _system.Keys, _clock).AcquireIdsAsync(Guid.NewGuid(), 1, TimeSpan.FromMilliseconds(1), FairnessPolicy.Default);
        Assert.Equal([job.Id], taken);

        await _reconciler.RunPassAsync(Token); // still queued in PostgreSQL, but leased: not pushed again
        Assert.Equal((0, 0, 0), await _system.Dispatcher.BandLengthsAsync());

        await _system.Store.JobSetCancelledIfPendingAsync(job.Id, Token);
        _clock.Advance(TimeSpan.FromSeconds(1)); // past the 1 ms lease
        Assert.Single(await _system.Dispatcher.ExpiredLeasesAsync(_clock.GetUtcNow(), 10));
        await _reconciler.RunPassAsync(Token);
        Assert.Empty(await _system.Dispatcher.ExpiredLeasesAsync(_clock.GetUtcNow(), 10));
    }

    [Fact]
    public async Task AnExpiredLeaseOnAQueuedJob_HasItsAttemptRecordedAbandoned_AndTheJobGoesBackToItsBand_WhileItsWorkerCanRecordNothing()
    {
        var job = (await _system.Store.JobInsertAsync(TestJobs.New(), Token)).Job;
        await _system.Dispatcher.EnqueueAsync([new QueuedJob(job.Id, 3)]);
        var worker = Guid.NewGuid();
        var lease = Assert.Single(await new JobDispatcher(_system.Redis, _system.Keys, _clock).AcquireAsync(worker, 1, TimeSpan.FromMilliseconds(1), FairnessPolicy.Default));
        // The worker read it and runs it on its lease; then it hangs, its start unwritten.
        var running = Assert.Single((await _system.Store.JobGetStartableAsync([lease], worker, TimeSpan.FromSeconds(30), new HashSet<string> { "noop" }, Token)).Started);

        _clock.Advance(TimeSpan.FromSeconds(1)); // past the 1 ms lease
        await _reconciler.RunPassAsync(Token);

        Assert.Equal((0, 1, 0), await _system.Dispatcher.BandLengthsAsync());
        Assert.Empty(await _system.Dispatcher.ExpiredLeasesAsync(_clock.GetUtcNow(), 10));
        Assert.Equal("abandoned", await _system.Database.ScalarAsync<string>("SELECT status FROM job_executions WHERE job_id = $1 AND attempt = 1", job.Id));
        Assert.Equal((1, 0), (await _system.Database.ScalarAsync<int>("SELECT attempts FROM jobs WHERE id = $1", job.Id), await _system.Database.ScalarAsync<int>("SELECT crashes FROM jobs WHERE id = $1", job.Id)));

        // The worker wakes and writes its start and outcome together: the fence turns it away.
        Assert.False(await _system.Store.FinishAsync(JobFinish.Completed(job.Id, running.LeaseToken, "\"late\"") with { Start = running.Start }, Token));
        Assert.Equal("queued", await _system.Database.ScalarAsync<string>("SELECT status FROM jobs WHERE id = $1", job.Id));
    }

    [Fact]
    public async Task AnExpiredLeaseWithoutItsFenceOrHolder_IsDroppedAnyway_AndItsJobPushedAgain()
    {
        // No script writes such a lease; a damaged or hand-edited Redis could hold one, and must
        // not keep its job out of the bands for good.
        var job = (await _olderJobs.JobInsertAsync(TestJobs.New(), Token)).Job;
        await _system.Redis.GetDatabase().SortedSetAddAsync(_system.Keys.Leases, job.Id.ToString(), _clock.GetUtcNow().AddSeconds(-1).ToUnixTimeMilliseconds());

        await _reconciler.RunPassAsync(Token);
        Assert.Empty(await _system.Dispatcher.ExpiredLeasesAsync(_clock.GetUtcNow(), 10));
        await _reconciler.RunPassAsync(Token);
        Assert.Equal([job.Id], await _system.Dispatcher.AcquireIdsAsync(Guid.NewGuid(), 10, TimeSpan.FromSeconds(5), FairnessPolicy.Default));
    }
}
