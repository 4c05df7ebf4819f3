using AspireJobs.Core.Jobs;

namespace AspireJobs.Core.Recovery;

/// <summary>
/// One row of the transition log as point-in-time recovery reads it. <see cref="From"/> is null for
/// the event that created the job. <see cref="Attempt"/> is the job's attempts after the event.
/// From <c>detail</c>: <see cref="Reason"/>, the execution <see cref="Outcome"/> of an attempt that
/// ended, a <see cref="RetryAt"/> due time, and a priority change's <see cref="Priority"/> and
/// <see cref="PriorityBefore"/>. An attempt written whole, its start and outcome in one statement,
/// is one event from <c>queued</c> to its outcome, with the attempt's <see cref="StartedAt"/>.
/// </summary>
public sealed record JobEvent(
    long Id,
    JobStatus? From,
    JobStatus To,
    int? Attempt,
    DateTimeOffset At,
    string? Reason = null,
    string? Outcome = null,
    DateTimeOffset? RetryAt = null,
    int? Priority = null,
    int? PriorityBefore = null,
    DateTimeOffset? StartedAt = null)
{
    /// <summary>An attempt was recorded start and outcome at once.</summary>
    public bool IsWholeAttempt => StartedAt is not null;

    /// <summary>An attempt began.</summary>
    public bool IsStart => (To == JobStatus.Running && From != JobStatus.Running) || IsWholeAttempt;

    /// <summary>An attempt ended.</summary>
    public bool IsAttemptEnd => From == JobStatus.Running || IsWholeAttempt;

    /// <summary>An attempt ended in a counted failure (failed or timed out, then retried or dead-lettered).</summary>
    public bool IsFailure => IsAttemptEnd
        && To is JobStatus.Scheduled or JobStatus.DeadLettered
        && Outcome is "failed" or "timed_out";

    /// <summary>An attempt ended because its worker was gone.</summary>
    public bool IsCrash => IsAttemptEnd && Outcome == "abandoned" && Reason is "worker died" or null;

    /// <summary>An operator requeued a dead letter, which starts its failure count over.</summary>
    public bool IsRequeue => From == JobStatus.DeadLettered && To == JobStatus.Queued;

    public bool IsPriorityChange => Priority is not null && From == To;
}
