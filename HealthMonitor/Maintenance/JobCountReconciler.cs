using AspireJobs.Core.Jobs;
using AspireJobs.Core.Telemetry;
using AspireJobs.HealthMonitor.Leadership;
using Microsoft.Extensions.Options;

namespace AspireJobs.HealthMonitor.Maintenance;

/// <summary>
/// Now and then counts the jobs the expensive way and corrects the kept counts where they
/// differ. Drift means a write bypassed the triggers, or a bug: it is reported as a warning and
/// on the <c>aspirejobs.counts.drift</c> counter, never silently absorbed.
/// </summary>
public sealed partial class JobCountReconciler(JobStore store, JobsMetrics metrics, IOptions<HealthMonitorOptions> options, LeaderElection leader, ILogger<JobCountReconciler> logger)
    : PeriodicService(leader, logger)
{
    protected override TimeSpan Interval => options.Value.CountReconcileInterval;

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        foreach (var drift in await store.JobCountReconcileAsync(stoppingToken))
        {
            LogDrift(logger, drift.Status, drift.Band, drift.Delta);
            metrics.CountDrift(drift.Status, Math.Abs(drift.Delta));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job counts drifted: {Status} jobs in the {Band} band were off by {Delta}; corrected")]
    private static partial void LogDrift(ILogger logger, string status, string band, long delta);
}
