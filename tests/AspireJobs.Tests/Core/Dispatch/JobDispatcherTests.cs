using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AspireJobs.Tests.Core.Dispatch;

public sealed class JobDispatcherTests(TestServers servers)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly FairnessPolicy NoAging = FairnessPolicy.Default with { StarvationLimit = TimeSpan.FromDays(1) };
    private readonly JobDispatcher _dispatcher = new(servers.RedisConnection, TestServers.NewRedisKeys(), TimeProvider.System);

    [Fact]
    public async Task Acquire_TakesABandFirstInFirstOut()
    {
        var ids = Enumerable.Range(0, 5).Select(_ => Guid.CreateVersion7()).ToList();
        foreach (var id in ids)
        {
            await _dispatcher.EnqueueAsync([new QueuedJob(id, 3)]);
        }

        var taken = await _dispatcher.AcquireIdsAsync(Guid.NewGuid(), 5, Lease, NoAging);

        Assert.Equal(ids, taken);
    }

    [Fact]
    public async Task Acquire_NeverTakesMoreThanAsked()
    {
        await _dispatcher.EnqueueAsync(Enumerable.Range(0, 10).Select(_ => new QueuedJob(Guid.CreateVersion7(), 4)).ToList());

        var taken = await _dispatcher.AcquireIdsAsync(Guid.NewGuid(), 3, Lease, NoAging);

        Assert.Equal(3, taken.Count);
    }

    [Fact]
    public async Task Enqueue_IgnoresAJobAlreadyQueued()
    {
        var job = new QueuedJob(Guid.CreateVersion7(), 3);

        Assert.Equal(1, await _dispatcher.EnqueueAsync([job]));
        Assert.Equal(0, await _dispatcher.EnqueueAsync([job]));

        Assert.Single(await _dispatcher.AcquireIdsAsync(Guid.NewGuid(), 10, Lease, NoAging));
    }

    [Fact]
    public async Task Acquire_FollowsTheWeightedCycle_WhenEveryBandHasWork()
    {
        await _dispatcher.EnqueueAsync(Enumerable.Range(0, 30)
            .Select(i => new QueuedJob(Guid.CreateVersion7(), i % 3 == 0 ? 5 : i % 3 == 1 ? 3 : 1)).ToList());

        var taken = await _dispatcher.AcquireIdsAsync(Guid.NewGuid(), 10, Lease, NoAging);

        var counts = await BandCountsAsync(taken);
        Assert.Equal((6, 3, 1), counts);
    }

    [Fact]
    public async Task Acquire_TakesAStarvedLowJobFirst()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var dispatcher = new JobDispatcher(servers.RedisConnection, TestServers.NewRedisKeys(), clock);
        var low = Guid.CreateVersion7();
        await dispatcher.EnqueueAsync([new QueuedJob(low, 1)]);
        clock.Advance(TimeSpan.FromMilliseconds(39));
        await dispatcher.EnqueueAsync(Enumerable.Range(0, 20).Select(_ => new QueuedJob(Guid.CreateVersion7(), 5)).ToList());
        var policy = NoAging with { StarvationLimit = TimeSpan.FromMilliseconds(40) };

        Assert.NotEqual([low], await dispatcher.AcquireIdsAsync(Guid.NewGuid(), 1, Lease, policy)); // 39 ms: not starved yet
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([low], await dispatcher.AcquireIdsAsync(Guid.NewGuid(), 1, Lease, policy));
    }

    [Fact]
    public async Task Acquire_TakesStarvedJobsEveryOtherPick_OldestFirst_AndNotTheYoungerOneBehindThem()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var dispatcher = new JobDispatcher(servers.RedisConnection, TestServers.NewRedisKeys(), clock);
        Guid[] starved = [Guid.CreateVersion7(), Guid.CreateVersion7()];
        await dispatcher.EnqueueAsync([.. starved.Select(id => new QueuedJob(id, 1))]);
        clock.Advance(TimeSpan.FromMilliseconds(50));
        var young = Guid.CreateVersion7();
        await dispatcher.EnqueueAsync([new QueuedJob(young, 1), .. Enumerable.Range(0, 20).Select(_ => new QueuedJob(Guid.CreateVersion7(), 5))]);
        // Weights that leave the low band one pick in a thousand: only aging takes a low job here.
        var policy = new FairnessPolicy(HighWeight: 998, MediumWeight: 1, LowWeight: 1, StarvationLimit: TimeSpan.FromMilliseconds(40));

        var taken = await dispatcher.AcquireIdsAsync(Guid.NewGuid(), 6, Lease, policy);

        Assert.Equal(starved, new[] { taken[0], taken[2] });
        Assert.DoesNotContain(young, taken);
    }

    [Fact]
    public async Task Release_LeavesALeaseThatAnotherWorkerHolds()
    {
        var job = Guid.CreateVersion7();
        await _dispatcher.EnqueueAsync([new QueuedJob(job, 3)]);
        var owner = Guid.NewGuid();
        var lease = Assert.Single(await _dispatcher.AcquireAsync(owner, 1, Lease, NoAging));

        Assert.Equal(0, await _dispatcher.ReleaseAsync(Guid.NewGuid(), [lease]));
        Assert.Equal(1, await _dispatcher.ReleaseAsync(owner, [lease]));
    }

    [Fact]
    public async Task AWorkerHoldingANewerLeaseOfAJob_EndsAndExtendsOnlyTheLeaseItNames()
    {
        // Redis lost the first lease while its run went on; the job went back to its band and the
        // same worker took it again. The first run's end must not end the second run's lease.
        var job = new QueuedJob(Guid.CreateVersion7(), 3);
        var worker = Guid.NewGuid();
        await _dispatcher.EnqueueAsync([job]);
        var first = Assert.Single(await _dispatcher.AcquireAsync(worker, 1, Lease, NoAging));
        Assert.Equal(1, await _dispatcher.DropLeasesAsync([first]));
        await _dispatcher.EnqueueAsync([job]);
        var second = Assert.Single(await _dispatcher.AcquireAsync(worker, 1, Lease, NoAging));
        Assert.True(second.Fence > first.Fence);
        var deadline = await LeaseDeadlineAsync(job.Id);

        await _dispatcher.HeartbeatAsync(worker, Lease, TimeSpan.FromHours(1), [first]);
        Assert.Equal(deadline, await LeaseDeadlineAsync(job.Id)); // not extended
        Assert.Equal(0, await _dispatcher.ReleaseAsync(worker, [first]));
        Assert.Equal(second, Assert.Single(await _dispatcher.LeasesOfAsync([job.Id])).Lease);

        await _dispatcher.HeartbeatAsync(worker, Lease, TimeSpan.FromHours(1), [first, second]);
        Assert.True(await LeaseDeadlineAsync(job.Id) > deadline + TimeSpan.FromMinutes(30).TotalMilliseconds); // an hour on, not 30 s
        Assert.Equal(1, await _dispatcher.ReleaseAsync(worker, [first, second]));
        Assert.Empty(await _dispatcher.LeasesOfAsync([job.Id]));
    }

    private Task<double?> LeaseDeadlineAsync(Guid jobId) => _dispatcher.LeaseDeadlineAsync(servers.RedisConnection, jobId);

    [Fact]
    public async Task ADrop_EndsTheLeaseItNamesOrAnOlderOne_NeverANewerLeaseOfTheJob()
    {
        // A rescuer decided about the first lease; meanwhile that lease ended and a worker took the job again.
        var job = new QueuedJob(Guid.CreateVersion7(), 3);
        await _dispatcher.EnqueueAsync([job]);
        var first = Assert.Single(await _dispatcher.AcquireAsync(Guid.NewGuid(), 1, Lease, NoAging));
        Assert.Equal(1, await _dispatcher.ReleaseAsync((await _dispatcher.LeasesOfAsync([job.Id]))[0].WorkerId, [first]));
        await _dispatcher.EnqueueAsync([job]);
        var second = Assert.Single(await _dispatcher.AcquireAsync(Guid.NewGuid(), 1, Lease, NoAging));

        Assert.Equal(0, await _dispatcher.DropLeasesAsync([first]));
        Assert.Equal(second, Assert.Single(await _dispatcher.LeasesOfAsync([job.Id])).Lease);
        Assert.Equal(1, await _dispatcher.DropLeasesAsync([first with { Fence = second.Fence + 1 }])); // a later decision ends an older lease
        Assert.Empty(await _dispatcher.LeasesOfAsync([job.Id]));
    }

    [Theory]
    [InlineData(WorkerOrder.Drain)]
    [InlineData(WorkerOrder.Exit)]
    public async Task Acquire_LeasesNothingToAWorkerOrderedToStop_UntilItIsForgotten(WorkerOrder order)
    {
        var ordered = Guid.NewGuid();
        await _dispatcher.OrderAsync(order, ordered);
        await _dispatcher.EnqueueAsync([new QueuedJob(Guid.CreateVersion7(), 3)]);

        Assert.Empty(await _dispatcher.AcquireIdsAsync(ordered, 10, Lease, NoAging));
        Assert.Single(await _dispatcher.AcquireIdsAsync(Guid.NewGuid(), 10, Lease, NoAging));
        await _dispatcher.ForgetWorkerAsync(ordered);
        Assert.False(await servers.RedisConnection.GetDatabase().KeyExistsAsync(_dispatcher.Keys.ClosedWorkers));
    }

    [Fact]
    public async Task Acquire_LeasesNothingToAWorkerDeclaredDead_ForTheMarksLifetime()
    {
        // Paused past its heartbeat timeout, declared dead, and back before its next report tells it.
        var revenant = Guid.NewGuid();
        await _dispatcher.ForgetDeadWorkerAsync(revenant);
        await _dispatcher.EnqueueAsync([new QueuedJob(Guid.CreateVersion7(), 3)]);

        Assert.Empty(await _dispatcher.AcquireIdsAsync(revenant, 10, Lease, NoAging));
        Assert.Single(await _dispatcher.AcquireIdsAsync(Guid.NewGuid(), 10, Lease, NoAging));
        var lifetime = await servers.RedisConnection.GetDatabase().KeyTimeToLiveAsync(_dispatcher.Keys.DeadMark(revenant));
        Assert.InRange(lifetime!.Value, JobDispatcher.DeadMarkLifetime - TimeSpan.FromMinutes(1), JobDispatcher.DeadMarkLifetime);
    }

    private async Task<(int High, int Medium, int Low)> BandCountsAsync(IReadOnlyList<Guid> taken)
    {
        // Which band each job came from: what remains tells, since each band started with 10.
        var database = servers.RedisConnection.GetDatabase();
        var keys = _dispatcher.Keys;
        return (10 - (int)await database.SortedSetLengthAsync(keys.High),
                10 - (int)await database.SortedSetLengthAsync(keys.Medium),
                10 - (int)await database.SortedSetLengthAsync(keys.Low));
    }

    [Fact]
    public async Task Acquire_GivesEachLeaseAGreaterFenceToken_StartingAtRedisClock()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        await _dispatcher.EnqueueAsync(Enumerable.Range(0, 3).Select(_ => new QueuedJob(Guid.CreateVersion7(), 3)).ToList());

        var first = await _dispatcher.AcquireAsync(Guid.NewGuid(), 2, Lease, NoAging);
        var second = await _dispatcher.AcquireAsync(Guid.NewGuid(), 2, Lease, NoAging);

        var fences = first.Concat(second).Select(lease => lease.Fence).ToList();
        Assert.Equal(3, fences.Count);
        Assert.Equal(fences.Order(), fences);
        Assert.Equal(fences.Count, fences.Distinct().Count());
        Assert.InRange(first[0].LeasedAt, before, DateTimeOffset.UtcNow.AddSeconds(5));
    }

    [Fact]
    public async Task ATicket_IsTakenWithTheLease_Once_AndGoesWithADequeue()
    {
        var (kept, cancelled) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await _dispatcher.EnqueueAsync([new QueuedJob(kept, 3), new QueuedJob(cancelled, 3)], Tickets((kept, "ticket-a"), (cancelled, "ticket-b")));
        await _dispatcher.DequeueAsync([cancelled]);
        await _dispatcher.EnqueueAsync([new QueuedJob(cancelled, 3)]); // restored, without a ticket

        var worker = Guid.NewGuid();
        var taken = await _dispatcher.AcquireAsync(worker, 10, Lease, NoAging);
        Assert.Equal([(kept, "ticket-a"), (cancelled, (string?)null)], taken.Select(lease => (lease.JobId, lease.Ticket)));

        Assert.Equal(1, await _dispatcher.ReleaseAsync(worker, [taken[0]]));
        await _dispatcher.EnqueueAsync([new QueuedJob(kept, 3)]); // queued again (a retry): read from PostgreSQL
        Assert.Null(Assert.Single(await _dispatcher.AcquireAsync(Guid.NewGuid(), 10, Lease, NoAging)).Ticket);
    }

    [Fact]
    public async Task ALatePushWithATicket_LeavesTheTicketOut_WhenItsJobIsInABandAlready()
    {
        // The reconciler pushed the new job while its create's own push was still on its way.
        var job = new QueuedJob(Guid.CreateVersion7(), 3);
        Assert.Equal(1, await _dispatcher.EnqueueAsync([job]));
        Assert.Equal(0, await _dispatcher.EnqueueAsync([job], Tickets((job.Id, "ticket"))));

        var lease = Assert.Single(await _dispatcher.AcquireAsync(Guid.NewGuid(), 10, Lease, NoAging));
        Assert.Equal((job.Id, (string?)null), (lease.JobId, lease.Ticket));
    }

    [Fact]
    public async Task ACreatesPushLandingAfterItsTicketsMayBeAdded_AddsItsJobsWithoutThem()
    {
        // Held up past the ticket's lifetime, the reconciler may have pushed the job, and a worker
        // run and released it: a ticket would start it again unread.
        var late = new QueuedJob(Guid.CreateVersion7(), 3);
        var timely = new QueuedJob(Guid.CreateVersion7(), 3);
        Assert.Equal(1, await _dispatcher.EnqueueAsync([late], new NewJobTickets(new Dictionary<Guid, string> { [late.Id] = "ticket" }, DateTimeOffset.UtcNow.AddSeconds(-5))));
        Assert.Equal(1, await _dispatcher.EnqueueAsync([timely], Tickets((timely.Id, "ticket"))));

        var taken = await _dispatcher.AcquireAsync(Guid.NewGuid(), 10, Lease, NoAging);
        Assert.Equal([(late.Id, (string?)null), (timely.Id, "ticket")], taken.Select(lease => (lease.JobId, lease.Ticket)));
    }

    /// <summary>Tickets of a push that lands in time.</summary>
    private static NewJobTickets Tickets(params (Guid Job, string Ticket)[] tickets) =>
        new(tickets.ToDictionary(ticket => ticket.Job, ticket => ticket.Ticket), DateTimeOffset.UtcNow.AddMinutes(1));

    [Fact]
    public async Task APush_LeavesAJobRedisHolds_InAnyBandOrUnderALease_AndAddsOnlyWhatItHoldsNowhere()
    {
        // A job a worker took and runs; a job waiting in the medium band whose priority has risen
        // since; a job whose push was lost.
        var running = new QueuedJob(Guid.CreateVersion7(), 3);
        var waiting = new QueuedJob(Guid.CreateVersion7(), 3);
        var lost = new QueuedJob(Guid.CreateVersion7(), 3);
        await _dispatcher.EnqueueAsync([running], Tickets((running.Id, "ticket")));
        var holder = Guid.NewGuid();
        var lease = Assert.Single(await _dispatcher.AcquireAsync(holder, 1, Lease, NoAging));
        Assert.Equal(running.Id, lease.JobId);
        await _dispatcher.EnqueueAsync([waiting]);

        Assert.Equal(1, await _dispatcher.EnqueueAsync([running, waiting with { Priority = 5 }, lost]));

        Assert.Equal([waiting.Id, lost.Id], await _dispatcher.BandPageAsync(PriorityBand.Medium, 0, 10));
        Assert.Empty(await _dispatcher.BandPageAsync(PriorityBand.High, 0, 10));
        Assert.Equal(holder, Assert.Single(await _dispatcher.LeasesOfAsync([running.Id])).WorkerId);

        // Once its holder ends the lease, the job can be pushed back.
        Assert.Equal(1, await _dispatcher.ReleaseAsync(holder, [lease]));
        Assert.Equal(1, await _dispatcher.EnqueueAsync([running]));
    }
}
