using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.HealthMonitor.Leadership;
using Microsoft.Extensions.Options;

namespace AspireJobs.HealthMonitor.Maintenance;

/// <summary>
/// Queues scheduled jobs whose time has come (a runAt, or a retry's backoff) and puts them in
/// their bands. Each is promoted exactly once even with several monitors running (the statement
/// claims rows with SKIP LOCKED); a push lost between the two steps is healed by the reconciler.
/// </summary>
public sealed class ScheduledJobPromoter(JobStore store, JobDispatcher dispatcher, RedisFollowUp followUp, IOptions<HealthMonitorOptions> options, LeaderElection leader, ILogger<ScheduledJobPromoter> logger)
    : PeriodicService(leader, logger)
{
    protected override TimeSpan Interval => options.Value.PromoteInterval;

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        IReadOnlyList<QueuedJob> due;
        do
        {
            due = await store.JobSetQueuedIfDueAsync(options.Value.BatchSize, stoppingToken);
            await followUp.TryAsync(() => dispatcher.EnqueueAsync(due), "due jobs to their bands");
        }
        while (due.Count == options.Value.BatchSize && !stoppingToken.IsCancellationRequested);
    }
}
