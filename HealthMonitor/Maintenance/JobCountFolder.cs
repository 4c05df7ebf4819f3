using AspireJobs.Core.Jobs;
using AspireJobs.HealthMonitor.Leadership;
using Microsoft.Extensions.Options;

namespace AspireJobs.HealthMonitor.Maintenance;

/// <summary>
/// Folds the ledgers of count changes that every write to jobs appends into their totals, so a
/// count reads a handful of rows however many jobs there are and however many moved.
/// </summary>
public sealed class JobCountFolder(JobStore store, IOptions<HealthMonitorOptions> options, LeaderElection leader, ILogger<JobCountFolder> logger)
    : PeriodicService(leader, logger)
{
    protected override TimeSpan Interval => options.Value.CountFoldInterval;

    protected override Task RunOnceAsync(CancellationToken stoppingToken) => store.JobCountFoldAsync(stoppingToken);
}
