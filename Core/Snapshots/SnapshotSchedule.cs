namespace AspireJobs.Core.Snapshots;

/// <summary>
/// Which snapshot the automatic schedule takes: a full one when none is younger than the full
/// interval, an incremental one on the latest otherwise. Incremental ones are small and quick;
/// a full one now and then keeps the chain a restore replays short.
/// </summary>
public static class SnapshotSchedule
{
    public static SnapshotKind KindDue(DateTimeOffset? latestFullTakenAt, DateTimeOffset now, TimeSpan fullInterval) =>
        latestFullTakenAt is { } taken && now - taken < fullInterval ? SnapshotKind.Incremental : SnapshotKind.Full;
}
