using AspireJobs.Core.Jobs;

namespace AspireJobs.Core.Snapshots;

/// <summary>
/// One job as a snapshot holds it: its state, priorities, attempt counters and due time, and the
/// jobs it depends on. The payload is not copied: the job's row keeps it (the job's id is the
/// reference), so a snapshot of 100,000 jobs stays a few megabytes whatever the payloads weigh.
/// In an incremental snapshot a record whose <see cref="Status"/> is final (or
/// <see cref="Deleted"/>) says the job left the set of non-terminal jobs.
/// </summary>
public sealed record SnapshotRecord(
    Guid Id,
    string Type,
    JobStatus Status,
    int Priority,
    int EffectivePriority,
    int Attempts,
    int Failures,
    int Crashes,
    int MaxRetries,
    DateTimeOffset RunAt,
    IReadOnlyList<Guid> DependsOn,
    bool Deleted = false)
{
    /// <summary>Whether the job counts among a snapshot's jobs (not finished, not deleted).</summary>
    public bool IsPending => !Deleted && Status is JobStatus.Waiting or JobStatus.Scheduled or JobStatus.Queued or JobStatus.Running;
}
