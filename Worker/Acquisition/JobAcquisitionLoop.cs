using System.Collections.Concurrent;
using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Telemetry;
using AspireJobs.Core.Workers;
using AspireJobs.Worker.Execution;
using AspireJobs.Worker.Handlers;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AspireJobs.Worker.Acquisition;

/// <summary>
/// The worker's pull loop. While it has free slots it takes jobs from Redis (never more than it
/// has slots for) and runs each on its own task at once: a new job's ticket comes with its lease,
/// other jobs are read from PostgreSQL (a read, no write). The Redis lease starts a job; its start
/// is written later (see <see cref="JobExecutor"/>). When the
/// bands are empty it is marked idle and sleeps until an enqueue wakes it on its own pub/sub
/// channel (one idle worker per job, not all of them), or until the slow safety poll; there is
/// no tight polling. On shutdown it stops taking jobs, lets running ones finish
/// for a grace period, and hands the rest back to their bands (not counted as failures).
/// </summary>
public sealed partial class JobAcquisitionLoop(
    JobDispatcher dispatcher,
    RedisFollowUp followUp,
    JobStore store,
    WorkerStore workers,
    JobExecutor executor,
    JobHandlerRegistry handlers,
    WorkerIdentity identity,
    TimeProvider clock,
    IOptions<WorkerOptions> options,
    ILogger<JobAcquisitionLoop> logger) : BackgroundService
{
    private static readonly TimeSpan ErrorBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan GatherDelay = TimeSpan.FromMilliseconds(1);

    private readonly WorkerOptions _options = options.Value;
    private readonly Signal _wake = new();
    private readonly Signal _slotFreed = new();
    // By lease, not by job: after Redis lost a lease this worker runs under, it may take a new
    // lease of the same job while the first run goes on. Each run keeps its own entry, and ends,
    // extends and releases only its own lease.
    private readonly ConcurrentDictionary<JobLease, RunningJob> _running = new();
    // Leases of jobs whose outcome could not be written before their start (RunningJob.LeaseKept),
    // by job and fence: left to lapse and to the reconciler, never given back. Forgotten once Redis
    // no longer holds them (a few per outage of PostgreSQL).
    private readonly ConcurrentDictionary<(Guid JobId, long Fence), byte> _lapsing = new();

    // Jobs between their lease and their entry in _running.
    private readonly ConcurrentDictionary<Guid, byte> _starting = new();

    // Acquisitions begun, and the one in flight (0 between them): only the loop writes them.
    private long _acquisitions;
    private long _acquiring;

    // An acquisition failed in Redis, perhaps after its script ran, or a give-back did: Redis may
    // hold leases this worker does not run. Only the loop reads and writes it (and StopAsync,
    // once the loop has ended).
    private bool _leasesUnknown;

    // Cancellations heard while an acquisition was in flight, by job, with its number. Pub/sub
    // has a connection of its own, so the cancellation of a job the acquisition leased can arrive
    // before the lease has answered. Only then, as a rule: the Api takes a job out of its band
    // before it publishes, so an acquisition begun after the cancellation was heard finds it
    // only if that removal failed, and then reads the job's row first unless it has a ticket.
    private readonly ConcurrentDictionary<Guid, long> _cancelledWhileAcquiring = new();
    private readonly HashSet<string> _handledTypes = new(handlers.Types, StringComparer.Ordinal);
    private volatile bool _draining;
    private double _healthScore = 1;
    private int _handlersRunning;

    /// <summary>Jobs this worker holds now: running, or done and having their outcome written.</summary>
    public int InFlight => _running.Count;

    /// <summary>The leases its running jobs run under: those its heartbeat extends.</summary>
    public IReadOnlyCollection<JobLease> RunningLeases => [.. _running.Keys];

    /// <summary>The jobs it runs and those it is starting: every job PostgreSQL may rightly say it runs.</summary>
    public IReadOnlyCollection<Guid> HeldJobIds => [.. _running.Keys.Select(lease => lease.JobId).Concat(_starting.Keys).Distinct()];

    /// <summary>
    /// How many jobs this worker takes on at once. Health-aware: a degraded worker takes fewer
    /// (in proportion to its health score, never fewer than a quarter), so healthier workers
    /// get more of the work.
    /// </summary>
    public int EffectiveConcurrency => _options.HealthAwareAcquisition
        ? Math.Max(1, (int)Math.Ceiling(_options.Concurrency * Math.Clamp(Volatile.Read(ref _healthScore), 0.25, 1)))
        : _options.Concurrency;

    /// <summary>Stops taking jobs; those running finish normally.</summary>
    public void Drain()
    {
        if (!_draining)
        {
            _draining = true;
            LogDraining(InFlight);
            _wake.Set();
            _ = LeaveIdleAsync();
        }
    }

    // An enqueue must not count on a worker that takes no more jobs.
    // A worker left in the idle set only costs an enqueue one wasted wake-up.
    private Task<bool> LeaveIdleAsync() => followUp.TryAsync(() => dispatcher.LeaveIdleAsync(identity.Id), "this worker out of the idle set");

    /// <summary>Stops taking jobs and hands every running job back now.</summary>
    public void Evacuate()
    {
        Drain();
        foreach (var running in _running.Values)
        {
            running.Stop(StopReason.HandedBack);
        }
    }

    /// <summary>
    /// The score the monitor gave this worker. A better one frees slots at once: the loop, which
    /// may be waiting for a slot to free, looks again (otherwise a worker scored down once, say
    /// while it started, ran at a quarter of its slots until one of its long jobs ended).
    /// </summary>
    public void SetHealthScore(double score)
    {
        var before = EffectiveConcurrency;
        Volatile.Write(ref _healthScore, score);
        if (EffectiveConcurrency > before)
        {
            _slotFreed.Set();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RedisSubscribing.NowOrOnReconnectAsync(() => dispatcher.SubscribeToWakeUpsAsync(identity.Id, _wake.Set), "this worker's wake-ups", logger);
        await RedisSubscribing.NowOrOnReconnectAsync(() => dispatcher.SubscribeToCancellationsAsync(Cancel), "cancellations", logger);

        var fairness = _options.Fairness;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (_leasesUnknown && !await GiveBackUnknownLeasesAsync())
            {
                await Task.Delay(ErrorBackoff, stoppingToken); // Redis still failing: no acquisition would fare better
                continue;
            }

            if (_draining)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, stoppingToken);
            }

            var free = FreeSlots();
            if (free <= 0)
            {
                await _slotFreed.WaitAsync(Timeout.InfiniteTimeSpan, stoppingToken);
                continue;
            }

            if (free < _options.AcquireBatchSize / 2 && InFlight > 0)
            {
                // Busy: let more slots free up for a moment, so one acquisition and one start
                // carry many jobs rather than one each. An idle worker takes a job at once.
                await Task.Delay(GatherDelay, stoppingToken);
                free = FreeSlots();
            }

            var wanted = Math.Min(free, _options.AcquireBatchSize);
            _wake.Reset();
            int taken;
            try
            {
                taken = await AcquireAndStartAsync(wanted, fairness, stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException || RedisFailure.Is(e))
            {
                // Redis's failures reach here from the acquisition only (a give-back's are logged where they happen).
                _leasesUnknown |= e is not NpgsqlException;
                LogAcquireFailed(RedisFailure.Describe(e));
                await Task.Delay(ErrorBackoff, stoppingToken);
                continue;
            }

            if (taken < wanted)
            {
                // The bands ran dry: sleep until an enqueue wakes us (or a missed wake is caught).
                await _wake.WaitAsync(_options.SafetyPollInterval, stoppingToken);
            }
        }
    }

    /// <summary>
    /// Slots are for handlers: one whose handler is done is free while its outcome is written
    /// (in a batch, with others). Jobs awaiting their write count against a second allowance of
    /// the same size, so a slow database slows acquisition instead of piling up leased jobs.
    /// </summary>
    private int FreeSlots()
    {
        var concurrency = EffectiveConcurrency;
        return Math.Min(concurrency - Volatile.Read(ref _handlersRunning), 2 * concurrency - InFlight);
    }

    /// <summary>Stops a job a client cancelled, if this worker runs it, or once the lease in flight brings it.</summary>
    public void Cancel(Guid jobId)
    {
        // Noted before looked up; Run enters the table before it reads the note. Whichever
        // order the two interleave in, one of them sees the other.
        if (Volatile.Read(ref _acquiring) is var acquisition and not 0)
        {
            _cancelledWhileAcquiring[jobId] = acquisition;
        }

        foreach (var running in _running.Values.Where(running => running.Job.Id == jobId))
        {
            running.Stop(StopReason.Cancelled);
        }
    }

    private void HandlerDone()
    {
        Interlocked.Decrement(ref _handlersRunning);
        _slotFreed.Set();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken); // no more acquisitions
        if (_leasesUnknown)
        {
            await GiveBackUnknownLeasesAsync();
        }

        await LeaveIdleAsync();
        var graceEnds = Task.Delay(_options.ShutdownGracePeriod, cancellationToken);
        var allDone = Task.WhenAll(_running.Values.Select(r => r.Finished));
        if (await Task.WhenAny(allDone, graceEnds) == allDone)
        {
            return;
        }

        var remaining = _running.Values.ToList();
        LogHandingBack(remaining.Count, _options.ShutdownGracePeriod.TotalSeconds);
        foreach (var running in remaining)
        {
            running.Stop(StopReason.HandedBack);
        }

        await Task.WhenAll(remaining.Select(r => r.Finished)).WaitAsync(cancellationToken);
    }

    /// <summary>Returns how many jobs Redis handed over (startable or not), so the caller knows whether the bands ran dry.</summary>
    private async Task<int> AcquireAndStartAsync(int wanted, FairnessPolicy fairness, CancellationToken stoppingToken)
    {
        var requestedAt = DateTimeOffset.UtcNow; // spans are stamped in real time, whatever the worker's clock
        Volatile.Write(ref _acquiring, ++_acquisitions);
        IReadOnlyList<JobLease> leases = [];
        var started = new HashSet<Guid>();
        try
        {
            leases = await dispatcher.AcquireAsync(identity.Id, wanted, _options.EffectiveLeaseLength, fairness);
            if (leases.Count == 0)
            {
                return 0;
            }

            foreach (var job in await StartAsync(leases, started, requestedAt, stoppingToken))
            {
                await SetAsideAsync(job, leases.First(lease => lease.JobId == job.Id), stoppingToken);
            }

            return leases.Count;
        }
        finally
        {
            Volatile.Write(ref _acquiring, 0);
            if (!_cancelledWhileAcquiring.IsEmpty)
            {
                _cancelledWhileAcquiring.Clear(); // a note still being added names this acquisition, and stops no later one
            }

            // Every lease not started goes back at once, whatever stopped its start (cancelled,
            // finished, set aside, PostgreSQL away, a shutdown): the reconciler's next pass puts
            // its job back in its band. One left to expire would be rescued as an attempt that
            // may have run, and counted against a job that never did.
            if (started.Count < leases.Count)
            {
                await GiveBackAsync(leases.Where(lease => !started.Contains(lease.JobId)).ToList());
            }
        }
    }

    private async Task GiveBackAsync(List<JobLease> unstarted)
    {
        try
        {
            await dispatcher.ReleaseAsync(identity.Id, unstarted);
        }
        catch (Exception e) when (RedisFailure.Is(e))
        {
            LogGiveBackFailed(unstarted.Count, RedisFailure.Describe(e));
            _leasesUnknown = true; // looked for again before the next acquisition
        }
    }

    /// <summary>
    /// Gives back the leases Redis says this worker holds that it does not run: those an
    /// acquisition took whose answer was lost (a timeout after its script ran). Left to expire,
    /// each would be rescued as an attempt that may have run. False when Redis could not answer.
    /// </summary>
    private async Task<bool> GiveBackUnknownLeasesAsync()
    {
        try
        {
            var running = _running.Keys.Select(lease => (lease.JobId, lease.Fence)).ToHashSet();
            var held = (await dispatcher.LeasesOfWorkerAsync(identity.Id)).Select(held => (held.Lease.JobId, held.Lease.Fence)).ToHashSet();
            foreach (var (dropped, _) in _lapsing.Where(kept => !held.Contains(kept.Key)))
            {
                _lapsing.TryRemove(dropped, out _); // lapsed, and its attempt rescued
            }

            // Neither running nor left to lapse.
            var unknown = held.Where(lease => !running.Contains(lease) && !_lapsing.ContainsKey(lease))
                .Select(lease => new JobLease(lease.JobId, lease.Fence))
                .ToList();

            if (unknown.Count > 0)
            {
                await dispatcher.ReleaseAsync(identity.Id, unknown);
                LogUnknownLeasesGivenBack(unknown.Count);
            }

            _leasesUnknown = false;
            return true;
        }
        catch (Exception e) when (RedisFailure.Is(e))
        {
            LogUnknownLeasesNotRead(RedisFailure.Describe(e));
            return false;
        }
    }

    /// <summary>
    /// Starts the leased jobs it may (adding them to <paramref name="started"/>): new jobs on their
    /// tickets, at once, and the rest once read. Returns those of types this worker does not run.
    /// </summary>
    private async Task<IReadOnlyList<UnhandledJob>> StartAsync(IReadOnlyList<JobLease> leases, HashSet<Guid> started, DateTimeOffset requestedAt, CancellationToken stoppingToken)
    {
        foreach (var lease in leases)
        {
            _starting[lease.JobId] = 0;
        }

        try
        {
            var now = clock.GetUtcNow();
            var unread = new List<JobLease>();
            foreach (var lease in leases)
            {
                if (lease.Ticket is { } ticket && JobTicket.Read(ticket, lease, identity.Id, now, _options.LeaseGrace) is { } job
                    && _handledTypes.Contains(job.Type))
                {
                    if (Start(job, requestedAt))
                    {
                        started.Add(job.Id);
                    }
                }
                else
                {
                    unread.Add(lease);
                }
            }

            if (unread.Count == 0)
            {
                return [];
            }

            var read = await store.JobGetStartableAsync(unread, identity.Id, _options.LeaseGrace, _handledTypes, stoppingToken);
            foreach (var job in read.Started)
            {
                if (Start(job, requestedAt))
                {
                    started.Add(job.Id);
                }
            }

            return read.Unhandled;
        }
        finally
        {
            foreach (var lease in leases)
            {
                _starting.TryRemove(lease.JobId, out _);
            }
        }
    }

    /// <summary>
    /// A job of a type this worker does not run: if another active worker runs it, it is offered
    /// again after a short deferral; if none does, it is parked (queued, visibly, out of the bands)
    /// until a worker that runs the type registers. Both writes are fenced by the lease the job was
    /// read under, so a worker that was away meanwhile changes nothing.
    /// </summary>
    private async Task SetAsideAsync(UnhandledJob job, JobLease lease, CancellationToken stoppingToken)
    {
        if (await workers.WorkerAnyActiveHandlesTypeAsync(job.Type, stoppingToken))
        {
            await store.JobSetScheduledIfQueuedAsync(lease, _options.UnhandledTypeDeferral,
                $"Worker {identity.Name} does not run type '{job.Type}'; offered again later.", stoppingToken);
        }
        else if (await store.JobSetParkedIfQueuedAsync(lease, $"No active worker runs job type '{job.Type}'. The job waits until one registers.", stoppingToken))
        {
            LogParked(job.Id, job.Type);
            // A worker for the type may have registered after the check above, its unparking
            // done before this parking committed: looked for again, it unparks the job itself,
            // its own lease given back first (a push skips a job under a lease).
            if (await workers.WorkerAnyActiveHandlesTypeAsync(job.Type, stoppingToken))
            {
                var unparked = await store.JobSetUnparkedForTypesAsync([job.Type], stoppingToken);
                await followUp.TryAsync(async () =>
                {
                    await dispatcher.ReleaseAsync(identity.Id, [lease]);
                    await dispatcher.EnqueueAsync(unparked);
                }, $"jobs of type '{job.Type}' unparked");
            }
        }
    }

    /// <summary>Runs a job just leased; false when it was cancelled as its lease came, and is not run.</summary>
    private bool Start(StartedJob job, DateTimeOffset requestedAt)
    {
        JobsTracing.RecordReceive(job, requestedAt, DateTimeOffset.UtcNow);

        // In the table before it runs, so a cancellation or a shutdown always finds it.
        var running = new RunningJob(job, HandlerDone, clock);
        Interlocked.Increment(ref _handlersRunning);
        _running[job.Lease] = running;
        _starting.TryRemove(job.Id, out _);
        if (_cancelledWhileAcquiring.TryGetValue(job.Id, out var heardDuring) && heardDuring == _acquisitions)
        {
            // Not run, and nothing of it written: PostgreSQL holds the cancellation, and its
            // lease goes back unstarted. (Recorded as a cancelled run, a job restored since the
            // cancellation, and leased again before the worker heard it, would be cancelled twice.)
            Forget(running);
            return false;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await executor.RunAsync(running);
            }
            catch (Exception e) when (e is NpgsqlException || RedisFailure.Is(e))
            {
                LogRunFailed(job.Id, RedisFailure.Describe(e));
            }
            finally
            {
                Forget(running);
            }
        }, CancellationToken.None);
        return true;
    }

    /// <summary>Out of the table, its slot free; a lease it keeps is remembered until Redis no longer holds it.</summary>
    private void Forget(RunningJob running)
    {
        if (running.LeaseKept)
        {
            _lapsing.TryAdd((running.Job.Lease.JobId, running.Job.Lease.Fence), 0);
        }

        _running.TryRemove(running.Job.Lease, out _);
        running.Dispose();
        running.MarkFinished();
        _slotFreed.Set();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not take jobs ({Reason}); trying again shortly")]
    private partial void LogAcquireFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not give back the leases of {Count} jobs not started ({Reason}); looking for them again before the next acquisition")]
    private partial void LogGiveBackFailed(int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gave back {Count} leases an acquisition whose answer was lost had taken")]
    private partial void LogUnknownLeasesGivenBack(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not look for leases an acquisition whose answer was lost may have taken ({Reason}); looking again before the next acquisition")]
    private partial void LogUnknownLeasesNotRead(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} could not be finished ({Reason}); it will be rescued when its lease expires or this worker stops")]
    private partial void LogRunFailed(Guid jobId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: handing {Count} running jobs back after a {GraceSeconds} s grace period")]
    private partial void LogHandingBack(int count, double graceSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Draining: taking no more jobs; {Running} still running")]
    private partial void LogDraining(int running);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} parked: no active worker runs type {JobType}")]
    private partial void LogParked(Guid jobId, string jobType);
}
