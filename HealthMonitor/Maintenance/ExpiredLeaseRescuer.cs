using AspireJobs.Core.Jobs;
using AspireJobs.HealthMonitor.Leadership;
using Microsoft.Extensions.Options;

namespace AspireJobs.HealthMonitor.Maintenance;

/// <summary>
/// Rescues running jobs whose lease deadline (their timeout plus the workers' grace) has passed:
/// their worker died, hangs, or lost touch with PostgreSQL. They go back to their bands, the
/// attempt recorded as abandoned; the old worker's lease token no longer matches, so it cannot
/// overwrite what happens next.
/// </summary>
public sealed partial class ExpiredLeaseRescuer(JobStore store, JobRescue rescue, IOptions<HealthMonitorOptions> options, LeaderElection leader, ILogger<ExpiredLeaseRescuer> logger)
    : PeriodicService(leader, logger)
{
    protected override TimeSpan Interval => options.Value.RescueInterval;

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        var expired = await store.JobGetLeaseExpiredAsync(options.Value.BatchSize, stoppingToken);
        var rescued = await rescue.FinishAsync(expired.Select(job => JobFinish.LeaseExpired(job.Id, job.LeaseToken)).ToList(), stoppingToken);
        if (rescued.Count > 0)
        {
            var requeued = rescued.Count(job => job.Status == JobStatus.Queued);
            LogRescued(logger, requeued, rescued.Count - requeued);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rescued jobs whose lease expired: {Requeued} requeued, {Cancelled} cancelled as requested")]
    private static partial void LogRescued(ILogger logger, int requeued, int cancelled);
}
