using System.Globalization;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Workflows;
using StackExchange.Redis;

namespace AspireJobs.Core.Dispatch;

/// <summary>
/// The Redis dispatch index: which queued jobs are ready, in which band, and which worker holds
/// a lease on which job. It is an index only; PostgreSQL decides what a job's state is, and the
/// reconciler rebuilds this index from it when they disagree.
/// </summary>
public sealed class JobDispatcher(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider clock)
{
    private static readonly RedisScript EnqueueScript = RedisScript.Load("enqueue.lua");
    private static readonly RedisScript AcquireScript = RedisScript.Load("acquire.lua");
    private static readonly RedisScript ReleaseScript = RedisScript.Load("release.lua");
    private static readonly RedisScript DequeueScript = RedisScript.Load("dequeue.lua");
    private static readonly RedisScript MissingScript = RedisScript.Load("missing.lua");
    private static readonly RedisScript DropLeasesScript = RedisScript.Load("drop-leases.lua");
    private static readonly RedisScript ExpiredLeasesScript = RedisScript.Load("expired-leases.lua");
    private static readonly RedisScript HeartbeatScript = RedisScript.Load("heartbeat.lua");
    private static readonly RedisScript OrderScript = RedisScript.Load("order.lua");
    private static readonly RedisScript MoveScript = RedisScript.Load("move.lua");

    public RedisKeys Keys => keys;

    private IDatabase Database => redis.GetDatabase();

    /// <summary>
    /// False while the client holds no connection to Redis (it is down, or restarting): a command
    /// sent then waits in the client's backlog for a connection, up to its timeout.
    /// </summary>
    public bool IsConnected => redis.IsConnected;

    /// <summary>The three keys a lease lives in: deadlines, holders and fence tokens.</summary>
    private RedisKey[] LeaseKeys => [keys.Leases, keys.LeaseOwners, keys.LeaseFences];

    /// <summary>
    /// Adds jobs to their bands and wakes workers; with the <paramref name="tickets"/> of those
    /// that have one (new jobs), so their pickup reads nothing else, unless the push lands after
    /// <see cref="NewJobTickets.AddBy"/>. A job Redis holds already, in any band or under a lease,
    /// is left as it is (see enqueue.lua). Returns how many were added.
    /// </summary>
    public async Task<long> EnqueueAsync(IReadOnlyCollection<QueuedJob> jobs, NewJobTickets? tickets = null)
    {
        if (jobs.Count == 0)
        {
            return 0;
        }

        var (scriptKeys, values) = EnqueueArguments(jobs, tickets);
        return (long)await EnqueueScript.EvaluateAsync(Database, scriptKeys, values);
    }

    /// <summary>
    /// Follows a committed change of the graph: released dependents go to their bands, and queued
    /// jobs whose effective priority changed move to the band it falls in.
    /// </summary>
    public async Task ApplyAsync(WorkflowChanges changes)
    {
        if (changes.Released.Count > 0)
        {
            await EnqueueAsync(changes.Released);
        }

        await MoveAsync(changes.Reprioritized);
    }

    /// <summary>
    /// Follows committed finishes: jobs queued again (handed back, rescued) go back to their
    /// bands, and the graph's changes are applied. The leases are the caller's to end.
    /// </summary>
    public async Task FollowAsync(JobFinishResult result)
    {
        await EnqueueAsync(result.Finished.Where(job => job.Status == JobStatus.Queued).Select(job => new QueuedJob(job.Id, job.Priority)).ToList());
        await ApplyAsync(result.Workflow);
    }

    /// <summary>Moves queued jobs to the bands of the priorities given, keeping their place in time; a job in no band is left alone.</summary>
    public async Task<long> MoveAsync(IReadOnlyCollection<QueuedJob> jobs) =>
        jobs.Count == 0 ? 0 : (long)await MoveScript.EvaluateAsync(Database, keys.Bands, BandPairs(jobs, 0));

    /// <summary>Takes up to <paramref name="maxJobs"/> jobs for a worker and leases them to it, each under a new fence token.</summary>
    public async Task<IReadOnlyList<JobLease>> AcquireAsync(Guid workerId, int maxJobs, TimeSpan leaseLength, FairnessPolicy policy)
    {
        var (scriptKeys, values) = AcquireArguments(workerId, maxJobs, leaseLength, policy);
        var taken = (RedisResult[])(await AcquireScript.EvaluateAsync(Database, scriptKeys, values))!;
        var leases = new JobLease[taken.Length / 3];
        for (var i = 0; i < leases.Length; i++)
        {
            var ticket = (string?)taken[3 * i + 2];
            leases[i] = new JobLease(Guid.Parse((string)taken[3 * i]!), long.Parse((string)taken[3 * i + 1]!, CultureInfo.InvariantCulture))
            {
                Ticket = string.IsNullOrEmpty(ticket) ? null : ticket,
            };
        }

        return leases;
    }

    /// <summary>The leases of these jobs that Redis still holds: their fence tokens and their holders.</summary>
    public async Task<IReadOnlyList<HeldLease>> LeasesOfAsync(IReadOnlyCollection<Guid> jobIds)
    {
        if (jobIds.Count == 0)
        {
            return [];
        }

        var batch = Database.CreateBatch();
        var fences = batch.HashGetAsync(keys.LeaseFences, Ids(jobIds));
        var owners = batch.HashGetAsync(keys.LeaseOwners, Ids(jobIds));
        batch.Execute();
        var (fenceOf, ownerOf) = (await fences, await owners);
        return jobIds
            .Select((id, i) => (id, fence: fenceOf[i], owner: ownerOf[i]))
            .Where(lease => lease.fence.HasValue && lease.owner.HasValue)
            .Select(lease => new HeldLease(new JobLease(lease.id, (long)lease.fence), Guid.Parse((string)lease.owner!)))
            .ToList();
    }

    /// <summary>The leases a worker holds: after it died, the jobs it may have started without writing so.</summary>
    public async Task<IReadOnlyList<HeldLease>> LeasesOfWorkerAsync(Guid workerId)
    {
        var owner = (RedisValue)workerId.ToString();
        var held = (await Database.HashGetAllAsync(keys.LeaseOwners))
            .Where(entry => entry.Value == owner)
            .Select(entry => Guid.Parse((string)entry.Name!))
            .ToList();
        // Read again with their fences: a job whose lease ended between the two reads may be
        // another worker's by now, and is not this one's to rescue or give back.
        return [.. (await LeasesOfAsync(held)).Where(lease => lease.WorkerId == workerId)];
    }

    /// <summary>
    /// Ends these leases of a worker, each named by its job and fence token: a lease another
    /// worker holds, or a newer lease of the same job, is left alone (see release.lua).
    /// </summary>
    public async Task<long> ReleaseAsync(Guid workerId, IReadOnlyCollection<JobLease> leases) =>
        leases.Count == 0 ? 0 : (long)await ReleaseScript.EvaluateAsync(Database, LeaseKeys, LeaseValues(workerId, leases));

    /// <summary>Takes jobs out of every band; returns how many entries were removed.</summary>
    public async Task<long> DequeueAsync(IReadOnlyCollection<Guid> jobIds) =>
        jobIds.Count == 0 ? 0 : (long)await DequeueScript.EvaluateAsync(Database, [.. keys.Bands, keys.Tickets], Ids(jobIds));

    /// <summary>Which of these jobs Redis holds neither in a band nor under a lease.</summary>
    public async Task<IReadOnlyList<Guid>> FindMissingAsync(IReadOnlyCollection<Guid> jobIds)
    {
        if (jobIds.Count == 0)
        {
            return [];
        }

        var missing = (RedisResult[])(await MissingScript.EvaluateAsync(Database, [.. keys.Bands, keys.Leases], Ids(jobIds)))!;
        return missing.Select(id => Guid.Parse((string)id!)).ToList();
    }

    /// <summary>
    /// Ends these leases, or older ones of their jobs, whoever holds them; a newer lease of a job
    /// is left alone (see drop-leases.lua). Returns how many.
    /// </summary>
    public async Task<long> DropLeasesAsync(IReadOnlyCollection<JobLease> leases) =>
        leases.Count == 0 ? 0 : (long)await DropLeasesScript.EvaluateAsync(Database, LeaseKeys, LeaseValues(leases));

    /// <summary>A page of a band's entries by rank, oldest first.</summary>
    public async Task<IReadOnlyList<Guid>> BandPageAsync(PriorityBand band, long start, int count) =>
        (await Database.SortedSetRangeByRankAsync(keys.Band(band), start, start + count - 1)).Select(id => Guid.Parse((string)id!)).ToList();

    /// <summary>
    /// Leases whose deadline has passed (up to <paramref name="count"/>), each with its fence and
    /// holder, read in one step (see expired-leases.lua). A lease whose fence or holder Redis lacks
    /// (none is written so) comes with fence 0 or an empty holder.
    /// </summary>
    public async Task<IReadOnlyList<HeldLease>> ExpiredLeasesAsync(DateTimeOffset now, int count)
    {
        var found = (RedisResult[])(await ExpiredLeasesScript.EvaluateAsync(Database, LeaseKeys, [now.ToUnixTimeMilliseconds(), count]))!;
        var expired = new List<HeldLease>(found.Length / 3);
        for (var i = 0; i < found.Length; i += 3)
        {
            var holder = (string)found[i + 2]!;
            expired.Add(new HeldLease(new JobLease(Guid.Parse((string)found[i]!), (long)found[i + 1]), holder.Length == 0 ? Guid.Empty : Guid.Parse(holder)));
        }

        return expired;
    }

    /// <summary>How many leases Redis holds.</summary>
    public Task<long> LeaseCountAsync() => Database.SortedSetLengthAsync(keys.Leases);

    /// <summary>How many jobs wait in each band.</summary>
    public async Task<(long High, long Medium, long Low)> BandLengthsAsync()
    {
        var batch = Database.CreateBatch();
        var high = batch.SortedSetLengthAsync(keys.High);
        var medium = batch.SortedSetLengthAsync(keys.Medium);
        var low = batch.SortedSetLengthAsync(keys.Low);
        batch.Execute();
        return (await high, await medium, await low);
    }

    /// <summary>Subscribes a worker to its wake channel: an enqueue wakes it there when it is idle.</summary>
    public async Task SubscribeToWakeUpsAsync(Guid workerId, Action onWake)
    {
        var subscriber = redis.GetSubscriber();
        await subscriber.SubscribeAsync(keys.WakeChannel(workerId), (_, _) => onWake());
    }

    /// <summary>Takes a worker off the idle set (it is stopping, or draining).</summary>
    public Task LeaveIdleAsync(Guid workerId) => Database.SetRemoveAsync(keys.IdleWorkers, workerId.ToString());

    /// <summary>Tells every worker that a running job was cancelled; the one running it stops it.</summary>
    public Task PublishCancellationAsync(Guid jobId) =>
        redis.GetSubscriber().PublishAsync(keys.CancelChannel, jobId.ToString());

    public async Task SubscribeToCancellationsAsync(Action<Guid> onCancel)
    {
        var subscriber = redis.GetSubscriber();
        await subscriber.SubscribeAsync(keys.CancelChannel, (_, message) =>
        {
            if (Guid.TryParse((string?)message, out var jobId))
            {
                onCancel(jobId);
            }
        });
    }

    /// <summary>Beats a worker's heartbeat (expiring after <paramref name="timeout"/>) and extends the leases it runs its jobs under, those it still holds.</summary>
    public async Task HeartbeatAsync(Guid workerId, TimeSpan timeout, TimeSpan leaseLength, IReadOnlyCollection<JobLease> running)
    {
        var values = LeaseValues(workerId, running, (long)timeout.TotalMilliseconds, (long)leaseLength.TotalMilliseconds, NowMs);
        await HeartbeatScript.EvaluateAsync(Database, [keys.Heartbeat(workerId), .. LeaseKeys], values);
    }

    /// <summary>Which of these workers have no live heartbeat key.</summary>
    public async Task<IReadOnlyList<Guid>> WithoutHeartbeatAsync(IReadOnlyCollection<Guid> workerIds)
    {
        var batch = Database.CreateBatch();
        var checks = workerIds.Select(id => (id, exists: batch.KeyExistsAsync(keys.Heartbeat(id)))).ToList();
        batch.Execute();
        var silent = new List<Guid>();
        foreach (var (id, exists) in checks)
        {
            if (!await exists)
            {
                silent.Add(id);
            }
        }

        return silent;
    }

    /// <summary>
    /// Redis's own clock. What a create's push may still add is judged on it (enqueue.lua), so
    /// the reconciler judges which new jobs it may push on it too, whatever the services' clocks say.
    /// </summary>
    public async Task<DateTimeOffset> RedisTimeAsync()
    {
        var time = (RedisResult[])(await Database.ExecuteAsync("TIME"))!;
        return DateTimeOffset.UnixEpoch.AddTicks((long)time[0] * TimeSpan.TicksPerSecond + (long)time[1] * TimeSpan.TicksPerMicrosecond);
    }

    /// <summary>Sets the liveness marker; true when it was missing (Redis lost its data, or this is the first check).</summary>
    public Task<bool> RenewLivenessEpochAsync() =>
        Database.StringSetAsync(keys.LivenessEpoch, NowMs, when: When.NotExists);

    /// <summary>
    /// Sends an order to one worker over the control channel, and from the same moment leases it
    /// no new job, however late it reads the order.
    /// </summary>
    public Task OrderAsync(WorkerOrder order, Guid workerId) =>
        OrderScript.EvaluateAsync(
            Database,
            [keys.ClosedWorkers, keys.IdleWorkers],
            [workerId.ToString(), keys.ControlChannel.ToString(), $"{(order == WorkerOrder.Drain ? "drain" : "exit")}:{workerId}"]);

    /// <summary>Forgets a worker that stopped or died: it is no longer idle, nor closed.</summary>
    public Task ForgetWorkerAsync(Guid workerId) =>
        Task.WhenAll(LeaveIdleAsync(workerId), Database.SetRemoveAsync(keys.ClosedWorkers, workerId.ToString()));

    /// <summary>
    /// How long a worker declared dead is refused jobs: a worker that was only paused hears it at
    /// its next report (<c>Worker:MetricsInterval</c>, seconds) and exits, but may try to take
    /// jobs before that report, however long it was paused (a stopped container, a suspended
    /// machine). The mark then expires by itself, as a crashed worker never removes anything: a
    /// key of some 60 bytes per death, for a day.
    /// </summary>
    public static readonly TimeSpan DeadMarkLifetime = TimeSpan.FromDays(1);

    /// <summary>Forgets a worker declared dead, and refuses it jobs should it come back (<see cref="RedisKeys.DeadMark"/>).</summary>
    public Task ForgetDeadWorkerAsync(Guid workerId) =>
        Task.WhenAll(ForgetWorkerAsync(workerId), Database.StringSetAsync(keys.DeadMark(workerId), 1, DeadMarkLifetime));

    /// <summary>Receives the orders addressed to <paramref name="workerId"/>.</summary>
    public async Task SubscribeToControlAsync(Guid workerId, Action<WorkerOrder> onOrder)
    {
        var drain = $"drain:{workerId}";
        var exit = $"exit:{workerId}";
        await redis.GetSubscriber().SubscribeAsync(keys.ControlChannel, (_, message) =>
        {
            var text = (string?)message;
            if (text == drain)
            {
                onOrder(WorkerOrder.Drain);
            }
            else if (text == exit)
            {
                onOrder(WorkerOrder.Exit);
            }
        });
    }

    /// <summary>Now on the one clock of this process, in ms, for the scripts that need time.</summary>
    private long NowMs => clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>(job id, band number) pairs after <paramref name="lead"/> leading slots.</summary>
    private static RedisValue[] BandPairs(IReadOnlyCollection<QueuedJob> jobs, int lead)
    {
        var values = new RedisValue[lead + jobs.Count * 2];
        var i = lead;
        foreach (var job in jobs)
        {
            values[i++] = job.Id.ToString();
            values[i++] = (int)job.Band + 1;
        }

        return values;
    }

    private static RedisValue[] Ids(IReadOnlyCollection<Guid> jobIds) => jobIds.Select(id => (RedisValue)id.ToString()).ToArray();

    private (RedisKey[] Keys, RedisValue[] Values) EnqueueArguments(IReadOnlyCollection<QueuedJob> jobs, NewJobTickets? tickets)
    {
        var values = new RedisValue[3 + jobs.Count * 3];
        values[0] = keys.WakeChannelPrefix;
        values[1] = NowMs;
        values[2] = tickets is null ? 0 : (tickets.AddBy.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
        var i = 3;
        foreach (var job in jobs)
        {
            values[i++] = job.Id.ToString();
            values[i++] = (int)job.Band + 1;
            values[i++] = tickets is not null && tickets.ByJob.TryGetValue(job.Id, out var ticket) ? ticket : "";
        }

        return ([keys.High, keys.Medium, keys.Low, keys.EnqueueClock, keys.IdleWorkers, keys.Tickets, keys.Leases], values);
    }

    internal (RedisKey[] Keys, RedisValue[] Values) AcquireArguments(
        Guid workerId, int maxJobs, TimeSpan leaseLength, FairnessPolicy policy) =>
        ([keys.High, keys.Medium, keys.Low, keys.Leases, keys.LeaseOwners, keys.FairnessCursor, keys.IdleWorkers, keys.ClosedWorkers, keys.FenceClock, keys.LeaseFences, keys.Tickets, keys.DeadMark(workerId), keys.AgingTurn],
        [
            workerId.ToString(), maxJobs, (long)leaseLength.TotalMilliseconds,
            policy.HighWeight, policy.MediumWeight, policy.LowWeight,
            (long)policy.StarvationLimit.TotalMilliseconds, NowMs,
        ]);

    /// <summary>The worker, then <paramref name="arguments"/>, then each lease as its job id and fence token.</summary>
    private static RedisValue[] LeaseValues(Guid workerId, IReadOnlyCollection<JobLease> leases, params ReadOnlySpan<RedisValue> arguments) =>
        LeaseValues(leases, [workerId.ToString(), .. arguments]);

    /// <summary><paramref name="arguments"/>, then each lease as its job id and fence token.</summary>
    private static RedisValue[] LeaseValues(IReadOnlyCollection<JobLease> leases, params ReadOnlySpan<RedisValue> arguments)
    {
        var values = new RedisValue[arguments.Length + 2 * leases.Count];
        arguments.CopyTo(values);
        var i = arguments.Length;
        foreach (var lease in leases)
        {
            values[i++] = lease.JobId.ToString();
            values[i++] = lease.Fence;
        }

        return values;
    }
}
