using AspireJobs.Core.Jobs;

namespace AspireJobs.Core.Recovery;

/// <summary>
/// The state a restore would put one job back in: from a snapshot's record, or replayed from the
/// transition log. Only the states a job can be put back in: waiting, scheduled or queued (a job
/// that was running then runs again).
/// </summary>
public sealed record RestoreTarget(
    Guid Id,
    JobStatus Status,
    int Priority,
    int EffectivePriority,
    int Attempts,
    int Failures,
    int Crashes,
    DateTimeOffset RunAt)
{
    /// <summary>The target of a job that was in <paramref name="status"/>: one that was running runs again (queued); its attempt is not resumed.</summary>
    public static RestoreTarget Of(Guid id, JobStatus status, int priority, int effectivePriority, int attempts, int failures, int crashes, DateTimeOffset runAt) =>
        new(id, status == JobStatus.Running ? JobStatus.Queued : status, priority, effectivePriority, attempts, failures, crashes, runAt);
}
