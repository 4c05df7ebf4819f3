using AspireJobs.Core.Workflows;

namespace AspireJobs.Core.Jobs;

/// <summary>One page of jobs; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record JobPage(IReadOnlyList<Job> Items, Guid? NextCursor);

/// <summary>One attempt of a job, as <c>job_executions</c> holds it.</summary>
public sealed record JobExecution(
    int Attempt,
    Guid WorkerId,
    ExecutionStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    long? DurationMs,
    string? Error);

/// <summary>How many jobs are in each state; queued ones by band.</summary>
public sealed record JobCounts(
    long QueuedHigh,
    long QueuedMedium,
    long QueuedLow,
    long Scheduled,
    long Waiting,
    long Running,
    long Completed,
    long DeadLettered,
    long Cancelled);

/// <summary>A difference the reconciliation found between the kept counts and the jobs table, and corrected.</summary>
public sealed record JobCountDrift(string Status, string Band, long Delta);

/// <summary>A job to put (back) in its band: its id and the priority it is dispatched at.</summary>
public readonly record struct QueuedJob(Guid Id, int Priority)
{
    public PriorityBand Band => PriorityBands.Of(Priority);
}

/// <summary>
/// What a batch create did, by each job's place in the request: its id (for a repeated
/// idempotency key, the id of the job that holds it), the job as created (null where the key was
/// repeated), the jobs now queued, to put in their bands, and the queued jobs around them whose
/// effective priority the new dependents raised.
/// </summary>
public sealed record BatchInsertResult(IReadOnlyList<Guid> Ids, IReadOnlyList<Job?> Created, IReadOnlyList<QueuedJob> Queued, WorkflowChanges Workflow);

/// <summary>What a worker got when it tried to start jobs: those it started, and those it cannot run.</summary>
public sealed record StartResult(IReadOnlyList<StartedJob> Started, IReadOnlyList<UnhandledJob> Unhandled);

/// <summary>A queued job of a type the worker that took it does not handle.</summary>
public readonly record struct UnhandledJob(Guid Id, string Type);

/// <summary>A running job whose worker may be gone, as a rescue reads it before finishing it under its lease token.</summary>
public readonly record struct RescueCandidate(Guid Id, Guid LeaseToken, int Crashes);

/// <summary>
/// A running job whose worker is gone: declared dead (<paramref name="WorkerDied"/>), or stopped
/// cleanly without recording its outcome. <see cref="Finish"/> says how its attempt ends.
/// </summary>
public readonly record struct OrphanedJob(Guid Id, Guid LeaseToken, int Crashes, bool WorkerDied)
{
    public JobFinish Finish(int poisonThreshold) =>
        WorkerDied ? JobFinish.WorkerDied(Id, LeaseToken, Crashes, poisonThreshold) : JobFinish.WorkerStopped(Id, LeaseToken);
}

/// <summary>
/// A queued job whose abandoned Redis lease may have started it unrecorded, as a rescue reads it
/// before recording that attempt, number <paramref name="Attempt"/>, under <paramref name="LeaseToken"/>.
/// </summary>
public readonly record struct UnrecordedAttempt(Guid Id, Guid LeaseToken, int Crashes, int Attempt);
