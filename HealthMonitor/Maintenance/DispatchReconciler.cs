using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.HealthMonitor.Leadership;
using Microsoft.Extensions.Options;

namespace AspireJobs.HealthMonitor.Maintenance;

/// <summary>
/// Keeps Redis, the dispatch index, true to PostgreSQL, the record, in both directions: every
/// queued job must be in a band or under a lease (a lost push, a Redis restart that lost data,
/// a FLUSHALL), and every band entry must be a queued job (a leftover of a cancelled or finished
/// job); an expired Redis lease on a job that no longer runs is dropped. A push adds nothing for
/// a job Redis holds in a band or under a lease (enqueue.lua), so racing a live enqueue is
/// harmless while the job waits or runs; a job just created is still left to its create's push
/// for <see cref="HealthMonitorOptions.CreatePushGrace"/>, judged on Redis's clock: that push adds
/// its tickets only within <see cref="JobTicket.Lifetime"/> of the creation on the same clock (see
/// <see cref="NewJobTickets"/>), so no ticket lands after the reconciler pushed the job.
/// </summary>
public sealed partial class DispatchReconciler(JobStore store, JobDispatcher dispatcher, JobRescue rescue, TimeProvider clock, IOptions<HealthMonitorOptions> options, LeaderElection leader, ILogger<DispatchReconciler> logger)
    : PeriodicService(leader, logger)
{
    protected override TimeSpan Interval => options.Value.ReconcileInterval;

    private DateTimeOffset _lastFullPass = DateTimeOffset.MinValue;

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        var now = clock.GetUtcNow();
        var full = now - _lastFullPass >= options.Value.ReconcileFullInterval;
        var (queued, running) = await store.JobCountDispatchStateAsync(stoppingToken);
        var (high, medium, low) = await dispatcher.BandLengthsAsync();
        var banded = high + medium + low;
        var leased = await dispatcher.LeaseCountAsync();

        // Fewer entries than queued jobs (leases of running jobs aside): some push was lost.
        var pushed = full || banded + leased - running < queued ? await PushMissingAsync(stoppingToken) : 0;
        // More band entries than queued jobs: strays.
        var removed = full || banded > queued ? await RemoveStrayAsync(stoppingToken) : 0;
        var dropped = await DropStaleLeasesAsync(stoppingToken);
        if (full)
        {
            _lastFullPass = now;
        }

        if (pushed + removed + dropped > 0)
        {
            LogRepaired(logger, pushed, removed, dropped);
        }
    }

    /// <summary>
    /// PostgreSQL → Redis: queued jobs that Redis holds nowhere go back to their bands, but for
    /// those created within <see cref="HealthMonitorOptions.CreatePushGrace"/> of Redis's clock,
    /// whose own push may still be on its way.
    /// </summary>
    private async Task<int> PushMissingAsync(CancellationToken stoppingToken)
    {
        var pushed = 0;
        var after = Guid.Empty;
        var createdBefore = await dispatcher.RedisTimeAsync() - options.Value.CreatePushGrace;
        while (!stoppingToken.IsCancellationRequested)
        {
            var page = await store.JobGetQueuedPageAsync(after, options.Value.BatchSize, createdBefore, stoppingToken);
            if (page.Count == 0)
            {
                break;
            }

            var missing = await dispatcher.FindMissingAsync(page.Select(job => job.Id).ToList());
            if (missing.Count > 0)
            {
                // Asked again after Redis answered: a job that a worker took, ran and released
                // between the page's read and Redis's answer is no longer queued, and stays out.
                // A job pushed by another meanwhile, and taken by a worker, is left to it (enqueue.lua).
                pushed += (int)await dispatcher.EnqueueAsync(await store.JobGetDispatchableAsync(missing, stoppingToken));
            }

            after = page[^1].Id;
        }

        return pushed;
    }

    /// <summary>Redis → PostgreSQL: band entries that are not queued jobs are removed, and those in the wrong band moved.</summary>
    private async Task<int> RemoveStrayAsync(CancellationToken stoppingToken)
    {
        var removed = 0;
        foreach (var band in Enum.GetValues<PriorityBand>())
        {
            long start = 0;
            while (!stoppingToken.IsCancellationRequested)
            {
                var page = await dispatcher.BandPageAsync(band, start, options.Value.BatchSize);
                if (page.Count == 0)
                {
                    break;
                }

                var dispatchable = (await store.JobGetDispatchableAsync(page, stoppingToken)).ToDictionary(job => job.Id);
                var stray = page.Where(id => !dispatchable.ContainsKey(id)).ToList();
                removed += (int)await dispatcher.DequeueAsync(stray);

                // In the wrong band: its effective priority changed while no band held it (it was
                // leased, and put back at its old priority).
                var moved = (int)await dispatcher.MoveAsync(dispatchable.Values.Where(job => job.Band != band).ToList());
                removed += moved;
                start += page.Count - stray.Count - moved;
            }
        }

        return removed;
    }

    /// <summary>
    /// Expired Redis leases on jobs that are not running in PostgreSQL are dropped; a job such a
    /// lease may have started, its start never written (its worker hangs, or died unseen), first
    /// gets that attempt recorded abandoned and goes back to its band. The leases are read with
    /// their fences in one step, and only those are dropped (or older ones): a lease a worker
    /// takes after that read is its own.
    /// </summary>
    private async Task<int> DropStaleLeasesAsync(CancellationToken stoppingToken)
    {
        var expired = await dispatcher.ExpiredLeasesAsync(clock.GetUtcNow(), options.Value.BatchSize);
        if (expired.Count == 0)
        {
            return 0;
        }

        var running = await store.JobGetRunningAsync(expired.Select(held => held.Lease.JobId).ToList(), stoppingToken);
        var stale = expired.Where(held => !running.Contains(held.Lease.JobId)).ToList();
        // A lease without a fence or holder started nothing it could record; it is only dropped.
        await rescue.RescueLeasesAsync(stale.Where(held => held.IsWhole).ToList(), poisonThreshold: null, stoppingToken);
        return (int)await dispatcher.DropLeasesAsync(stale.Select(held => held.Lease).ToList());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciled Redis with PostgreSQL: {Pushed} queued jobs pushed back, {Removed} stray or misplaced entries removed or moved, {Dropped} stale leases dropped")]
    private static partial void LogRepaired(ILogger logger, int pushed, int removed, int dropped);
}
