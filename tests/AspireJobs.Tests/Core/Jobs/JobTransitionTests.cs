using AspireJobs.Core.Jobs;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Core.Jobs;

/// <summary>The guarded transitions of the state machine, and the maintenance statements, on a real database.</summary>
public sealed class JobTransitionTests(TestServers servers) : IAsyncLifetime
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);
    private static readonly string[] AllTypes = ["noop", "echo", "sleep", "fail"];
    private TestDatabase _db = null!;
    private JobStore _store = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await servers.CreateDatabaseAsync();
        _store = new JobStore(_db.DataSource);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private async Task<StartedJob> StartedAsync(string type = "noop", int maxRetries = 5, TimeSpan? timeout = null, DateTimeOffset? createdAt = null)
    {
        var job = (await _store.JobInsertAsync(TestJobs.New(type, maxRetries: maxRetries, timeout: timeout, createdAt: createdAt), DateTimeOffset.UtcNow, Token)).Job;
        return Assert.Single((await _store.JobSetRunningIfQueuedAsync([job.Id], Guid.NewGuid(), Grace, AllTypes, Token)).Started);
    }

    private Task<string> StatusOfAsync(Guid id) => _db.ScalarAsync<string>("SELECT status FROM jobs WHERE id = $1", id);

    [Fact]
    public async Task Retry_SchedulesAfterTheDelay_CountsTheFailure_AndRecordsTheAttempt()
    {
        var job = await StartedAsync();

        Assert.True(await _store.JobSetScheduledIfRunningAsync(job.Id, job.LeaseToken, ExecutionStatus.TimedOut, "too slow", TimeSpan.FromMinutes(10), Token));

        Assert.Equal("scheduled", await StatusOfAsync(job.Id));
        Assert.Equal(1, await _db.ScalarAsync<int>("SELECT failures FROM jobs WHERE id = $1", job.Id));
        Assert.True(await _db.ScalarAsync<bool>("SELECT scheduled_at > now() + interval '9 minutes' FROM jobs WHERE id = $1", job.Id));
        Assert.Equal("timed_out", await _db.ScalarAsync<string>("SELECT status FROM job_executions WHERE job_id = $1", job.Id));
        Assert.Empty(await _store.JobSetQueuedIfDueAsync(10, Token));
    }

    [Fact]
    public async Task EveryFinishingWrite_ChangesNothing_UnderAStaleLeaseToken()
    {
        var job = await StartedAsync();
        var stale = Guid.NewGuid();

        Assert.False(await _store.JobSetScheduledIfRunningAsync(job.Id, stale, ExecutionStatus.Failed, "x", TimeSpan.Zero, Token));
        Assert.False(await _store.JobSetDeadLetteredIfRunningAsync(job.Id, stale, ExecutionStatus.Failed, "x", Token));
        Assert.False(await _store.JobSetCancelledIfRunningAsync(job.Id, stale, Token));
        Assert.Null(await _store.JobSetQueuedIfRunningAsync(job.Id, stale, "x", Token));
        Assert.Empty(await _store.JobSetCompletedIfRunningAsync([new JobSuccess(job.Id, stale, null)], Token));

        Assert.Equal("running", await StatusOfAsync(job.Id));
        Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM job_events WHERE job_id = $1 AND to_status = 'running'", job.Id));
    }

    [Fact]
    public async Task HandBack_QueuesTheJobAgain_WithoutCountingAFailure()
    {
        var job = await StartedAsync();

        var priority = await _store.JobSetQueuedIfRunningAsync(job.Id, job.LeaseToken, "shutting down", Token);

        Assert.Equal(3, priority);
        Assert.Equal(("queued", 0), (await StatusOfAsync(job.Id), await _db.ScalarAsync<int>("SELECT failures FROM jobs WHERE id = $1", job.Id)));
        Assert.Equal("abandoned", await _db.ScalarAsync<string>("SELECT status FROM job_executions WHERE job_id = $1", job.Id));
        var again = Assert.Single((await _store.JobSetRunningIfQueuedAsync([job.Id], Guid.NewGuid(), Grace, AllTypes, Token)).Started);
        Assert.Equal((2, 0), (again.Attempt, again.Failures));
    }

    [Fact]
    public async Task Promotion_QueuesEachDueJobExactlyOnce_WithManyPromotersRacing()
    {
        var jobs = Enumerable.Range(0, 300).Select(_ => TestJobs.New(runAt: DateTimeOffset.UtcNow.AddMilliseconds(300))).ToList();
        await _store.JobInsertBatchAsync(jobs, DateTimeOffset.UtcNow, Token);
        await Task.Delay(400, Token);

        var rounds = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            var promoted = new List<Guid>();
            IReadOnlyList<QueuedJob> page;
            do
            {
                page = await _store.JobSetQueuedIfDueAsync(25, Token);
                promoted.AddRange(page.Select(j => j.Id));
            }
            while (page.Count > 0);
            return promoted;
        }, Token)));

        var all = rounds.SelectMany(r => r).ToList();
        Assert.Equal(300, all.Count);
        Assert.Equal(300, all.Distinct().Count());
        Assert.Equal(300L, await _db.ScalarAsync<long>("SELECT count(*) FROM job_events WHERE from_status = 'scheduled' AND to_status = 'queued'"));
    }

    [Fact]
    public async Task Rescue_RequeuesAJobWhoseLeaseExpired_AndFencesOutItsOldWorker()
    {
        var job = await StartedAsync();
        await _db.ExecuteAsync("UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE id = $1", job.Id);

        var rescued = Assert.Single(await _store.JobSetQueuedIfLeaseExpiredAsync(10, Token));

        Assert.Equal((job.Id, JobStatus.Queued), (rescued.Id, rescued.Status));
        Assert.Equal("abandoned", await _db.ScalarAsync<string>("SELECT status FROM job_executions WHERE job_id = $1", job.Id));
        Assert.Empty(await _store.JobSetCompletedIfRunningAsync([new JobSuccess(job.Id, job.LeaseToken, null)], Token));
    }

    [Fact]
    public async Task Rescue_CancelsAJobWhoseCancellationWasRequested()
    {
        var job = await StartedAsync();
        Assert.True(await _store.JobSetCancelRequestedIfRunningAsync(job.Id, Token));
        await _db.ExecuteAsync("UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE id = $1", job.Id);

        var rescued = Assert.Single(await _store.JobSetQueuedIfLeaseExpiredAsync(10, Token));

        Assert.Equal(JobStatus.Cancelled, rescued.Status);
        Assert.Equal("cancelled", await StatusOfAsync(job.Id));
    }

    [Fact]
    public async Task DeadWorkersJobs_AreRequeued_UntilTheyHaveCrashedTooManyWorkers_ThenQuarantined()
    {
        var workers = new AspireJobs.Core.Workers.WorkerStore(_db.DataSource);
        var job = (await _store.JobInsertAsync(TestJobs.New(), DateTimeOffset.UtcNow, Token)).Job;

        for (var crash = 1; crash <= 2; crash++)
        {
            var worker = Guid.NewGuid();
            await workers.WorkerInsertAsync(new AspireJobs.Core.Workers.WorkerRegistration(worker, "w", "h", 1, "1", AllTypes, 4), Token);
            Assert.Single((await _store.JobSetRunningIfQueuedAsync([job.Id], worker, Grace, AllTypes, Token)).Started);
            Assert.Empty(await _store.JobSetQueuedIfWorkerDeadAsync(poisonThreshold: 2, Token)); // the worker still lives
            Assert.True(await workers.WorkerSetDeadIfLiveAsync(worker, Token));

            var recovered = Assert.Single(await _store.JobSetQueuedIfWorkerDeadAsync(poisonThreshold: 2, Token));

            Assert.Equal(crash == 1 ? JobStatus.Queued : JobStatus.DeadLettered, recovered.Status);
        }

        var quarantined = (await _store.JobGetByIdAsync(job.Id, Token))!;
        Assert.Contains("Quarantined", quarantined.Error, StringComparison.Ordinal);
        Assert.Equal(2L, await _db.ScalarAsync<long>("SELECT count(*) FROM job_executions WHERE job_id = $1 AND status = 'abandoned'", job.Id));
        Assert.Equal(0, await _db.ScalarAsync<int>("SELECT failures FROM jobs WHERE id = $1", job.Id));
    }

    [Fact]
    public async Task Parking_KeepsTheJobQueued_OutOfDispatch_UntilAWorkerForItsTypeRegisters()
    {
        var job = (await _store.JobInsertAsync(TestJobs.New("reports.monthly"), DateTimeOffset.UtcNow, Token)).Job;
        var took = await _store.JobSetRunningIfQueuedAsync([job.Id], Guid.NewGuid(), Grace, AllTypes, Token);
        Assert.Equal([new UnhandledJob(job.Id, "reports.monthly")], took.Unhandled);

        Assert.True(await _store.JobSetParkedIfQueuedAsync(job.Id, "No live worker runs job type 'reports.monthly'.", Token));

        Assert.Equal("queued", await StatusOfAsync(job.Id));
        Assert.Empty(await _store.JobGetQueuedPageAsync(Guid.Empty, 10, Token));
        Assert.Contains("reports.monthly", (await _store.JobGetByIdAsync(job.Id, Token))!.Error, StringComparison.Ordinal);
        Assert.Empty(await _store.JobSetUnparkedForTypesAsync(["noop"], Token));
        Assert.Equal([new QueuedJob(job.Id, 3)], await _store.JobSetUnparkedForTypesAsync(["reports.monthly"], Token));
        Assert.Null((await _store.JobGetByIdAsync(job.Id, Token))!.Error);
    }

    [Fact]
    public async Task Retention_DeletesOnlyFinishedJobsPastTheCutoff()
    {
        var old = await StartedAsync(createdAt: DateTimeOffset.UtcNow.AddDays(-41));
        await _store.JobSetCompletedIfRunningAsync([new JobSuccess(old.Id, old.LeaseToken, null)], Token);
        await _db.ExecuteAsync("UPDATE jobs SET completed_at = now() - interval '40 days' WHERE id = $1", old.Id);
        var recent = await StartedAsync();
        await _store.JobSetCompletedIfRunningAsync([new JobSuccess(recent.Id, recent.LeaseToken, null)], Token);
        var pending = (await _store.JobInsertAsync(TestJobs.New(createdAt: DateTimeOffset.UtcNow.AddDays(-41)), DateTimeOffset.UtcNow, Token)).Job;
        var finishedLater = await StartedAsync(createdAt: DateTimeOffset.UtcNow.AddDays(-41)); // created long ago, finished just now
        await _store.JobSetCompletedIfRunningAsync([new JobSuccess(finishedLater.Id, finishedLater.LeaseToken, null)], Token);

        var deleted = await _store.JobDeleteFinishedBeforeAsync(DateTimeOffset.UtcNow.AddDays(-30), 100, Token);

        Assert.Equal(1, deleted);
        Assert.Null(await _store.JobGetByIdAsync(old.Id, Token));
        Assert.NotNull(await _store.JobGetByIdAsync(recent.Id, Token));
        Assert.NotNull(await _store.JobGetByIdAsync(pending.Id, Token));
        Assert.NotNull(await _store.JobGetByIdAsync(finishedLater.Id, Token));
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM job_executions WHERE job_id = $1", old.Id));
    }

    [Fact]
    public async Task BatchInsert_WritesNothing_WhenOneDependencyIsUnknown()
    {
        var jobs = new[] { TestJobs.New(), TestJobs.New(dependsOn: [Guid.NewGuid()]) };

        await Assert.ThrowsAsync<UnknownDependencyException>(() => _store.JobInsertBatchAsync(jobs, DateTimeOffset.UtcNow, Token));

        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM jobs"));
    }
}
