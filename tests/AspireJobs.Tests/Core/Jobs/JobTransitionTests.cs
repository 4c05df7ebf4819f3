using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AspireJobs.Tests.Core.Jobs;

/// <summary>The guarded transitions of the state machine, and the maintenance statements, on a real database.</summary>
public sealed class JobTransitionTests(TestServers servers) : IAsyncLifetime
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);
    private static readonly string[] AllTypes = ["noop", "echo", "sleep", "fail"];
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private TestDatabase _db = null!;
    private JobStore _store = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await servers.CreateDatabaseAsync();
        _store = new JobStore(_db.DataSource, _clock);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private async Task<StartedJob> StartedAsync(string type = "noop", int maxRetries = 5, TimeSpan? timeout = null, DateTimeOffset? createdAt = null)
    {
        var job = (await _store.JobInsertAsync(TestJobs.New(type, maxRetries: maxRetries, timeout: timeout, createdAt: createdAt), Token)).Job;
        return Assert.Single((await _store.StartNowAsync([job.Id], Guid.NewGuid(), Grace, AllTypes, Token)).Started);
    }

    private async Task<FinishedJob> RescueExpiredAsync()
    {
        var expired = Assert.Single(await _store.JobGetLeaseExpiredAsync(10, Token));
        return Assert.Single((await _store.JobFinishIfRunningAsync([JobFinish.LeaseExpired(expired.Id, expired.LeaseToken)], Token)).Finished);
    }

    private Task<string> StatusOfAsync(Guid id) => _db.ScalarAsync<string>("SELECT status FROM jobs WHERE id = $1", id);

    // What the health monitor reads of a job whose worker died (JobGetOrphaned).
    private Task<int> CrashesOfAsync(Guid id) => _db.ScalarAsync<int>("SELECT crashes FROM jobs WHERE id = $1", id);

    [Fact]
    public async Task Retry_SchedulesAfterTheDelay_CountsTheFailure_AndRecordsTheAttempt()
    {
        var job = await StartedAsync();

        Assert.True(await _store.FinishAsync(JobFinish.Retry(job.Id, job.LeaseToken, ExecutionStatus.TimedOut, "too slow", _clock.GetUtcNow().AddMinutes(10)), Token));

        Assert.Equal("scheduled", await StatusOfAsync(job.Id));
        Assert.Equal(1, await _db.ScalarAsync<int>("SELECT failures FROM jobs WHERE id = $1", job.Id));
        Assert.Equal("timed_out", await _db.ScalarAsync<string>("SELECT status FROM job_executions WHERE job_id = $1", job.Id));
        _clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Empty(await _store.JobSetQueuedIfDueAsync(10, Token));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([job.Id], (await _store.JobSetQueuedIfDueAsync(10, Token)).Select(j => j.Id));
    }

    [Fact]
    public async Task EveryFinishingWrite_ChangesNothing_UnderAStaleLeaseToken()
    {
        var job = await StartedAsync();
        var stale = Guid.NewGuid();

        var finishes = new[]
        {
            JobFinish.Retry(job.Id, stale, ExecutionStatus.Failed, "x", _clock.GetUtcNow()),
            JobFinish.DeadLettered(job.Id, stale, ExecutionStatus.Failed, "x"),
            JobFinish.Cancelled(job.Id, stale),
            JobFinish.HandedBack(job.Id, stale, "x"),
            JobFinish.LeaseExpired(job.Id, stale),
            JobFinish.WorkerDied(job.Id, stale, 0, 3),
            JobFinish.Completed(job.Id, stale, null),
        };

        foreach (var finish in finishes)
        {
            Assert.False(await _store.FinishAsync(finish, Token));
        }

        Assert.Equal("running", await StatusOfAsync(job.Id));
        Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM job_events WHERE job_id = $1 AND to_status = 'running'", job.Id));
    }

    [Fact]
    public async Task HandBack_QueuesTheJobAgain_WithoutCountingAFailure()
    {
        var job = await StartedAsync();

        var handedBack = Assert.Single((await _store.JobFinishIfRunningAsync([JobFinish.HandedBack(job.Id, job.LeaseToken, "shutting down")], Token)).Finished);

        Assert.Equal(new FinishedJob(job.Id, JobStatus.Queued, 3, job.Fence), handedBack);
        Assert.Equal(("queued", 0), (await StatusOfAsync(job.Id), await _db.ScalarAsync<int>("SELECT failures FROM jobs WHERE id = $1", job.Id)));
        Assert.Equal("abandoned", await _db.ScalarAsync<string>("SELECT status FROM job_executions WHERE job_id = $1", job.Id));
        var again = Assert.Single((await _store.StartNowAsync([job.Id], Guid.NewGuid(), Grace, AllTypes, Token)).Started);
        Assert.Equal((2, 0), (again.Attempt, again.Failures));
    }

    [Fact]
    public async Task ARequeuedPoisonJob_GetsItsCrashesBackWithItsRetries()
    {
        const int PoisonThreshold = 3;
        var job = await StartedAsync();
        for (var crash = 1; crash <= PoisonThreshold; crash++)
        {
            Assert.True(await _store.FinishAsync(JobFinish.WorkerDied(job.Id, job.LeaseToken, await CrashesOfAsync(job.Id), PoisonThreshold), Token));
            if (crash < PoisonThreshold)
            {
                job = Assert.Single((await _store.StartNowAsync([job.Id], Guid.NewGuid(), Grace, AllTypes, Token)).Started);
            }
        }

        Assert.Equal("dead_lettered", await StatusOfAsync(job.Id));
        Assert.NotNull(await _store.JobSetQueuedIfDeadLetteredAsync(job.Id, Token));

        // One more worker death after the requeue is its first, not its fourth.
        job = Assert.Single((await _store.StartNowAsync([job.Id], Guid.NewGuid(), Grace, AllTypes, Token)).Started);
        Assert.True(await _store.FinishAsync(JobFinish.WorkerDied(job.Id, job.LeaseToken, await CrashesOfAsync(job.Id), PoisonThreshold), Token));
        Assert.Equal("queued", await StatusOfAsync(job.Id));
    }

    [Fact]
    public async Task Promotion_QueuesEachDueJobExactlyOnce_WithManyPromotersRacing()
    {
        var jobs = Enumerable.Range(0, 300).Select(_ => TestJobs.New(runAt: _clock.GetUtcNow().AddMinutes(5))).ToList();
        await _store.JobInsertBatchAsync(jobs, Token);
        Assert.Empty(await _store.JobSetQueuedIfDueAsync(25, Token));
        _clock.Advance(TimeSpan.FromMinutes(5));

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
        Assert.Empty(await _store.JobGetLeaseExpiredAsync(10, Token));
        _clock.Advance(JobLimits.DefaultTimeout + Grace + TimeSpan.FromSeconds(1));

        var rescued = await RescueExpiredAsync();

        Assert.Equal((job.Id, JobStatus.Queued), (rescued.Id, rescued.Status));
        Assert.Equal("abandoned", await _db.ScalarAsync<string>("SELECT status FROM job_executions WHERE job_id = $1", job.Id));
        Assert.False(await _store.FinishAsync(JobFinish.Completed(job.Id, job.LeaseToken, null), Token));
    }

    [Fact]
    public async Task Rescue_CancelsAJobWhoseCancellationWasRequested()
    {
        var job = await StartedAsync();
        Assert.True(await _store.JobSetCancelRequestedIfRunningAsync(job.Id, Token));
        _clock.Advance(JobLimits.DefaultTimeout + Grace + TimeSpan.FromSeconds(1));

        var rescued = await RescueExpiredAsync();

        Assert.Equal(JobStatus.Cancelled, rescued.Status);
        Assert.Equal("cancelled", await StatusOfAsync(job.Id));
    }

    [Fact]
    public async Task DeadWorkersJobs_AreRequeued_UntilTheyHaveCrashedTooManyWorkers_ThenQuarantined()
    {
        var workers = new AspireJobs.Core.Workers.WorkerStore(_db.DataSource, TimeProvider.System);
        var job = (await _store.JobInsertAsync(TestJobs.New(), Token)).Job;

        for (var crash = 1; crash <= 2; crash++)
        {
            var worker = Guid.NewGuid();
            await workers.WorkerInsertAsync(new AspireJobs.Core.Workers.WorkerRegistration(worker, "w", "h", 1, "1", AllTypes, 4), Token);
            Assert.Single((await _store.StartNowAsync([job.Id], worker, Grace, AllTypes, Token)).Started);
            Assert.Empty(await _store.JobGetOrphanedAsync(10, Token)); // the worker still lives
            Assert.True(await workers.WorkerSetDeadIfLiveAsync(worker, Token));

            var orphan = Assert.Single(await _store.JobGetOrphanedAsync(10, Token));
            Assert.True(orphan.WorkerDied);
            var recovered = Assert.Single((await _store.JobFinishIfRunningAsync([orphan.Finish(poisonThreshold: 2)], Token)).Finished);

            Assert.Equal(crash == 1 ? JobStatus.Queued : JobStatus.DeadLettered, recovered.Status);
        }

        var quarantined = (await _store.JobGetByIdAsync(job.Id, Token))!;
        Assert.Contains("Quarantined", quarantined.Error, StringComparison.Ordinal);
        Assert.Equal(2L, await _db.ScalarAsync<long>("SELECT count(*) FROM job_executions WHERE job_id = $1 AND status = 'abandoned'", job.Id));
        Assert.Equal(0, await _db.ScalarAsync<int>("SELECT failures FROM jobs WHERE id = $1", job.Id));
    }

    [Fact]
    public async Task AJobAStoppedWorkerLeftRunning_IsRequeuedAtOnce_WithNoCrashCounted()
    {
        // A worker whose outcome's write failed as it shut down marks itself stopped all the same.
        var workers = new AspireJobs.Core.Workers.WorkerStore(_db.DataSource, TimeProvider.System);
        var job = (await _store.JobInsertAsync(TestJobs.New(), Token)).Job;
        var worker = Guid.NewGuid();
        await workers.WorkerInsertAsync(new AspireJobs.Core.Workers.WorkerRegistration(worker, "w", "h", 1, "1", AllTypes, 4), Token);
        Assert.Single((await _store.StartNowAsync([job.Id], worker, Grace, AllTypes, Token)).Started);
        Assert.True(await workers.WorkerSetDrainingIfActiveAsync(worker, byMonitor: false, Token));
        Assert.Empty(await _store.JobGetOrphanedAsync(10, Token)); // a draining worker finishes what it holds
        Assert.True(await workers.WorkerSetStoppedIfLiveAsync(worker, Token));

        var orphan = Assert.Single(await _store.JobGetOrphanedAsync(10, Token));
        Assert.False(orphan.WorkerDied);
        var requeued = Assert.Single((await _store.JobFinishIfRunningAsync([orphan.Finish(poisonThreshold: 1)], Token)).Finished);

        Assert.Equal(JobStatus.Queued, requeued.Status); // a threshold of one would have quarantined a crash
        Assert.Equal(0, await _db.ScalarAsync<int>("SELECT crashes FROM jobs WHERE id = $1", job.Id));
        Assert.Equal("abandoned", await _db.ScalarAsync<string>("SELECT status::text FROM job_executions WHERE job_id = $1", job.Id));
        Assert.Empty(await _store.JobGetOrphanedAsync(10, Token));
    }

    [Fact]
    public async Task Start_WaitsForAQueuedJobWhoseRowIsHeld_AndWritesItOnceTheHolderIsDone()
    {
        // The worker already ran the job on its lease: its start must not be skipped for a moment's lock.
        var job = (await _store.JobInsertAsync(TestJobs.New(priority: 4), Token)).Job;
        await using var connection = await _db.DataSource.OpenConnectionAsync(Token);
        var transaction = await connection.BeginTransactionAsync(Token);
        await using (var hold = new Npgsql.NpgsqlCommand("SELECT FROM jobs WHERE id = $1 FOR UPDATE", connection, transaction) { Parameters = { new() { Value = job.Id } } })
        {
            await hold.ExecuteNonQueryAsync(Token);
        }

        var took = _store.StartNowAsync([job.Id], Guid.NewGuid(), Grace, AllTypes, Token);
        await Task.Delay(200, Token);
        Assert.False(took.IsCompleted);
        await transaction.RollbackAsync(Token);
        await transaction.DisposeAsync();

        Assert.Single((await took).Started);
        Assert.Equal("running", await StatusOfAsync(job.Id));
    }

    [Fact]
    public async Task AStartWrittenWithItsOutcome_CountsTheAttempt_OpensAndClosesItsExecution_AndLogsTheWholeAttemptInOneEvent()
    {
        var job = (await _store.JobInsertAsync(TestJobs.New(), Token)).Job;
        var started = Assert.Single((await _store.JobGetStartableAsync([new JobLease(job.Id, JobStoreStarts.NextFence())], Guid.NewGuid(), Grace, AllTypes.ToHashSet(), Token)).Started);
        Assert.Equal("queued", await StatusOfAsync(job.Id)); // the read wrote nothing

        Assert.True(await _store.FinishAsync(JobFinish.Completed(job.Id, started.LeaseToken, "7") with { Start = started.Start }, Token));

        var done = (await _store.JobGetByIdAsync(job.Id, Token))!;
        Assert.Equal((JobStatus.Completed, 1), (done.Status, done.Attempts));
        Assert.Equal("completed", await _db.ScalarAsync<string>("SELECT status FROM job_executions WHERE job_id = $1 AND attempt = 1", job.Id));
        Assert.Equal("queued>completed", await _db.ScalarAsync<string>(
            "SELECT string_agg(from_status || '>' || to_status, ',' ORDER BY id) FROM job_events WHERE job_id = $1 AND from_status IS NOT NULL", job.Id));
        Assert.True(await _db.ScalarAsync<bool>(
            "SELECT e.started_at = x.started_at FROM job_events e JOIN job_executions x ON x.job_id = e.job_id AND x.attempt = e.attempt WHERE e.job_id = $1 AND e.from_status = 'queued'", job.Id));
    }

    [Fact]
    public async Task AStartWrittenAgainUnderItsOwnLease_IsReportedWritten_AndCountedOnce()
    {
        // The first write committed and its answer was lost; the statement is tried again.
        var job = (await _store.JobInsertAsync(TestJobs.New(), Token)).Job;
        var started = Assert.Single((await _store.JobGetStartableAsync([new JobLease(job.Id, JobStoreStarts.NextFence())], Guid.NewGuid(), Grace, AllTypes.ToHashSet(), Token)).Started);
        Assert.Equal([started.LeaseToken], await _store.JobSetRunningIfQueuedAsync([started.Start!.Value], Token));

        Assert.Equal([started.LeaseToken], await _store.JobSetRunningIfQueuedAsync([started.Start!.Value], Token));

        Assert.Equal(("running", 1), (await StatusOfAsync(job.Id), (await _store.JobGetByIdAsync(job.Id, Token))!.Attempts));
        Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM job_executions WHERE job_id = $1", job.Id));
        Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM job_events WHERE job_id = $1 AND to_status = 'running'", job.Id));
    }

    [Fact]
    public async Task AWorkerWhoseLeaseWasTakenOver_RecordsNothing_EvenWithItsStartUnwritten()
    {
        var job = (await _store.JobInsertAsync(TestJobs.New(), Token)).Job;
        var types = AllTypes.ToHashSet();
        var first = Assert.Single((await _store.JobGetStartableAsync([new JobLease(job.Id, JobStoreStarts.NextFence())], Guid.NewGuid(), Grace, types, Token)).Started);
        var second = Assert.Single((await _store.JobGetStartableAsync([new JobLease(job.Id, JobStoreStarts.NextFence())], Guid.NewGuid(), Grace, types, Token)).Started);

        // The newer lease writes its start first (its job outlived the window); then the older one finishes.
        Assert.Equal([second.LeaseToken], await _store.JobSetRunningIfQueuedAsync([second.Start!.Value], Token));
        Assert.False(await _store.FinishAsync(JobFinish.Completed(job.Id, first.LeaseToken, "1") with { Start = first.Start }, Token));
        Assert.Empty(await _store.JobSetRunningIfQueuedAsync([first.Start!.Value], Token));

        Assert.True(await _store.FinishAsync(JobFinish.Completed(job.Id, second.LeaseToken, "2"), Token));
        var done = (await _store.JobGetByIdAsync(job.Id, Token))!;
        Assert.Equal((JobStatus.Completed, 1, "2"), (done.Status, done.Attempts, done.ResultJson));
        Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM job_executions WHERE job_id = $1", job.Id));
    }

    [Fact]
    public async Task AStartAsAnAttemptTheJobHasCountedAlready_IsRefused_AndTheJobRunsOnAsItsNextAttempt()
    {
        var job = (await _store.JobInsertAsync(TestJobs.New(), Token)).Job;
        var types = AllTypes.ToHashSet();
        var first = Assert.Single((await _store.JobGetStartableAsync([new JobLease(job.Id, JobStoreStarts.NextFence())], Guid.NewGuid(), Grace, types, Token)).Started);
        Assert.True(await _store.FinishAsync(JobFinish.LeaseExpired(job.Id, first.LeaseToken) with { Start = first.Start }, Token));

        // A newer lease whose worker took it for a first attempt (a ticket that outlived the first
        // lease): behind no fence, yet neither its whole attempt nor its start alone is recorded.
        var stale = new JobLease(job.Id, JobStoreStarts.NextFence()).StartBy(Guid.NewGuid(), attempt: 1, DateTimeOffset.UtcNow, Grace);
        Assert.False(await _store.FinishAsync(JobFinish.Completed(job.Id, stale.LeaseToken, "1") with { Start = stale }, Token));
        Assert.Empty(await _store.JobSetRunningIfQueuedAsync([stale], Token));
        Assert.Equal(("queued", 1), (await StatusOfAsync(job.Id), (await _store.JobGetByIdAsync(job.Id, Token))!.Attempts));

        var second = Assert.Single((await _store.JobGetStartableAsync([new JobLease(job.Id, JobStoreStarts.NextFence())], Guid.NewGuid(), Grace, types, Token)).Started);
        Assert.Equal(2, second.Attempt);
        Assert.True(await _store.FinishAsync(JobFinish.Completed(job.Id, second.LeaseToken, "2") with { Start = second.Start }, Token));

        var done = (await _store.JobGetByIdAsync(job.Id, Token))!;
        Assert.Equal((JobStatus.Completed, 2, "2"), (done.Status, done.Attempts, done.ResultJson));
        Assert.Equal("1:abandoned,2:completed", await _db.ScalarAsync<string>(
            "SELECT string_agg(attempt || ':' || status, ',' ORDER BY attempt) FROM job_executions WHERE job_id = $1", job.Id));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task TwoAttemptsOfOneJobInOneBatch_RecordTheOneThatPassedTheGuard_WithItsOwnOutcomeAndLease(bool whole, bool staleFirst)
    {
        // A worker holds two leases of a job whose first attempt was recorded abandoned: the first
        // lease's run, told it is attempt 1 (its ticket), and the second's, read as attempt 2. Both
        // reach one statement; only the second passes the guard, and only its own row is written.
        var job = (await _store.JobInsertAsync(TestJobs.New(), Token)).Job;
        var types = AllTypes.ToHashSet();
        var worker = Guid.NewGuid();
        var first = Assert.Single((await _store.JobGetStartableAsync([new JobLease(job.Id, JobStoreStarts.NextFence())], worker, Grace, types, Token)).Started);
        Assert.True(await _store.FinishAsync(JobFinish.LeaseExpired(job.Id, first.LeaseToken) with { Start = first.Start }, Token));
        var stale = new JobLease(job.Id, JobStoreStarts.NextFence()).StartBy(worker, attempt: 1, DateTimeOffset.UtcNow, Grace);
        var current = Assert.Single((await _store.JobGetStartableAsync([new JobLease(job.Id, JobStoreStarts.NextFence())], worker, Grace, types, Token)).Started);
        Assert.Equal(2, current.Attempt);
        JobStart[] starts = staleFirst ? [stale, current.Start!.Value] : [current.Start!.Value, stale];

        if (whole)
        {
            JobFinish[] finishes = [.. starts.Select(start => JobFinish.Completed(job.Id, start.LeaseToken, $"{{\"attempt\":{start.Attempt}}}") with { Start = start })];
            // The one recorded is told apart by its lease's fence (what the worker answers each run by).
            Assert.Equal(current.Fence, Assert.Single((await _store.JobFinishIfRunningAsync(finishes, Token)).Finished).Fence);
        }
        else
        {
            Assert.Equal([current.LeaseToken], await _store.JobSetRunningIfQueuedAsync(starts, Token));
            Assert.True(await _store.FinishAsync(JobFinish.Completed(job.Id, current.LeaseToken, "{\"attempt\":2}"), Token));
        }

        var done = (await _store.JobGetByIdAsync(job.Id, Token))!;
        Assert.Equal((JobStatus.Completed, 2, "{\"attempt\":2}"), (done.Status, done.Attempts, done.ResultJson));
        Assert.Equal(current.Start!.Value.Fence, await _db.ScalarAsync<long>("SELECT fence FROM jobs WHERE id = $1", job.Id));
        Assert.Equal("1:abandoned,2:completed", await _db.ScalarAsync<string>(
            "SELECT string_agg(attempt || ':' || status, ',' ORDER BY attempt) FROM job_executions WHERE job_id = $1", job.Id));
    }

    [Fact]
    public async Task AnOlderLease_CannotStartAJobANewerLeaseStartedAndHandedBack()
    {
        var job = (await _store.JobInsertAsync(TestJobs.New(), Token)).Job;
        var types = AllTypes.ToHashSet();
        var older = new JobLease(job.Id, JobStoreStarts.NextFence());
        var newer = Assert.Single((await _store.JobGetStartableAsync([new JobLease(job.Id, JobStoreStarts.NextFence())], Guid.NewGuid(), Grace, types, Token)).Started);
        Assert.True(await _store.FinishAsync(JobFinish.HandedBack(job.Id, newer.LeaseToken, "shutting down") with { Start = newer.Start }, Token));
        Assert.Equal("queued", await StatusOfAsync(job.Id));

        // Queued again, yet the older lease is behind its fence: it can neither read it as startable nor start it.
        Assert.Empty((await _store.JobGetStartableAsync([older], Guid.NewGuid(), Grace, types, Token)).Started);
        Assert.Empty(await _store.JobSetRunningIfQueuedAsync([older.StartBy(Guid.NewGuid(), attempt: 2, DateTimeOffset.UtcNow, Grace)], Token));
        Assert.Single((await _store.StartNowAsync([job.Id], Guid.NewGuid(), Grace, AllTypes, Token)).Started);
    }

    [Fact]
    public async Task Parking_KeepsTheJobQueued_OutOfDispatch_UntilAWorkerForItsTypeRegisters()
    {
        var job = (await _store.JobInsertAsync(TestJobs.New("reports.monthly"), Token)).Job;
        var took = await _store.StartNowAsync([job.Id], Guid.NewGuid(), Grace, AllTypes, Token);
        Assert.Equal([new UnhandledJob(job.Id, "reports.monthly")], took.Unhandled);

        Assert.True(await _store.JobSetParkedIfQueuedAsync(new JobLease(job.Id, JobStoreStarts.NextFence()), "No live worker runs job type 'reports.monthly'.", Token));

        Assert.Equal("queued", await StatusOfAsync(job.Id));
        Assert.Empty(await _store.JobGetQueuedPageAsync(Guid.Empty, 10, _clock.GetUtcNow().AddMinutes(1), Token));
        Assert.Contains("reports.monthly", (await _store.JobGetByIdAsync(job.Id, Token))!.Error, StringComparison.Ordinal);
        Assert.Empty(await _store.JobSetUnparkedForTypesAsync(["noop"], Token));
        Assert.Equal([new QueuedJob(job.Id, 3)], await _store.JobSetUnparkedForTypesAsync(["reports.monthly"], Token));
        Assert.Null((await _store.JobGetByIdAsync(job.Id, Token))!.Error);
    }

    [Fact]
    public async Task SettingAJobAside_IsFenced_ByTheLeaseItWasReadUnder()
    {
        // A worker that does not run the type reads the job under its lease, then is away long
        // enough for a rescuer to record that lease's attempt abandoned and put the job back.
        var job = (await _store.JobInsertAsync(TestJobs.New("reports.monthly"), Token)).Job;
        var away = new JobLease(job.Id, JobStoreStarts.NextFence());
        Assert.Equal([new UnhandledJob(job.Id, "reports.monthly")], (await _store.JobGetStartableAsync([away], Guid.NewGuid(), Grace, new HashSet<string>(), Token)).Unhandled);
        var asRescued = Assert.Single((await _store.JobGetStartableAsync([away], Guid.NewGuid(), Grace, new HashSet<string> { "reports.monthly" }, Token)).Started);
        Assert.True(await _store.FinishAsync(JobFinish.LeaseExpired(job.Id, asRescued.LeaseToken) with { Start = asRescued.Start }, Token));
        Assert.Equal("queued", await StatusOfAsync(job.Id));

        // Back, it neither defers nor parks the job a newer lease may be running.
        Assert.False(await _store.JobSetScheduledIfQueuedAsync(away, TimeSpan.FromSeconds(5), "offered again later", Token));
        Assert.False(await _store.JobSetParkedIfQueuedAsync(away, "No live worker runs job type 'reports.monthly'.", Token));
        Assert.Equal(("queued", false), (await StatusOfAsync(job.Id), await _db.ScalarAsync<bool>("SELECT parked_at IS NOT NULL FROM jobs WHERE id = $1", job.Id)));

        // A worker that read it under a newer lease may.
        Assert.True(await _store.JobSetScheduledIfQueuedAsync(new JobLease(job.Id, JobStoreStarts.NextFence()), TimeSpan.FromSeconds(5), "offered again later", Token));
        Assert.Equal("scheduled", await StatusOfAsync(job.Id));
    }

    [Fact]
    public async Task Unparking_GivesAJobThatFailedItsLastFailureBack_NotALostAttempt_AndOneThatNeverFailedNone()
    {
        // A lost attempt (its worker gone) is recorded on its execution only, never as the job's error.
        var neverFailed = await StartedAsync();
        var failed = await StartedAsync();
        Assert.True(await _store.FinishAsync(JobFinish.Retry(failed.Id, failed.LeaseToken, ExecutionStatus.Failed, "the mail server refused", _clock.GetUtcNow()), Token));
        Assert.Single(await _store.JobSetQueuedIfDueAsync(10, Token));
        Assert.Single((await _store.StartNowAsync([failed.Id], Guid.NewGuid(), Grace, AllTypes, Token)).Started);
        _clock.Advance(JobLimits.DefaultTimeout + Grace + TimeSpan.FromSeconds(1));
        var expired = await _store.JobGetLeaseExpiredAsync(10, Token);
        Assert.Equal(2, (await _store.JobFinishIfRunningAsync([.. expired.Select(job => JobFinish.LeaseExpired(job.Id, job.LeaseToken))], Token)).Finished.Count);
        foreach (var id in new[] { neverFailed.Id, failed.Id })
        {
            Assert.True(await _store.JobSetParkedIfQueuedAsync(new JobLease(id, JobStoreStarts.NextFence()), "No live worker runs job type 'noop'.", Token));
        }

        Assert.Equal(2, (await _store.JobSetUnparkedForTypesAsync(["noop"], Token)).Count);

        Assert.Equal("the mail server refused", (await _store.JobGetByIdAsync(failed.Id, Token))!.Error);
        Assert.Null((await _store.JobGetByIdAsync(neverFailed.Id, Token))!.Error);
    }

    [Fact]
    public async Task Retention_DeletesOnlyFinishedJobsPastTheCutoff()
    {
        var old = await StartedAsync(createdAt: DateTimeOffset.UtcNow.AddDays(-41));
        await _store.FinishAsync(JobFinish.Completed(old.Id, old.LeaseToken, null), Token);
        await _db.ExecuteAsync("UPDATE jobs SET completed_at = completed_at - interval '40 days' WHERE id = $1", old.Id);
        var recent = await StartedAsync();
        await _store.FinishAsync(JobFinish.Completed(recent.Id, recent.LeaseToken, null), Token);
        var pending = (await _store.JobInsertAsync(TestJobs.New(createdAt: DateTimeOffset.UtcNow.AddDays(-41)), Token)).Job;
        var finishedLater = await StartedAsync(createdAt: DateTimeOffset.UtcNow.AddDays(-41)); // created long ago, finished just now
        await _store.FinishAsync(JobFinish.Completed(finishedLater.Id, finishedLater.LeaseToken, null), Token);

        var deleted = await _store.JobDeleteFinishedBeforeAsync(_clock.GetUtcNow().AddDays(-30), 100, Token);

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

        await Assert.ThrowsAsync<UnknownDependencyException>(() => _store.JobInsertBatchAsync(jobs, Token));

        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM jobs"));
    }
}
