using AspireJobs.Core.Jobs;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AspireJobs.Tests.Core.Jobs;

/// <summary>
/// The counts per state kept by the triggers on jobs, on a real database: after every kind of
/// transition they equal a scan of the table, folding changes nothing a reader sees, drift is
/// found and corrected, and the activity behind the dashboard's charts lands in the right bucket.
/// </summary>
public sealed class JobCountsTests(TestServers servers) : IAsyncLifetime
{
    private static readonly string[] AllTypes = ["noop"];
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 3, TimeSpan.Zero));
    private TestDatabase _db = null!;
    private JobStore _store = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await servers.CreateDatabaseAsync();
        _store = new JobStore(_db.DataSource, _clock);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private async Task<Guid> CreateAsync(int priority = 3, DateTimeOffset? runAt = null, params Guid[] parents) =>
        (await _store.JobInsertAsync(TestJobs.New(priority: priority, runAt: runAt, dependsOn: parents, createdAt: _clock.GetUtcNow()), Token)).Job.Id;

    private async Task<StartedJob> StartAsync(Guid id) =>
        Assert.Single((await _store.StartNowAsync([id], Guid.NewGuid(), TimeSpan.FromSeconds(30), AllTypes, Token)).Started);

    private async Task FinishAsync(JobFinish finish) => await _store.JobFinishIfRunningAsync([finish], Token);

    /// <summary>The counts the hard way, in the shape the store returns.</summary>
    private async Task<JobCounts> ScanAsync()
    {
        async Task<long> Count(string where) => await _db.ScalarAsync<long>($"SELECT count(*) FROM jobs WHERE {where}");
        return new JobCounts(
            await Count("status = 'queued' AND effective_priority >= 4"), await Count("status = 'queued' AND effective_priority IN (2, 3)"),
            await Count("status = 'queued' AND effective_priority = 1"), await Count("status = 'scheduled'"), await Count("status = 'waiting'"),
            await Count("status = 'running'"), await Count("status = 'completed'"), await Count("status = 'dead_lettered'"), await Count("status = 'cancelled'"));
    }

    private async Task AssertCountsMatchTheTableAsync()
    {
        var scanned = await ScanAsync();
        Assert.Equal(scanned, await _store.JobCountByStateAsync(Token));
        await _store.JobCountFoldAsync(Token);
        Assert.Equal(0L, await _db.ScalarAsync<long>("SELECT count(*) FROM job_count_changes"));
        Assert.Equal(scanned, await _store.JobCountByStateAsync(Token));
    }

    [Fact]
    public async Task EveryKindOfTransition_KeepsTheCountsEqualToAScan()
    {
        var high = await CreateAsync(priority: 5);
        var low = await CreateAsync(priority: 1);
        var later = await CreateAsync(runAt: _clock.GetUtcNow().AddHours(1));
        var parent = await CreateAsync();
        var child = await CreateAsync(priority: 5, parents: parent);   // waiting; raises its parent to the high band
        var doomed = await CreateAsync();
        await AssertCountsMatchTheTableAsync();
        Assert.Equal(new JobCounts(2, 1, 1, 1, 1, 0, 0, 0, 0), await _store.JobCountByStateAsync(Token));

        var running = await StartAsync(high);
        await AssertCountsMatchTheTableAsync();
        await FinishAsync(JobFinish.Completed(high, running.LeaseToken, null));
        await FinishAsync(JobFinish.Retry(low, (await StartAsync(low)).LeaseToken, ExecutionStatus.Failed, "boom", _clock.GetUtcNow().AddSeconds(1)));
        await FinishAsync(JobFinish.DeadLettered(doomed, (await StartAsync(doomed)).LeaseToken, ExecutionStatus.Failed, "boom"));
        await AssertCountsMatchTheTableAsync();

        await FinishAsync(JobFinish.Completed(parent, (await StartAsync(parent)).LeaseToken, null));   // releases the child
        await _store.JobSetCancelledIfPendingAsync(later, Token);
        await _store.JobSetQueuedIfDeadLetteredAsync(doomed, Token);
        await _store.JobSetPriorityIfUnfinishedAsync(doomed, 1, Token);                                // moves band
        await AssertCountsMatchTheTableAsync();

        _clock.Advance(TimeSpan.FromDays(2));
        Assert.True(await _store.JobDeleteFinishedBeforeAsync(_clock.GetUtcNow(), 100, Token) >= 2);
        await AssertCountsMatchTheTableAsync();
        Assert.Empty(await _store.JobCountReconcileAsync(Token));
    }

    [Fact]
    public async Task AWriteThatBypassesTheTriggers_IsFoundAsDrift_AndCorrected()
    {
        var id = await CreateAsync();
        await _store.JobCountFoldAsync(Token);
        await _db.ExecuteAsync("ALTER TABLE jobs DISABLE TRIGGER job_counts_on_update");
        await _db.ExecuteAsync("UPDATE jobs SET status = 'cancelled', completed_at = now() WHERE id = $1", id);
        await _db.ExecuteAsync("ALTER TABLE jobs ENABLE TRIGGER job_counts_on_update");
        Assert.Equal(1, (await _store.JobCountByStateAsync(Token)).QueuedMedium);

        var drift = await _store.JobCountReconcileAsync(Token);

        Assert.Equal([new JobCountDrift("cancelled", "medium", 1), new JobCountDrift("queued", "medium", -1)], drift.OrderBy(d => d.Status));
        Assert.Equal(await ScanAsync(), await _store.JobCountByStateAsync(Token));
        Assert.Empty(await _store.JobCountReconcileAsync(Token));
    }

    [Fact]
    public async Task Truncating_Jobs_LeavesNothingCounted()
    {
        await CreateAsync();
        await CreateAsync(priority: 5);
        await _store.JobCountFoldAsync(Token);
        await CreateAsync(priority: 1);

        await _db.ExecuteAsync("TRUNCATE jobs CASCADE");

        Assert.Equal(new JobCounts(0, 0, 0, 0, 0, 0, 0, 0, 0), await _store.JobCountByStateAsync(Token));
        Assert.Empty(await _store.JobCountReconcileAsync(Token));
    }

    [Fact]
    public async Task Activity_CountsStartsWaitsAndOutcomes_InTheBucketsOfTheJobsOwnTimes()
    {
        var bucketStart = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
        var ok = await CreateAsync();
        var retried = await CreateAsync();
        var cancelled = await CreateAsync();
        _clock.Advance(TimeSpan.FromMilliseconds(1500));   // 12:00:04.5: started 1.5 s after they were due
        var okRun = await StartAsync(ok);
        var retriedRun = await StartAsync(retried);
        _clock.Advance(TimeSpan.FromSeconds(10));          // 12:00:14.5: finished in the next bucket
        await FinishAsync(JobFinish.Completed(ok, okRun.LeaseToken, null));
        await FinishAsync(JobFinish.Retry(retried, retriedRun.LeaseToken, ExecutionStatus.TimedOut, "slow", _clock.GetUtcNow()));
        await _store.JobSetCancelledIfPendingAsync(cancelled, Token);
        await _store.JobCountFoldAsync(Token);

        var activity = await _store.JobActivitySinceAsync(bucketStart, Token);

        Assert.Equal(
            [new JobActivity(bucketStart, 2, 3000, 0, 0, 0, 0), new JobActivity(bucketStart.AddSeconds(10), 0, 0, 1, 1, 0, 1)],
            activity.Select(a => a with { Bucket = a.Bucket.ToUniversalTime() }));
        Assert.Equal(1500, activity[0].MeanWaitMs);
    }

    [Fact]
    public async Task AttemptsRecordedWhole_CountTheirStartInTheBucketOfTheStart_AndTheirOutcomeInTheBucketOfTheEnd()
    {
        var bucketStart = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
        var ok = await CreateAsync();
        var retried = await CreateAsync();
        var handedBack = await CreateAsync();
        _clock.Advance(TimeSpan.FromMilliseconds(1500));   // 12:00:04.5: leased 1.5 s after they were due, starts unwritten
        var leases = new[] { ok, retried, handedBack }.Select(id => new AspireJobs.Core.Dispatch.JobLease(id, JobStoreStarts.NextFence())).ToList();
        var runs = (await _store.JobGetStartableAsync(leases, Guid.NewGuid(), TimeSpan.FromSeconds(30), AllTypes.ToHashSet(), Token)).Started.ToDictionary(job => job.Id);
        _clock.Advance(TimeSpan.FromSeconds(10));          // 12:00:14.5: finished in the next bucket, start and outcome in one write
        await _store.JobFinishIfRunningAsync(
        [
            JobFinish.Completed(ok, runs[ok].LeaseToken, null) with { Start = runs[ok].Start },
            JobFinish.Retry(retried, runs[retried].LeaseToken, ExecutionStatus.Failed, "flaky", _clock.GetUtcNow().AddMinutes(1)) with { Start = runs[retried].Start },
            JobFinish.HandedBack(handedBack, runs[handedBack].LeaseToken, "shutting down") with { Start = runs[handedBack].Start },
        ], Token);
        await _store.JobCountFoldAsync(Token);

        var activity = await _store.JobActivitySinceAsync(bucketStart, Token);

        Assert.Equal(
            [new JobActivity(bucketStart, 3, 4500, 0, 0, 0, 0), new JobActivity(bucketStart.AddSeconds(10), 0, 0, 1, 1, 0, 0)],
            activity.Select(a => a with { Bucket = a.Bucket.ToUniversalTime() }));
        await AssertCountsMatchTheTableAsync();
    }
}
