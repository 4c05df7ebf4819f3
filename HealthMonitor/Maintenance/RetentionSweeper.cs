using AspireJobs.Core.Jobs;
using Microsoft.Extensions.Options;

namespace AspireJobs.HealthMonitor.Maintenance;

/// <summary>
/// Purges what is past retention (30 days by default): finished jobs (completed, dead-lettered,
/// cancelled) with their executions, and transition events. In batches, so no statement holds
/// locks for long.
/// </summary>
public sealed partial class RetentionSweeper(JobStore store, TimeProvider clock, IOptions<HealthMonitorOptions> options, ILogger<RetentionSweeper> logger)
    : PeriodicService(logger)
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

        if (jobs + events > 0)
        {
            LogPurged(logger, jobs, events, cutoff);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention: purged {Jobs} finished jobs and {Events} events older than {Cutoff}")]
    private static partial void LogPurged(ILogger logger, int jobs, int events, DateTimeOffset cutoff);
}
