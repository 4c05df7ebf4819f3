using AspireJobs.Core.Dispatch;

namespace AspireJobs.Core.Jobs;

/// <summary>
/// How one running attempt ends: one row of <c>JobFinishIfRunning.sql</c>, the one statement
/// that finishes attempts whatever their outcome (or of <c>JobStartAndFinishIfQueued.sql</c> for
/// an attempt whose start was never written). Build it with the named constructors; each is
/// fenced by the lease token the attempt ran under.
/// </summary>
public readonly record struct JobFinish(
    Guid JobId,
    Guid LeaseToken,
    JobStatus Status,
    ExecutionStatus Execution,
    string? ResultJson,
    string? Error,
    DateTimeOffset? RetryAt,
    bool CountsFailure,
    bool CountsCrash,
    string? Reason)
{
    /// <summary>
    /// Jobs were known to depend on it when it started: it is finished together with them at once,
    /// without first trying the one statement for jobs that have none.
    /// </summary>
    public bool HasDependents { get; init; }

    /// <summary>
    /// The attempt's start, when it was never written: start and outcome are then recorded in one
    /// statement (<c>JobStartAndFinishIfQueued.sql</c>), so a short job costs PostgreSQL one write.
    /// </summary>
    public JobStart? Start { get; init; }

    /// <summary>The handler succeeded: completed with its result (this wins over a late cancellation).</summary>
    public static JobFinish Completed(Guid jobId, Guid leaseToken, string? resultJson) =>
        new(jobId, leaseToken, JobStatus.Completed, ExecutionStatus.Completed, resultJson, null, null, false, false, null);

    /// <summary>Failed or timed out with retries left: scheduled again at <paramref name="retryAt"/>.</summary>
    public static JobFinish Retry(Guid jobId, Guid leaseToken, ExecutionStatus outcome, string error, DateTimeOffset retryAt) =>
        new(jobId, leaseToken, JobStatus.Scheduled, FailureOutcome(outcome), null, error, retryAt, true, false, null);

    /// <summary>Failed or timed out with no retries left (or a failure no retry can fix): dead-lettered.</summary>
    public static JobFinish DeadLettered(Guid jobId, Guid leaseToken, ExecutionStatus outcome, string error) =>
        new(jobId, leaseToken, JobStatus.DeadLettered, FailureOutcome(outcome), null, error, null, true, false, null);

    /// <summary>Stopped because a client cancelled it.</summary>
    public static JobFinish Cancelled(Guid jobId, Guid leaseToken) =>
        new(jobId, leaseToken, JobStatus.Cancelled, ExecutionStatus.Cancelled, null, null, null, false, false, null);

    /// <summary>Handed back by its worker (shutting down, draining): queued again, not a failure.</summary>
    public static JobFinish HandedBack(Guid jobId, Guid leaseToken, string reason) =>
        new(jobId, leaseToken, JobStatus.Queued, ExecutionStatus.Abandoned, null, reason, null, false, false, reason);

    /// <summary>Its lease expired (the worker hangs, or lost touch): queued again, not a failure.</summary>
    public static JobFinish LeaseExpired(Guid jobId, Guid leaseToken) =>
        new(jobId, leaseToken, JobStatus.Queued, ExecutionStatus.Abandoned, null,
            "The lease expired: the worker died or stopped responding.", null, false, false, "lease expired");

    /// <summary>
    /// Its worker stopped cleanly but left it running (the outcome's write failed, or the start's
    /// answer never reached it): queued again, neither a failure nor a crash.
    /// </summary>
    public static JobFinish WorkerStopped(Guid jobId, Guid leaseToken) =>
        new(jobId, leaseToken, JobStatus.Queued, ExecutionStatus.Abandoned, null,
            "The worker stopped without recording the outcome.", null, false, false, "worker stopped");

    /// <summary>
    /// Its worker died under it: queued again with the crash counted, or, once workers have died
    /// under it <paramref name="poisonThreshold"/> times, quarantined in the dead letters as a
    /// poison job instead of crashing the next worker.
    /// </summary>
    public static JobFinish WorkerDied(Guid jobId, Guid leaseToken, int crashesBefore, int poisonThreshold)
    {
        const string Died = "The worker died: its heartbeat expired.";
        var crashes = crashesBefore + 1;
        return crashes >= poisonThreshold
            ? new(jobId, leaseToken, JobStatus.DeadLettered, ExecutionStatus.Abandoned, null,
                $"Quarantined: the worker running it died {crashes} times.", null, false, true, "worker died")
            : new(jobId, leaseToken, JobStatus.Queued, ExecutionStatus.Abandoned, null, Died, null, false, true, "worker died");
    }

    private static ExecutionStatus FailureOutcome(ExecutionStatus outcome) =>
        outcome is ExecutionStatus.Failed or ExecutionStatus.TimedOut
            ? outcome
            : throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "A failure is failed or timed_out.");
}

/// <summary>
/// A job a finishing write changed: its status now, the priority it is dispatched at, and the
/// fence of the Redis lease the recorded attempt ran under (which of two attempts of one job in a
/// batch was the one recorded).
/// </summary>
public readonly record struct FinishedJob(Guid Id, JobStatus Status, int Priority, long Fence)
{
    /// <summary>The Redis lease the recorded attempt ran under.</summary>
    public JobLease Lease => new(Id, Fence);
}
