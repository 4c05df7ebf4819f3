using AspireJobs.Core.Health;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Workers;
using AspireJobs.HealthMonitor.Leadership;
using Microsoft.Extensions.Options;

namespace AspireJobs.HealthMonitor.Maintenance;

/// <summary>
/// Purges what is past retention: finished jobs (completed, dead-lettered, cancelled) with their
/// executions, and transition events (30 days by default); worker health history and anomalies
/// (1 day); the activity totals behind the dashboard's charts (1 day); rows of workers that stopped or died (7 days). In batches, so no statement holds
/// locks for long.
/// </summary>
public sealed partial class RetentionSweeper(JobStore store, WorkerStore workers, HealthStore health, TimeProvider clock, IOptions<HealthMonitorOptions> options, LeaderElection leader, ILogger<RetentionSweeper> logger)
    : PeriodicService(leader, logger)
{
    protected override TimeSpan Interval => options.Value.RetentionInterval;

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        var cutoff = clock.GetUtcNow() - options.Value.Retention;
        var batch = options.Value.BatchSize;
        int jobs = 0, events = 0, deleted;
        do
        {
            deleted = await store.JobDeleteFinishedBeforeAsync(cutoff, batch, stoppingToken);
            jobs += deleted;
        }
        while (deleted == batch && !stoppingToken.IsCancellationRequested);

        do
        {
            deleted = await store.JobEventDeleteBeforeAsync(cutoff, batch, stoppingToken);
            events += deleted;
        }
        while (deleted == batch && !stoppingToken.IsCancellationRequested);

        await store.JobActivityDeleteBeforeAsync(clock.GetUtcNow() - options.Value.ActivityRetention, stoppingToken);
        await health.WorkerHealthLogDeleteBeforeAsync(clock.GetUtcNow() - options.Value.HealthHistoryRetention, stoppingToken);
        var retiredWorkers = await workers.WorkerDeleteStoppedBeforeAsync(clock.GetUtcNow() - options.Value.WorkerRetention, stoppingToken);

        if (jobs + events + retiredWorkers > 0)
        {
            LogPurged(logger, jobs, events, retiredWorkers, cutoff);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: purged {Jobs} finished jobs and {Events} events older than {Cutoff}, and {Workers} long-gone workers")]
    private static partial void LogPurged(ILogger logger, int jobs, int events, int workers, DateTimeOffset cutoff);
}
