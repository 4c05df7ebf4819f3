using AspireJobs.Core.Snapshots;
using AspireJobs.HealthMonitor.Leadership;
using Microsoft.Extensions.Options;

namespace AspireJobs.HealthMonitor.Maintenance;

/// <summary>
/// Automatic snapshots, on the leader: one every <see cref="HealthMonitorOptions.SnapshotInterval"/>
/// (full once per <see cref="HealthMonitorOptions.FullSnapshotInterval"/>, incremental between),
/// and retention of automatic and before-restore snapshots after
/// <see cref="HealthMonitorOptions.SnapshotRetention"/>. Manual snapshots are kept until deleted by hand.
/// </summary>
public sealed partial class AutoSnapshotter(SnapshotStore snapshots, TimeProvider clock, IOptions<HealthMonitorOptions> options, LeaderElection leader, ILogger<AutoSnapshotter> logger)
    : PeriodicService(leader, logger)
{
    protected override TimeSpan Interval => options.Value.SnapshotInterval;

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.AutoSnapshots)
        {
            return;
        }

        // The first pass comes at once: a restarted monitor, or a new leader, takes none while the
        // newest snapshot is younger than the interval.
        var now = clock.GetUtcNow();
        if (await snapshots.LatestAsync(stoppingToken) is { } latest && now - latest.TakenAt < options.Value.SnapshotInterval)
        {
            return;
        }

        var latestFull = await snapshots.LatestAsync(stoppingToken, SnapshotKind.Full);
        var kind = SnapshotSchedule.KindDue(latestFull?.TakenAt, now, options.Value.FullSnapshotInterval);
        var snapshot = await snapshots.TakeAsync(kind, SnapshotReason.Automatic, null, stoppingToken);
        var expired = await snapshots.DeleteBeforeAsync(now - options.Value.SnapshotRetention, stoppingToken);
        LogTaken(logger, snapshot.Kind, snapshot.Id, snapshot.JobCount, snapshot.SizeBytes, expired);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Automatic {Kind} snapshot {SnapshotId}: {Jobs} jobs in {Bytes} bytes; {Expired} expired snapshots deleted")]
    private static partial void LogTaken(ILogger logger, SnapshotKind kind, Guid snapshotId, int jobs, long bytes, int expired);
}
