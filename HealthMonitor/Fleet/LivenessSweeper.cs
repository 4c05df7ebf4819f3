using System.Diagnostics;
using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Workers;
using AspireJobs.HealthMonitor.Leadership;
using AspireJobs.HealthMonitor.Maintenance;
using Microsoft.Extensions.Options;

namespace AspireJobs.HealthMonitor.Fleet;

/// <summary>
/// Crash recovery. A live worker whose Redis heartbeat key expired is declared dead, and the
/// running jobs of dead workers go back to their bands at once, each attempt recorded as
/// abandoned (or, for a job whose workers keep dying under it, quarantined as a dead letter).
/// A job of a killed worker therefore starts again elsewhere within the worker's heartbeat
/// timeout plus one sweep; one a worker left running as it stopped cleanly, within one sweep. If
/// Redis lost its data, every heartbeat key went with it; if Redis or the machine stood still,
/// keys expired while beats waited to be applied: either way no worker is judged until it had
/// time to beat again.
/// </summary>
public sealed partial class LivenessSweeper(
    WorkerStore workers,
    JobStore jobs,
    JobDispatcher dispatcher,
    JobRescue rescue,
    TimeProvider clock,
    IOptions<HealthMonitorOptions> options,
    LeaderElection leader,
    ILogger<LivenessSweeper> logger) : PeriodicService(leader, logger)
{
    private DateTimeOffset _lostAt = DateTimeOffset.MinValue;
    private bool _redisFailed;

    protected override TimeSpan Interval => options.Value.LivenessInterval;

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        bool epochLost;
        TimeSpan redisWait;
        IReadOnlyList<WorkerInfo> live;
        IReadOnlyList<Guid> silentWorkers;
        try
        {
            var epochCall = Stopwatch.GetTimestamp();
            epochLost = await dispatcher.RenewLivenessEpochAsync();
            redisWait = Stopwatch.GetElapsedTime(epochCall);
            live = await workers.WorkerGetLiveAsync(stoppingToken);
            var existsCall = Stopwatch.GetTimestamp();
            silentWorkers = await dispatcher.WithoutHeartbeatAsync(live.Select(w => w.Id).ToList());
            redisWait += Stopwatch.GetElapsedTime(existsCall);
        }
        catch (Exception e) when (RedisFailure.Is(e))
        {
            // Redis refused or failed (down, restarting, loading its data): no beat reached it
            // meanwhile, however quickly it answers once back.
            _redisFailed = true;
            throw;
        }

        // The grace runs from when the loss, the stall or the failure was seen, once Redis
        // answered again: a pass that waited seconds for a restarting Redis must not count those
        // seconds as the workers' time to beat again (it did, and both workers of a wiped Redis
        // were declared dead the moment it came back).
        var now = clock.GetUtcNow();
        if (epochLost)
        {
            _lostAt = now;
            LogEpoch();
        }
        else if (_redisFailed)
        {
            _lostAt = now;
            LogRedisBack();
        }

        _redisFailed = false;

        // Only Redis's answers and this process's own pauses count: a slow PostgreSQL must never
        // hold crash recovery back.
        var stall = redisWait > Lateness ? redisWait : Lateness;
        if (stall > options.Value.LivenessStallTolerance)
        {
            _lostAt = now;
            LogStall((long)stall.TotalMilliseconds);
        }

        var recovered = new List<FinishedJob>();
        foreach (var silent in silentWorkers)
        {
            var worker = live.Single(w => w.Id == silent);
            if (now >= _lostAt + BeatAgainGrace(worker) && await workers.WorkerSetDeadIfLiveAsync(silent, stoppingToken))
            {
                await dispatcher.ForgetDeadWorkerAsync(silent);
                LogDead(worker.Name, silent);
                // The jobs it ran on their leases alone, their starts never written; a lease this
                // misses (Redis failed here) expires, and the reconciler rescues its job then.
                recovered.AddRange(await rescue.RescueLeasesAsync(await dispatcher.LeasesOfWorkerAsync(silent), options.Value.PoisonThreshold, stoppingToken));
            }
        }

        // Every pass, not only after a death: a job whose row was locked at that moment is picked
        // up here, and so is one a worker left running when it stopped (its outcome's write failed).
        IReadOnlyList<OrphanedJob> orphaned;
        do
        {
            orphaned = await jobs.JobGetOrphanedAsync(options.Value.BatchSize, stoppingToken);
            recovered.AddRange(await rescue.FinishAsync(orphaned.Select(job => job.Finish(options.Value.PoisonThreshold)).ToList(), stoppingToken));
        }
        while (orphaned.Count == options.Value.BatchSize && !stoppingToken.IsCancellationRequested);
        if (recovered.Count > 0)
        {
            LogRecovered(
                recovered.Count(job => job.Status == JobStatus.Queued),
                recovered.Count(job => job.Status == JobStatus.DeadLettered),
                recovered.Count(job => job.Status == JobStatus.Cancelled));
        }
    }

    /// <summary>
    /// After Redis lost its data or stood still, how long a worker may go without a key before it
    /// is judged: one and a half of its own heartbeat intervals, and never less than the
    /// configured grace, since a worker must first reconnect to a Redis that came back.
    /// </summary>
    private TimeSpan BeatAgainGrace(WorkerInfo worker)
    {
        var grace = options.Value.RedisLossGrace;
        return worker.Metrics is { HeartbeatInterval: var interval } && interval * 1.5 > grace ? interval * 1.5 : grace;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerName} ({WorkerId}) missed its heartbeat: declared dead")]
    private partial void LogDead(string workerName, Guid workerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Jobs of dead or stopped workers recovered: {Requeued} requeued, {Quarantined} quarantined as poison, {Cancelled} cancelled as requested")]
    private partial void LogRecovered(int requeued, int quarantined, int cancelled);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The liveness view stood still for {StallMs} ms (Redis, this process or the machine was paused): workers get time to beat again before they are judged")]
    private partial void LogStall(long stallMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis holds no liveness marker (first start, or it lost its data): workers get time to beat again before they are judged")]
    private partial void LogEpoch();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis answers again after failing: workers get time to beat again before they are judged")]
    private partial void LogRedisBack();
}
