using System.Net;
using System.Text.Json;
using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Recovery;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Recovery;

/// <summary>
/// Snapshots, restores and point-in-time recovery through the routes, on real PostgreSQL and Redis
/// with no worker running: the mistake every operator fears (a few hundred queued jobs cancelled)
/// is undone both ways, with the dry run first.
/// </summary>
public sealed class RestoreApiTests(TestServers servers) : IAsyncLifetime
{
    private const int Jobs = 400;
    private const int Cancelled = 300;
    private TestSystem _system = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _system = await TestSystem.CreateAsync(servers);
        _http = _system.Api();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _system.DisposeAsync();
    }

    [Fact]
    public async Task CancelledByMistake_AreQueuedAgain_FromASnapshot_AfterADryRunThatChangesNothing()
    {
        var ids = await CreateQueuedAsync();
        var snapshot = await _http.PostJsonAsync("/api/snapshots", new { kind = "full", label = "before the mistake" }, HttpStatusCode.Created);
        Assert.Equal(Jobs, snapshot.GetProperty("jobCount").GetInt32());
        Assert.Equal(Jobs, snapshot.GetProperty("counts").GetProperty("queued").GetInt32());
        await CancelAsync(ids.Take(Cancelled));

        var dryRun = await _http.PostJsonAsync($"/api/snapshots/{snapshot.Id()}/restore", new { }, HttpStatusCode.OK);

        Assert.True(dryRun.GetProperty("dryRun").GetBoolean());
        Assert.Equal((Cancelled, Jobs - Cancelled), (dryRun.GetProperty("jobs").GetProperty("restore").GetInt32(), dryRun.GetProperty("jobs").GetProperty("unchanged").GetInt32()));
        var transition = Assert.Single(dryRun.GetProperty("transitions").EnumerateArray());
        Assert.Equal(("cancelled", "queued", Cancelled), (transition.GetProperty("from").GetString(), transition.GetProperty("to").GetString(), transition.GetProperty("count").GetInt32()));
        Assert.Equal(20, dryRun.GetProperty("examples").GetArrayLength());
        Assert.Equal(Cancelled, await CountAsync("cancelled"));

        var applied = await _http.PostJsonAsync($"/api/snapshots/{snapshot.Id()}/restore", new { mode = "newest-wins", apply = true }, HttpStatusCode.OK);

        Assert.Equal(Cancelled, applied.GetProperty("restored").GetInt32());
        Assert.Equal(Jobs, await CountAsync("queued"));
        Assert.Equal((0, Jobs, 0), await _system.Dispatcher.BandLengthsAsync());
        Assert.Equal((long)Cancelled, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM job_events WHERE detail ->> 'reason' = 'restored'"));
        var undo = await _http.GetJsonAsync($"/api/snapshots/{applied.GetProperty("undoSnapshotId").GetGuid()}");
        Assert.Equal(("before_restore", Jobs - Cancelled), (undo.GetProperty("reason").GetString(), undo.GetProperty("jobCount").GetInt32()));
    }

    [Fact]
    public async Task AQueuedJobThatAWorkerJustLeased_IsLeftToIt_WhileTheOthersGoBack()
    {
        // Two jobs scheduled a moment ahead, then due and queued: one is leased at once, as a worker
        // does, and runs on its lease alone, its start not yet written. PostgreSQL says both are queued.
        var type = $"restore.lease.{Guid.NewGuid():N}"[..30];
        var ids = new List<Guid>();
        for (var i = 0; i < 2; i++)
        {
            ids.Add((await _http.PostJsonAsync("/api/jobs", new { type, runAt = DateTime.UtcNow.AddMilliseconds(500) }, HttpStatusCode.Created)).Id());
        }

        Assert.Equal(2, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE type = $1 AND status = 'scheduled'", type));
        var whileScheduled = await _system.Database.ScalarAsync<DateTime>("SELECT clock_timestamp()");
        var queued = new List<QueuedJob>();
        await _system.WaitUntilAsync(async () =>
        {
            queued.AddRange(await _system.Store.JobSetQueuedIfDueAsync(100, TestContext.Current.CancellationToken));
            return queued.Count == 2;
        }, TimeSpan.FromSeconds(30), "both jobs due and queued");
        await _system.Dispatcher.EnqueueAsync(queued);
        var lease = Assert.Single(await _system.Dispatcher.AcquireAsync(Guid.CreateVersion7(), 1, TimeSpan.FromMinutes(1), FairnessPolicy.Default));
        var leased = lease.JobId;
        var free = ids.Single(id => id != leased);

        var applied = await _http.PostJsonAsync("/api/recovery/point-in-time", new { at = whileScheduled, filter = new { type }, apply = true }, HttpStatusCode.OK);

        Assert.Equal((1, 1), (applied.GetProperty("restored").GetInt32(), applied.GetProperty("changedMeanwhile").GetInt32()));
        Assert.Equal("queued", (await _http.GetJsonAsync($"/api/jobs/{leased}")).Status());
        Assert.Equal("scheduled", (await _http.GetJsonAsync($"/api/jobs/{free}")).Status());
        Assert.Equal((0, 0, 0), await _system.Dispatcher.BandLengthsAsync()); // the scheduled one left its band; no worker takes it early
    }

    [Fact]
    public async Task CancelledByMistake_AreQueuedAgain_ByPointInTimeRecovery_OfTheirTypeOnly()
    {
        var ids = await CreateQueuedAsync();
        var other = await _http.PostJsonAsync("/api/jobs", new { type = "echo" }, HttpStatusCode.Created);
        var beforeTheMistake = await _system.Database.ScalarAsync<DateTime>("SELECT clock_timestamp()");
        await CancelAsync(ids.Take(Cancelled).Append(other.Id()));

        var dryRun = await _http.PostJsonAsync("/api/recovery/point-in-time", new { at = beforeTheMistake, filter = new { type = "noop", statusNow = "cancelled" } }, HttpStatusCode.OK);

        Assert.Equal(Cancelled, dryRun.GetProperty("changes").GetInt32());
        Assert.Equal(Cancelled + 1, await CountAsync("cancelled"));

        var applied = await _http.PostJsonAsync("/api/recovery/point-in-time", new { at = beforeTheMistake, filter = new { type = "noop" }, apply = true }, HttpStatusCode.OK);

        Assert.Equal(Cancelled, applied.GetProperty("restored").GetInt32());
        Assert.Equal(Jobs, await CountAsync("queued"));
        Assert.Equal("cancelled", (await _http.GetJsonAsync($"/api/jobs/{other.Id()}")).Status());
        Assert.Equal((0, Jobs, 0), await _system.Dispatcher.BandLengthsAsync());
    }

    [Fact]
    public async Task AnIncrementalSnapshot_HoldsTheChangesSinceItsBase_AndRestoresTheStateItSaw()
    {
        var ids = await CreateQueuedAsync();
        await _http.PostJsonAsync("/api/snapshots", new { kind = "full" }, HttpStatusCode.Created);
        await CancelAsync(ids.Take(100));
        var incremental = await _http.PostJsonAsync("/api/snapshots", new { kind = "incremental" }, HttpStatusCode.Created);
        await CancelAsync(ids.Skip(100).Take(50));

        var dryRun = await _http.PostJsonAsync($"/api/snapshots/{incremental.Id()}/restore", new { }, HttpStatusCode.OK);

        // It also holds jobs whose events fall within its overlap with the base (created just before): as they are now.
        Assert.Equal(100, incremental.GetProperty("counts").GetProperty("cancelled").GetInt32());
        Assert.Equal(50, dryRun.GetProperty("changes").GetInt32());
        Assert.Equal(Jobs - 100, dryRun.GetProperty("considered").GetInt32());
    }

    [Fact]
    public async Task Modes_DecideForJobsThatRanSince_AndARunningJobIsNeverTaken()
    {
        var ids = await CreateQueuedAsync(count: 3);
        var snapshot = await _http.PostJsonAsync("/api/snapshots", new { }, HttpStatusCode.Created);
        // One completed since, one ran and failed into a retry, one runs now.
        await RanSinceAsync("completed", ids[0]);
        await _system.Database.ExecuteAsync("UPDATE jobs SET status = 'scheduled', attempts = 1, failures = 1, started_at = now(), attempt_finished_at = now(), scheduled_at = now() + interval '1 hour' WHERE id = $1", ids[1]);
        await _system.Database.ExecuteAsync("UPDATE jobs SET status = 'running', attempts = 1, started_at = now(), lease_token = gen_random_uuid(), lease_expires_at = now() + interval '1 hour' WHERE id = $1", ids[2]);

        async Task<(int Restore, int Kept, int Running)> DryRunAsync(string mode)
        {
            var diff = (await _http.PostJsonAsync($"/api/snapshots/{snapshot.Id()}/restore", new { mode }, HttpStatusCode.OK)).GetProperty("jobs");
            return (diff.GetProperty("restore").GetInt32(), diff.GetProperty("keptByMode").GetInt32(), diff.GetProperty("keptRunning").GetInt32());
        }

        Assert.Equal((1, 1, 1), await DryRunAsync("newest-wins"));
        Assert.Equal((0, 2, 1), await DryRunAsync("skip"));
        Assert.Equal((2, 0, 1), await DryRunAsync("overwrite"));

        await _http.PostJsonAsync($"/api/snapshots/{snapshot.Id()}/restore", new { mode = "overwrite", apply = true }, HttpStatusCode.OK);
        var retried = await _http.GetJsonAsync($"/api/jobs/{ids[1]}");
        Assert.Equal(("queued", 1), (retried.Status(), retried.GetProperty("attempts").GetInt32()));
        Assert.Equal(0, await _system.Database.ScalarAsync<int>("SELECT failures FROM jobs WHERE id = $1", ids[1]));
        Assert.Equal("running", (await _http.GetJsonAsync($"/api/jobs/{ids[2]}")).Status());
    }

    [Fact]
    public async Task Overwrite_PuttingBackAParentAndItsDependent_LeavesTheDependentWaitingForIt()
    {
        var batch = await _http.PostJsonAsync("/api/jobs/batch", new { jobs = new object[] { new { @ref = "p", type = "noop" }, new { type = "noop", dependsOn = new[] { "p" } } } }, HttpStatusCode.Created);
        var (parent, child) = (batch.GetProperty("ids")[0].GetGuid(), batch.GetProperty("ids")[1].GetGuid());
        var snapshot = await _http.PostJsonAsync("/api/snapshots", new { }, HttpStatusCode.Created);
        // Both ran since, the parent first.
        await RanSinceAsync("completed", parent, child);

        await _http.PostJsonAsync($"/api/snapshots/{snapshot.Id()}/restore", new { mode = "overwrite", apply = true }, HttpStatusCode.OK);

        Assert.Equal("queued", (await _http.GetJsonAsync($"/api/jobs/{parent}")).Status());
        Assert.Equal("waiting", (await _http.GetJsonAsync($"/api/jobs/{child}")).Status());
        Assert.Equal(1, await _system.Database.ScalarAsync<int>("SELECT dependencies_pending FROM jobs WHERE id = $1", child));
    }

    [Fact]
    public async Task Overwrite_ADependentWhoseIdComesInABatchBeforeItsParents_WaitsForIt()
    {
        // Ids follow creation only to the millisecond, so a dependent created with its parent can
        // sort before it: here a whole batch of the restore before it.
        var ids = await CreateQueuedAsync(JobRestorer.BatchSize + 100);
        var dependent = await _system.Database.ScalarAsync<Guid>("SELECT id FROM jobs ORDER BY id LIMIT 1");
        var parent = await _system.Database.ScalarAsync<Guid>("SELECT id FROM jobs ORDER BY id DESC LIMIT 1");
        await _system.Database.ExecuteAsync("INSERT INTO job_dependencies (job_id, depends_on_id) VALUES ($1, $2)", dependent, parent);
        await _system.Database.ExecuteAsync("UPDATE jobs SET status = 'waiting', dependencies_pending = 1 WHERE id = $1", dependent);
        await _system.Database.ExecuteAsync("UPDATE jobs SET has_dependents = true WHERE id = $1", parent);
        var snapshot = await _http.PostJsonAsync("/api/snapshots", new { }, HttpStatusCode.Created);
        // Every one ran since, the parent before its dependent.
        await RanSinceAsync("completed", [.. ids]);

        var applied = await _http.PostJsonAsync($"/api/snapshots/{snapshot.Id()}/restore", new { mode = "overwrite", apply = true }, HttpStatusCode.OK);

        Assert.Equal(ids.Count, applied.GetProperty("restored").GetInt32());
        Assert.Equal("queued", (await _http.GetJsonAsync($"/api/jobs/{parent}")).Status());
        Assert.Equal("waiting", (await _http.GetJsonAsync($"/api/jobs/{dependent}")).Status());
        Assert.Equal(1, await _system.Database.ScalarAsync<int>("SELECT dependencies_pending FROM jobs WHERE id = $1", dependent));
    }

    [Fact]
    public async Task Overwrite_AChainPutBack_WaitsLinkByLink_WhateverTheOrderOfItsIds()
    {
        // A chain of more than a batch whose links run against id order (each waits for the job
        // with the next higher id): each link is written after the one it waits for.
        var jobs = JobRestorer.BatchSize + 100;
        await CreateQueuedAsync(jobs);
        var ids = await _system.Database.ScalarAsync<Guid[]>("SELECT array_agg(id ORDER BY id) FROM jobs");
        await _system.Database.ExecuteAsync("INSERT INTO job_dependencies (job_id, depends_on_id) SELECT * FROM unnest($1::uuid[], $2::uuid[])", ids[..^1], ids[1..]);
        await _system.Database.ExecuteAsync("UPDATE jobs SET status = 'waiting', dependencies_pending = 1 WHERE id = ANY($1)", ids[..^1]);
        await _system.Database.ExecuteAsync("UPDATE jobs SET has_dependents = true WHERE id = ANY($1)", ids[1..]);
        var snapshot = await _http.PostJsonAsync("/api/snapshots", new { }, HttpStatusCode.Created);
        // The whole chain ran since, link by link.
        await RanSinceAsync("completed", ids);

        var applied = await _http.PostJsonAsync($"/api/snapshots/{snapshot.Id()}/restore", new { mode = "overwrite", apply = true }, HttpStatusCode.OK);

        Assert.Equal(jobs, applied.GetProperty("restored").GetInt32());
        Assert.Equal("queued", (await _http.GetJsonAsync($"/api/jobs/{ids[^1]}")).Status());
        Assert.Equal((long)jobs - 1, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE status = 'waiting' AND dependencies_pending = 1"));
    }

    [Theory]
    [InlineData("completed", "cancel", "overwrite")]
    [InlineData("dead_lettered", "ignore", "newest-wins")]
    public async Task ADependentLeftWaiting_WaitsAgainForAParentPutBack(string parentEnded, string onDependencyFailure, string mode)
    {
        var batch = await _http.PostJsonAsync("/api/jobs/batch", new { jobs = new object[] { new { @ref = "p", type = "noop" }, new { @ref = "q", type = "noop" }, new { type = "noop", dependsOn = new[] { "p", "q" }, onDependencyFailure } } }, HttpStatusCode.Created);
        var (parent, dependent) = (batch.GetProperty("ids")[0].GetGuid(), batch.GetProperty("ids")[2].GetGuid());
        var snapshot = await _http.PostJsonAsync("/api/snapshots", new { }, HttpStatusCode.Created);
        // One parent ended since, and its dependent, waiting for the other still, counted it done.
        await RanSinceAsync(parentEnded, parent);
        await _system.Database.ExecuteAsync("UPDATE jobs SET dependencies_pending = 1 WHERE id = $1", dependent);

        var applied = await _http.PostJsonAsync($"/api/snapshots/{snapshot.Id()}/restore", new { mode, apply = true }, HttpStatusCode.OK);

        // Waiting in the snapshot and now, the dependent is not restored, but waits for both again.
        Assert.Equal(1, applied.GetProperty("restored").GetInt32());
        Assert.Equal("queued", (await _http.GetJsonAsync($"/api/jobs/{parent}")).Status());
        Assert.Equal("waiting", (await _http.GetJsonAsync($"/api/jobs/{dependent}")).Status());
        Assert.Equal(2, await _system.Database.ScalarAsync<int>("SELECT dependencies_pending FROM jobs WHERE id = $1", dependent));
    }

    [Fact]
    public async Task ADependentPutBack_FollowsItsPolicy_AboutAParentThatFailedAndStaysFailed()
    {
        var batch = await _http.PostJsonAsync("/api/jobs/batch", new { jobs = new object[] { new { @ref = "p", type = "echo" }, new { type = "noop", dependsOn = new[] { "p" }, onDependencyFailure = "run" } } }, HttpStatusCode.Created);
        var (parent, dependent) = (batch.GetProperty("ids")[0].GetGuid(), batch.GetProperty("ids")[1].GetGuid());
        var snapshot = await _http.PostJsonAsync("/api/snapshots", new { }, HttpStatusCode.Created);
        // The parent was dead-lettered since, and its dependent ran regardless.
        await RanSinceAsync("dead_lettered", parent);
        await RanSinceAsync("completed", dependent);

        // Only the dependent is put back (by its type): its parent stays dead-lettered.
        await _http.PostJsonAsync($"/api/snapshots/{snapshot.Id()}/restore", new { mode = "overwrite", filter = new { type = "noop" }, apply = true }, HttpStatusCode.OK);

        Assert.Equal("dead_lettered", (await _http.GetJsonAsync($"/api/jobs/{parent}")).Status());
        Assert.Equal("queued", (await _http.GetJsonAsync($"/api/jobs/{dependent}")).Status());
        Assert.Empty(await _system.Dispatcher.FindMissingAsync([dependent]));
    }

    [Fact]
    public async Task ADependentPutBack_KeepsItsRunAt_AndIsScheduledForIt_WhenItsParentsAreDone()
    {
        var runAt = DateTime.UtcNow.AddDays(1);
        var batch = await _http.PostJsonAsync("/api/jobs/batch", new { jobs = new object[] { new { @ref = "p", type = "noop" }, new { type = "noop", dependsOn = new[] { "p" }, runAt } } }, HttpStatusCode.Created);
        var (parent, child) = (batch.GetProperty("ids")[0].GetGuid(), batch.GetProperty("ids")[1].GetGuid());
        var snapshot = await _http.PostJsonAsync("/api/snapshots", new { }, HttpStatusCode.Created);
        await _http.PostJsonAsync($"/api/jobs/{child}/cancel", HttpStatusCode.OK);
        // The parent ran since.
        await RanSinceAsync("completed", parent);

        await _http.PostJsonAsync($"/api/snapshots/{snapshot.Id()}/restore", new { apply = true }, HttpStatusCode.OK);

        var restored = await _http.GetJsonAsync($"/api/jobs/{child}");
        Assert.Equal("scheduled", restored.Status());
        Assert.InRange(restored.GetProperty("scheduledAt").GetDateTime(), runAt.AddSeconds(-1), runAt.AddSeconds(1));
    }

    [Fact]
    public async Task ADependentPutBackToQueued_Waits_WhileAParentPutBackSinceIsUnfinished()
    {
        var batch = await _http.PostJsonAsync("/api/jobs/batch", new { jobs = new object[] { new { @ref = "p", type = "noop" }, new { type = "noop", dependsOn = new[] { "p" } } } }, HttpStatusCode.Created);
        var (parent, child) = (batch.GetProperty("ids")[0].GetGuid(), batch.GetProperty("ids")[1].GetGuid());
        var beforeItRan = await _http.PostJsonAsync("/api/snapshots", new { }, HttpStatusCode.Created);
        // The parent ran since and released its dependent, as a finish does.
        await RanSinceAsync("completed", parent);
        await _system.Database.ExecuteAsync("UPDATE jobs SET status = 'queued', dependencies_pending = 0 WHERE id = $1", child);
        var released = await _http.PostJsonAsync("/api/snapshots", new { }, HttpStatusCode.Created);
        // The parent put back to run again: its dependent waits for it.
        await _http.PostJsonAsync($"/api/snapshots/{beforeItRan.Id()}/restore", new { mode = "overwrite", apply = true }, HttpStatusCode.OK);
        Assert.Equal("waiting", (await _http.GetJsonAsync($"/api/jobs/{child}")).Status());

        // The later snapshot holds the dependent queued; its parent is unfinished now.
        await _http.PostJsonAsync($"/api/snapshots/{released.Id()}/restore", new { mode = "overwrite", apply = true }, HttpStatusCode.OK);

        Assert.Equal("queued", (await _http.GetJsonAsync($"/api/jobs/{parent}")).Status());
        Assert.Equal("waiting", (await _http.GetJsonAsync($"/api/jobs/{child}")).Status());
        Assert.Equal(1, await _system.Database.ScalarAsync<int>("SELECT dependencies_pending FROM jobs WHERE id = $1", child));
        Assert.Equal([child], await _system.Dispatcher.FindMissingAsync([parent, child]));
    }

    [Fact]
    public async Task ARestore_LiftsTheAncestorsOfTheJobsItPutsBackToWaiting_AndMovesThemToTheirBand()
    {
        var batch = await _http.PostJsonAsync("/api/jobs/batch", new { jobs = new object[] { new { @ref = "p", type = "noop", priority = 1 }, new { type = "noop", priority = 5, dependsOn = new[] { "p" } } } }, HttpStatusCode.Created);
        var (parent, child) = (batch.GetProperty("ids")[0].GetGuid(), batch.GetProperty("ids")[1].GetGuid());
        Assert.Equal(5, (await _http.GetJsonAsync($"/api/jobs/{parent}")).GetProperty("effectivePriority").GetInt32());
        var snapshot = await _http.PostJsonAsync("/api/snapshots", new { }, HttpStatusCode.Created);
        await _http.PostJsonAsync($"/api/jobs/{child}/cancel", HttpStatusCode.OK);
        Assert.Equal(1, (await _http.GetJsonAsync($"/api/jobs/{parent}")).GetProperty("effectivePriority").GetInt32());
        Assert.Equal((0, 0, 1), await _system.Dispatcher.BandLengthsAsync());

        await _http.PostJsonAsync($"/api/snapshots/{snapshot.Id()}/restore", new { apply = true }, HttpStatusCode.OK);

        Assert.Equal("waiting", (await _http.GetJsonAsync($"/api/jobs/{child}")).Status());
        Assert.Equal(5, (await _http.GetJsonAsync($"/api/jobs/{parent}")).GetProperty("effectivePriority").GetInt32());
        Assert.Equal((1, 0, 0), await _system.Dispatcher.BandLengthsAsync());
    }

    [Fact]
    public async Task AQueuedJobWhosePriorityARestorePutsBack_MovesToTheBandOfThatPriority()
    {
        var job = await _http.PostJsonAsync("/api/jobs", new { type = "noop", priority = 5 }, HttpStatusCode.Created);
        var snapshot = await _http.PostJsonAsync("/api/snapshots", new { }, HttpStatusCode.Created);
        await _http.PatchJsonAsync($"/api/jobs/{job.Id()}", new { priority = 1 }, HttpStatusCode.OK);
        Assert.Equal((0, 0, 1), await _system.Dispatcher.BandLengthsAsync());

        await _http.PostJsonAsync($"/api/snapshots/{snapshot.Id()}/restore", new { apply = true }, HttpStatusCode.OK);

        Assert.Equal(5, (await _http.GetJsonAsync($"/api/jobs/{job.Id()}")).GetProperty("effectivePriority").GetInt32());
        Assert.Equal((1, 0, 0), await _system.Dispatcher.BandLengthsAsync());
    }

    [Fact]
    public async Task AQueuedJobWithAParentUnfinished_ThatAWorkerJustLeased_IsLeftToIt_NotPutBackToWaiting()
    {
        // A dependent queued beside an unfinished parent (a state a point in time can hold), its
        // priority changed since: put back to queued, it would wait for that parent instead. A
        // worker has just leased it, its start not yet written: the restore leaves it to the worker.
        var batch = await _http.PostJsonAsync("/api/jobs/batch", new { jobs = new object[] { new { @ref = "p", type = "noop", runAt = DateTime.UtcNow.AddHours(1) }, new { type = "noop", dependsOn = new[] { "p" } } } }, HttpStatusCode.Created);
        var child = batch.GetProperty("ids")[1].GetGuid();
        await _system.Database.ExecuteAsync("UPDATE jobs SET status = 'queued', dependencies_pending = 0 WHERE id = $1", child);
        await _system.Dispatcher.EnqueueAsync([new QueuedJob(child, 3)]);
        var snapshot = await _http.PostJsonAsync("/api/snapshots", new { }, HttpStatusCode.Created);
        await _http.PatchJsonAsync($"/api/jobs/{child}", new { priority = 4 }, HttpStatusCode.OK);
        var lease = Assert.Single(await _system.Dispatcher.AcquireAsync(Guid.CreateVersion7(), 1, TimeSpan.FromMinutes(1), FairnessPolicy.Default));
        Assert.Equal(child, lease.JobId);

        var applied = await _http.PostJsonAsync($"/api/snapshots/{snapshot.Id()}/restore", new { apply = true }, HttpStatusCode.OK);

        Assert.Equal((0, 1), (applied.GetProperty("restored").GetInt32(), applied.GetProperty("changedMeanwhile").GetInt32()));
        Assert.Equal("queued", (await _http.GetJsonAsync($"/api/jobs/{child}")).Status());
    }

    [Fact]
    public async Task ADependentPutBack_ThatItsPolicyReleases_GoesToTheBandOfItsPriorityAsItIsNow()
    {
        // p <- c (priority 2, runs whatever its parent's fate) <- d (priority 5): in the snapshot d
        // waits and lifts c to 5. Since, d was cancelled, p dead-lettered, and c ran regardless.
        var batch = await _http.PostJsonAsync("/api/jobs/batch", new
        {
            jobs = new object[]
            {
                new { @ref = "p", type = "echo", priority = 1 },
                new { @ref = "c", type = "noop", priority = 2, dependsOn = new[] { "p" }, onDependencyFailure = "run" },
                new { type = "echo", priority = 5, dependsOn = new[] { "c" } },
            },
        }, HttpStatusCode.Created);
        var (parent, child, grandchild) = (batch.GetProperty("ids")[0].GetGuid(), batch.GetProperty("ids")[1].GetGuid(), batch.GetProperty("ids")[2].GetGuid());
        Assert.Equal(5, (await _http.GetJsonAsync($"/api/jobs/{child}")).GetProperty("effectivePriority").GetInt32());
        var snapshot = await _http.PostJsonAsync("/api/snapshots", new { }, HttpStatusCode.Created);
        await _http.PostJsonAsync($"/api/jobs/{grandchild}/cancel", HttpStatusCode.OK);
        await RanSinceAsync("dead_lettered", parent);
        await RanSinceAsync("completed", child);
        await _system.Dispatcher.DequeueAsync([parent, child]);

        // Only c is put back (by its type): released at once by its policy, at its own priority now.
        await _http.PostJsonAsync($"/api/snapshots/{snapshot.Id()}/restore", new { mode = "overwrite", filter = new { type = "noop" }, apply = true }, HttpStatusCode.OK);

        var restored = await _http.GetJsonAsync($"/api/jobs/{child}");
        Assert.Equal(("queued", 2), (restored.Status(), restored.GetProperty("effectivePriority").GetInt32()));
        Assert.Equal((0, 1, 0), await _system.Dispatcher.BandLengthsAsync());
    }

    [Fact]
    public async Task AJobThatFailedSince_AndIsQueuedAgain_GetsItsRetriesBack()
    {
        var job = await _http.PostJsonAsync("/api/jobs", new { type = "noop" }, HttpStatusCode.Created);
        var snapshot = await _http.PostJsonAsync("/api/snapshots", new { }, HttpStatusCode.Created);
        // Two failed attempts since, each retried: queued again, as it was.
        await _system.Database.ExecuteAsync("UPDATE jobs SET attempts = 2, failures = 2 WHERE id = $1", job.Id());

        var applied = await _http.PostJsonAsync($"/api/snapshots/{snapshot.Id()}/restore", new { apply = true }, HttpStatusCode.OK);

        Assert.Equal(1, applied.GetProperty("restored").GetInt32());
        Assert.Equal((0, 2), (await _system.Database.ScalarAsync<int>("SELECT failures FROM jobs WHERE id = $1", job.Id()),
                              await _system.Database.ScalarAsync<int>("SELECT attempts FROM jobs WHERE id = $1", job.Id())));
        Assert.Equal((0, 1, 0), await _system.Dispatcher.BandLengthsAsync());
    }

    [Fact]
    public async Task PointInTime_BeforeWhatTheLogKeeps_Is409_AndInTheFuture_Is400()
    {
        await _system.Database.ExecuteAsync("UPDATE job_event_horizon SET kept_since = now() - interval '1 day'");

        var tooOld = await _http.PostJsonAsync("/api/recovery/point-in-time", new { at = DateTime.UtcNow.AddDays(-2) }, HttpStatusCode.Conflict);
        await _http.PostJsonAsync("/api/recovery/point-in-time", new { at = DateTime.UtcNow.AddHours(1) }, HttpStatusCode.BadRequest);
        await _http.PostJsonAsync("/api/recovery/point-in-time", new { at = DateTime.UtcNow.AddHours(-1), mode = "sideways", filter = new { statusThen = "lost" } }, HttpStatusCode.BadRequest);

        Assert.True(tooOld.TryGetProperty("keptSince", out _));
    }

    [Fact]
    public async Task AFilterWithAnEmptyStatusList_Is400_NotEveryStatus()
    {
        await _system.Database.ExecuteAsync("UPDATE job_event_horizon SET kept_since = now() - interval '1 day'");
        var at = DateTime.UtcNow.AddHours(-1);

        var problem = await _http.PostJsonAsync("/api/recovery/point-in-time", new { at, filter = new { statusNow = Array.Empty<string>() }, apply = true }, HttpStatusCode.BadRequest);
        await _http.PostJsonAsync("/api/recovery/point-in-time", new { at, filter = new { statusThen = Array.Empty<string>() } }, HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("filter.statusNow", out _));
    }

    [Fact]
    public async Task PointInTime_AtATimeWithoutAnOffset_ReadsItAsUtc_NotAsTheServersLocalTime()
    {
        // An Api process of its own, ten hours behind UTC: an hour ago in UTC is nine hours
        // ahead in its local time, and an hour ahead in UTC is in the future in both readings.
        Assert.Equal(TimeSpan.FromHours(-10), TimeZoneInfo.FindSystemTimeZoneById("Pacific/Honolulu").BaseUtcOffset); // tzdata, which PostgreSQL needs too
        await _system.Database.ExecuteAsync("UPDATE job_event_horizon SET kept_since = now() - interval '1 day'");
        await using var api = await _system.StartApiAsync(new Dictionary<string, string?> { ["TZ"] = "Pacific/Honolulu" });
        using var http = new HttpClient { BaseAddress = api.Url }.WithKey(AspireJobs.Api.Access.ApiScope.Admin);
        var utc = DateTime.UtcNow;

        var anHourAgo = await http.PostJsonAsync("/api/recovery/point-in-time", new { at = utc.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) }, HttpStatusCode.OK);
        await http.PostJsonAsync("/api/recovery/point-in-time", new { at = utc.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) }, HttpStatusCode.BadRequest);

        Assert.True(anHourAgo.GetProperty("dryRun").GetBoolean());
    }

    [Fact]
    public async Task Snapshots_AreListedNewestFirst_AndAnIncrementalOneNeedsABase()
    {
        await _http.PostJsonAsync("/api/snapshots", new { kind = "incremental" }, HttpStatusCode.Conflict);
        var first = await _http.PostJsonAsync("/api/snapshots", HttpStatusCode.Created);
        var second = await _http.PostJsonAsync("/api/snapshots", new { kind = "incremental", label = "after" }, HttpStatusCode.Created);

        var page = await _http.GetJsonAsync("/api/snapshots?limit=1");
        var next = await _http.GetJsonAsync($"/api/snapshots?limit=1&cursor={page.GetProperty("nextCursor").GetGuid()}");

        Assert.Equal(second.Id(), Assert.Single(page.GetProperty("items").EnumerateArray()).Id());
        Assert.Equal(first.Id(), Assert.Single(next.GetProperty("items").EnumerateArray()).Id());
        Assert.Equal(first.Id(), second.GetProperty("baseId").GetGuid());
        await _http.GetJsonAsync($"/api/snapshots/{Guid.NewGuid()}", HttpStatusCode.NotFound);
        await _http.PostJsonAsync($"/api/snapshots/{Guid.NewGuid()}/restore", new { }, HttpStatusCode.NotFound);
    }

    private async Task<List<Guid>> CreateQueuedAsync(int count = Jobs)
    {
        var batch = await _http.PostJsonAsync("/api/jobs/batch", new { jobs = Enumerable.Range(0, count).Select(_ => new { type = "noop" }) }, HttpStatusCode.Created);
        return [.. batch.GetProperty("ids").EnumerateArray().Select(id => id.GetGuid())];
    }

    /// <summary>Jobs that ran one attempt since and ended in <paramref name="status"/>, as a worker's finish leaves them.</summary>
    private Task RanSinceAsync(string status, params Guid[] ids) =>
        _system.Database.ExecuteAsync(
            "UPDATE jobs SET status = $1, attempts = 1, dependencies_pending = 0, started_at = now(), completed_at = now(), attempt_finished_at = now() WHERE id = ANY($2)",
            status, ids);

    private async Task CancelAsync(IEnumerable<Guid> ids)
    {
        foreach (var id in ids)
        {
            await _http.PostJsonAsync($"/api/jobs/{id}/cancel", HttpStatusCode.OK);
        }
    }

    private Task<long> CountAsync(string status) =>
        _system.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE status = $1", status);
}
