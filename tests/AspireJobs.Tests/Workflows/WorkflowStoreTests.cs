using AspireJobs.Core.Jobs;
using AspireJobs.Core.Workflows;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AspireJobs.Tests.Workflows;

/// <summary>
/// Dependencies on a real database, with attempts started and finished by hand: release in the
/// last parent's finishing transaction, the cascade policies, requeue after a cascade, and
/// effective priorities raised and lowered.
/// </summary>
public sealed class WorkflowStoreTests(TestServers servers) : IAsyncLifetime
{
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

    private async Task<Guid> CreateAsync(int priority = 3, DependencyFailurePolicy policy = DependencyFailurePolicy.Cancel, params Guid[] parents) =>
        (await _store.JobInsertAsync(TestJobs.New(priority: priority, dependsOn: parents) with { OnDependencyFailure = policy }, Token)).Job.Id;

    private async Task<StartedJob> StartAsync(Guid id) =>
        Assert.Single((await _store.StartNowAsync([id], Guid.NewGuid(), TimeSpan.FromSeconds(30), AllTypes, Token)).Started);

    private async Task<WorkflowChanges> CompleteAsync(Guid id)
    {
        var started = await StartAsync(id);
        var result = await _store.JobFinishIfRunningAsync([JobFinish.Completed(id, started.LeaseToken, $"\"{id}\"")], Token);
        Assert.Single(result.Finished);
        return result.Workflow;
    }

    private async Task<WorkflowChanges> DeadLetterAsync(Guid id)
    {
        var started = await StartAsync(id);
        return (await _store.JobFinishIfRunningAsync([JobFinish.DeadLettered(id, started.LeaseToken, ExecutionStatus.Failed, "boom")], Token)).Workflow;
    }

    private async Task<Job> GetAsync(Guid id) => (await _store.JobGetByIdAsync(id, Token))!;

    [Fact]
    public async Task Diamond_ReleasesTheJoin_OnlyInTheFinishOfItsLastParent()
    {
        var a = await CreateAsync();
        var b = await CreateAsync(parents: a);
        var c = await CreateAsync(parents: a);
        var d = await CreateAsync(parents: [b, c]);
        Assert.Equal([JobStatus.Waiting, JobStatus.Waiting, JobStatus.Waiting], [(await GetAsync(b)).Status, (await GetAsync(c)).Status, (await GetAsync(d)).Status]);

        Assert.Equal([b, c], (await CompleteAsync(a)).Released.Select(j => j.Id).Order());
        Assert.Empty((await CompleteAsync(b)).Released);
        Assert.Equal(JobStatus.Waiting, (await GetAsync(d)).Status);
        Assert.Equal([d], (await CompleteAsync(c)).Released.Select(j => j.Id));
        Assert.Equal(JobStatus.Queued, (await GetAsync(d)).Status);
        Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM job_events WHERE job_id = $1 AND from_status = 'waiting' AND to_status = 'queued'", d));
    }

    [Fact]
    public async Task AJobWhoseParentsAllCompleted_IsQueuedAtOnce()
    {
        var a = await CreateAsync();
        await CompleteAsync(a);

        Assert.Equal(JobStatus.Queued, (await GetAsync(await CreateAsync(parents: a))).Status);
    }

    [Fact]
    public async Task Cancel_CascadesDownTheGraph_NamingTheParent_AndRequeueBringsItBack()
    {
        var a = await CreateAsync();
        var b = await CreateAsync(parents: a);
        var c = await CreateAsync(parents: b);

        await DeadLetterAsync(a);

        var (jobB, jobC) = (await GetAsync(b), await GetAsync(c));
        Assert.Equal((JobStatus.Cancelled, JobStatus.Cancelled), (jobB.Status, jobC.Status));
        Assert.Contains(a.ToString(), jobB.Error, StringComparison.Ordinal);
        Assert.Contains("dead_lettered", jobB.Error, StringComparison.Ordinal);
        Assert.Contains(b.ToString(), jobC.Error, StringComparison.Ordinal);

        var requeued = await _store.JobSetQueuedIfDeadLetteredAsync(a, Token);

        Assert.NotNull(requeued);
        Assert.Equal((JobStatus.Waiting, JobStatus.Waiting), ((await GetAsync(b)).Status, (await GetAsync(c)).Status));
        Assert.Null((await GetAsync(b)).Error);
        Assert.Equal([b], (await CompleteAsync(a)).Released.Select(j => j.Id));
        Assert.Equal([c], (await CompleteAsync(b)).Released.Select(j => j.Id));
    }

    [Fact]
    public async Task RunPolicy_ReleasesTheDependentAtOnce_WhenAParentFails()
    {
        var a = await CreateAsync();
        var slow = await CreateAsync();
        var b = await CreateAsync(policy: DependencyFailurePolicy.Run, parents: [a, slow]);

        var released = (await DeadLetterAsync(a)).Released;

        Assert.Equal([b], released.Select(j => j.Id));
        var parents = (await _store.JobGetParentResultsAsync([b], Token))[b];
        Assert.Contains(parents, p => p.Id == a && p.Status == JobStatus.DeadLettered && p.Error == "boom");
    }

    [Fact]
    public async Task IgnorePolicy_DropsTheFailedParent_AndWaitsForTheOthers()
    {
        var a = await CreateAsync();
        var other = await CreateAsync();
        var b = await CreateAsync(policy: DependencyFailurePolicy.Ignore, parents: [a, other]);

        Assert.Empty((await DeadLetterAsync(a)).Released);
        Assert.Equal(JobStatus.Waiting, (await GetAsync(b)).Status);
        Assert.Equal([b], (await CompleteAsync(other)).Released.Select(j => j.Id));
    }

    [Fact]
    public async Task TwoParentsFailingAtOnce_PassTheCascadeOnOnce()
    {
        for (var round = 0; round < 5; round++)
        {
            var a = await CreateAsync();
            var b = await CreateAsync();
            var z = await CreateAsync();
            var c = await CreateAsync(parents: [a, b]);
            var e = await CreateAsync(policy: DependencyFailurePolicy.Ignore, parents: [c, z]);
            var started = (await _store.StartNowAsync([a, b], Guid.NewGuid(), TimeSpan.FromSeconds(30), AllTypes, Token)).Started;

            await Task.WhenAll(started.Select(job => Task.Run(() =>
                _store.JobFinishIfRunningAsync([JobFinish.DeadLettered(job.Id, job.LeaseToken, ExecutionStatus.Failed, "boom")], Token), Token)));

            Assert.Equal(JobStatus.Cancelled, (await GetAsync(c)).Status);
            // E dropped C once, and still waits for Z.
            Assert.Equal((JobStatus.Waiting, 1), ((await GetAsync(e)).Status, await _db.ScalarAsync<int>("SELECT dependencies_pending FROM jobs WHERE id = $1", e)));
            Assert.Equal([e], (await CompleteAsync(z)).Released.Select(j => j.Id));
        }
    }

    [Fact]
    public async Task ChildrenOfOneParent_CreatedAtOnce_WaitForEachOther_WithoutADeadlock()
    {
        // Each create locked the parent to share it, then to change it (its mark, its boost):
        // two at once each held what the other needed, and PostgreSQL aborted one after a second.
        var before = await DeadlocksAsync();
        for (var round = 0; round < 3; round++)
        {
            var parent = await CreateAsync();
            var children = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => CreateAsync(priority: 5, parents: parent), Token)));

            Assert.Equal(12, await _db.ScalarAsync<long>("SELECT count(*) FROM job_dependencies WHERE depends_on_id = $1 AND job_id = ANY($2)", parent, children));
            Assert.Equal(5, (await GetAsync(parent)).EffectivePriority);
        }

        Assert.Equal(before, await DeadlocksAsync());
    }

    [Fact]
    public async Task ParentsOfAJoinFailingTogether_CancelItOnce_WithoutADeadlock()
    {
        var before = await DeadlocksAsync();
        for (var round = 0; round < 3; round++)
        {
            var parents = new List<Guid>();
            for (var i = 0; i < 6; i++)
            {
                parents.Add(await CreateAsync());
            }

            var stillQueued = await CreateAsync();
            var join = await CreateAsync(priority: 5, parents: [.. parents, stillQueued]);
            Assert.Equal(5, (await GetAsync(stillQueued)).EffectivePriority);
            var started = (await _store.StartNowAsync(parents, Guid.NewGuid(), TimeSpan.FromSeconds(30), AllTypes, Token)).Started;

            await Task.WhenAll(started.Select(job => Task.Run(() =>
                _store.JobFinishIfRunningAsync([JobFinish.DeadLettered(job.Id, job.LeaseToken, ExecutionStatus.Failed, "boom")], Token), Token)));

            Assert.Equal(JobStatus.Cancelled, (await GetAsync(join)).Status);
            // The join no longer waits, so it no longer lifts the parent that has not run.
            Assert.Equal(3, (await GetAsync(stillQueued)).EffectivePriority);
        }

        Assert.Equal(before, await DeadlocksAsync());
    }

    [Fact]
    public async Task DeadLettersRequeuedAtOnce_WhoseDependentsShareAParent_DoNotDeadlock()
    {
        // Each requeue share-locked the parents of the jobs it brought back, then locked them
        // again to lift them: two at once, under one shared parent, waited on each other.
        var before = await DeadlocksAsync();
        for (var round = 0; round < 3; round++)
        {
            var shared = await CreateAsync(priority: 1);
            var failed = new[] { await CreateAsync(), await CreateAsync(), await CreateAsync() };
            var dependents = new List<Guid>();
            foreach (var parent in failed)
            {
                dependents.Add(await CreateAsync(priority: 5, parents: [parent, shared]));
                await DeadLetterAsync(parent);
            }

            Assert.Equal(1, (await GetAsync(shared)).EffectivePriority);
            await Task.WhenAll(failed.Select(parent => Task.Run(() => _store.JobSetQueuedIfDeadLetteredAsync(parent, Token), Token)));

            Assert.All(dependents, id => Assert.Equal(JobStatus.Waiting, GetAsync(id).GetAwaiter().GetResult().Status));
            Assert.Equal(5, (await GetAsync(shared)).EffectivePriority);
        }

        Assert.Equal(before, await DeadlocksAsync());
    }

    /// <summary>
    /// The deadlocks PostgreSQL has found in this database, read once every other session of it
    /// has ended: a session counts its own, and reports them when it ends at the latest.
    /// </summary>
    private async Task<long> DeadlocksAsync()
    {
        const string Others = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'";
        for (var look = 0; look < 200; look++)
        {
            _db.DataSource.Clear();
            if (await _db.ScalarAsync<long>(Others) == 0)
            {
                break;
            }

            await Task.Delay(25, Token);
        }

        return await _db.ScalarAsync<long>("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()");
    }

    [Fact]
    public async Task RequeueingAFailedParent_MakesAnIgnoringDependentWaitForItAgain()
    {
        var x = await CreateAsync();
        var y = await CreateAsync();
        var w = await CreateAsync(policy: DependencyFailurePolicy.Ignore, parents: [x, y]);
        await DeadLetterAsync(x);

        await _store.JobSetQueuedIfDeadLetteredAsync(x, Token);

        Assert.Empty((await CompleteAsync(x)).Released);
        Assert.Equal(JobStatus.Waiting, (await GetAsync(w)).Status);
        Assert.Equal([w], (await CompleteAsync(y)).Released.Select(j => j.Id));
    }

    [Fact]
    public async Task RequeueingAFailedGrandparent_MakesAnIgnoringDependentOfWhatItBringsBackWaitForThatAgain()
    {
        // C waits for A and B; E ignores C's failure and also waits for Z. A and B fail, so C is
        // cancelled, and E drops C from its wait. A's requeue brings C back, then cancels it again
        // for B: E must drop C once more only because it waited for it again.
        var a = await CreateAsync();
        var b = await CreateAsync();
        var z = await CreateAsync();
        var c = await CreateAsync(parents: [a, b]);
        var e = await CreateAsync(policy: DependencyFailurePolicy.Ignore, parents: [c, z]);
        await DeadLetterAsync(a);
        await DeadLetterAsync(b);

        var requeued = await _store.JobSetQueuedIfDeadLetteredAsync(a, Token);

        Assert.DoesNotContain(e, requeued!.Workflow.Released.Select(j => j.Id));
        Assert.Equal(JobStatus.Cancelled, (await GetAsync(c)).Status);
        Assert.Equal((JobStatus.Waiting, 1), ((await GetAsync(e)).Status, await _db.ScalarAsync<int>("SELECT dependencies_pending FROM jobs WHERE id = $1", e)));
        Assert.Equal([e], (await CompleteAsync(z)).Released.Select(j => j.Id));
    }

    [Fact]
    public async Task ARequeuedParent_NoLongerKeepsTheBoostOfADependentThatRanWithoutIt()
    {
        var x = await CreateAsync(priority: 1);
        var d = await CreateAsync(priority: 5, policy: DependencyFailurePolicy.Run, parents: x);
        Assert.Equal(5, (await GetAsync(x)).EffectivePriority);
        Assert.Equal([d], (await DeadLetterAsync(x)).Released.Select(j => j.Id));

        var requeued = await _store.JobSetQueuedIfDeadLetteredAsync(x, Token);

        Assert.Equal(1, requeued!.Priority);
        Assert.Equal(1, (await GetAsync(x)).EffectivePriority);
    }

    [Fact]
    public async Task CancellingAPendingParent_CascadesToItsDependents()
    {
        var a = await CreateAsync();
        var b = await CreateAsync(parents: a);

        var cancelled = await _store.JobSetCancelledIfPendingAsync(a, Token);

        Assert.Equal(JobStatus.Queued, cancelled!.Previous);
        Assert.Equal(JobStatus.Cancelled, (await GetAsync(b)).Status);
    }

    [Fact]
    public async Task ADependentOfAnAlreadyFailedParent_FollowsItsPolicyWhenCreated()
    {
        var a = await CreateAsync();
        await DeadLetterAsync(a);

        Assert.Equal(JobStatus.Cancelled, (await GetAsync(await CreateAsync(parents: a))).Status);
        Assert.Equal(JobStatus.Queued, (await GetAsync(await CreateAsync(policy: DependencyFailurePolicy.Run, parents: a))).Status);
    }

    [Fact]
    public async Task Boost_RaisesEveryUnfinishedAncestor_AndIsLoweredWhenTheWaitingJobIsCancelled()
    {
        var root = await CreateAsync(priority: 1);
        var middle = await CreateAsync(priority: 2, parents: root);
        var urgent = await CreateAsync(priority: 5, parents: middle);

        Assert.Equal((1, 5), ((await GetAsync(root)).Priority, (await GetAsync(root)).EffectivePriority));
        Assert.Equal(5, (await GetAsync(middle)).EffectivePriority);
        Assert.Equal(5, (await GetAsync(urgent)).EffectivePriority);

        var cancelled = await _store.JobSetCancelledIfPendingAsync(urgent, Token);

        Assert.Equal(JobStatus.Waiting, cancelled!.Previous);
        // The middle job still waits, at its own priority 2: the root runs at that, no longer at 5.
        Assert.Equal((2, 2), ((await GetAsync(root)).EffectivePriority, (await GetAsync(middle)).EffectivePriority));
        Assert.Contains(cancelled.Workflow.Reprioritized, j => j.Id == root && j.Priority == 2); // from the high band to the medium one
        await _store.JobSetCancelledIfPendingAsync(middle, Token);
        Assert.Equal(1, (await GetAsync(root)).EffectivePriority);
    }

    [Fact]
    public async Task Boost_FollowsTheWaitingJobsPriority_WhenItChanges()
    {
        var root = await CreateAsync(priority: 1);
        var waiting = await CreateAsync(priority: 5, parents: root);

        var lowered = await _store.JobSetPriorityIfUnfinishedAsync(waiting, 2, Token);

        Assert.Equal((2, 2), ((await GetAsync(root)).EffectivePriority, (await GetAsync(waiting)).EffectivePriority));
        Assert.Contains(lowered!.Reprioritized, j => j.Id == root && j.Priority == 2);
        await _store.JobSetPriorityIfUnfinishedAsync(waiting, 4, Token);
        Assert.Equal(4, (await GetAsync(root)).EffectivePriority);
        await _store.JobSetPriorityIfUnfinishedAsync(root, 5, Token); // its own priority now tops the boost
        Assert.Equal((5, 5), ((await GetAsync(root)).Priority, (await GetAsync(root)).EffectivePriority));
        await CompleteAsync(root);
        Assert.Null(await _store.JobSetPriorityIfUnfinishedAsync(root, 1, Token));
    }

    [Fact]
    public async Task Boost_KeepsTheHighestOfSeveralWaitingJobs()
    {
        var root = await CreateAsync(priority: 1);
        var four = await CreateAsync(priority: 4, parents: root);
        var five = await CreateAsync(priority: 5, parents: root);

        await _store.JobSetCancelledIfPendingAsync(five, Token);

        Assert.Equal(4, (await GetAsync(root)).EffectivePriority);
        await _store.JobSetCancelledIfPendingAsync(four, Token);
        Assert.Equal(1, (await GetAsync(root)).EffectivePriority);
    }

    [Fact]
    public async Task Graph_ListsAncestorsThenDescendants_NearestFirst_InPages()
    {
        var a = await CreateAsync();
        var b = await CreateAsync(parents: a);
        var c = await CreateAsync(parents: b);
        var d = await CreateAsync(parents: c);

        var first = (await _store.JobGetGraphAsync(b, JobGraphCursor.Start, 2, Token))!;
        var second = (await _store.JobGetGraphAsync(b, first.Next!.Value, 2, Token))!;

        Assert.Equal([(JobRelation.Ancestor, 1, a), (JobRelation.Descendant, 1, c)], first.Nodes.Select(n => (n.Relation, n.Depth, n.Id)));
        Assert.Equal([(JobRelation.Descendant, 2, d)], second.Nodes.Select(n => (n.Relation, n.Depth, n.Id)));
        Assert.Null(second.Next);
        Assert.Null(await _store.JobGetGraphAsync(Guid.NewGuid(), JobGraphCursor.Start, 2, Token));
    }

    [Fact]
    public async Task Graph_OfALadder_PlacesEachJobOnce_AtItsShortestPath_WalkingEachJobOnce()
    {
        // Each job waits for the one and the two before it, so the n-th below the first is reached
        // by paths of every length from n/2 to n.
        const int rungs = 300;
        var ladder = new List<Guid> { await CreateAsync() };
        ladder.Add(await CreateAsync(parents: ladder[0]));
        while (ladder.Count < rungs)
        {
            ladder.Add(await CreateAsync(parents: [ladder[^1], ladder[^2]]));
        }

        var placed = new List<JobGraphNode>();
        for (JobGraphCursor? cursor = JobGraphCursor.Start; cursor is { } after;)
        {
            var page = (await _store.JobGetGraphAsync(ladder[0], after, 64, Token))!;
            placed.AddRange(page.Nodes);
            cursor = page.Next;
        }

        Assert.Equal(
            ladder.Skip(1).Select((id, n) => (JobRelation.Descendant, (n + 2) / 2, id)).OrderBy(node => node.Item2).ThenBy(node => node.id),
            placed.Select(node => (node.Relation, node.Depth, node.Id)));
        Assert.Equal(new[] { ladder[^2], ladder[^3] }.Order(), placed.Single(node => node.Id == ladder[^1]).DependsOn);

        // The walk's rows: each job at most once a direction, where carrying the length of the path
        // took one row for each length that reaches a job (about rungs² / 4).
        var walked = (await GenericPlan.RunNodesAsync(_db, "JobGetGraphEdges.sql", "uuid", $"'{ladder[0]}'", Token))
            .Where(node => node.GetProperty("Node Type").GetString() == "Recursive Union")
            .Sum(node => node.GetProperty("Actual Rows").GetInt64() * node.GetProperty("Actual Loops").GetInt64());
        Assert.InRange(walked, rungs, 2 * rungs);
    }

    [Fact]
    public async Task ParentsFinishingInConcurrentTransactions_ReleaseAFanInExactlyOnce()
    {
        var parents = new List<Guid>();
        for (var i = 0; i < 40; i++)
        {
            parents.Add(await CreateAsync());
        }

        var join = await CreateAsync(parents: [.. parents]);
        var started = (await _store.StartNowAsync(parents, Guid.NewGuid(), TimeSpan.FromSeconds(30), AllTypes, Token)).Started;

        var results = await Task.WhenAll(started.Select(job => Task.Run(() =>
            _store.JobFinishIfRunningAsync([JobFinish.Completed(job.Id, job.LeaseToken, null)], Token), Token)));

        Assert.Equal([join], results.SelectMany(r => r.Workflow.Released).Select(j => j.Id));
        Assert.Equal(JobStatus.Queued, (await GetAsync(join)).Status);
    }
}
