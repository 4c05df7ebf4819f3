namespace AspireJobs.Core.Jobs;

/// <summary>
/// The start of a job under a Redis lease, to be written to PostgreSQL (one row of
/// <c>JobSetRunningIfQueued.sql</c>): with the job's outcome when it finishes within a short
/// window, on its own when it runs longer, or by a rescuer that records the attempt of a worker
/// that is gone. It is written only while the job is queued and its fence is older than
/// <paramref name="Fence"/>, the lease's token.
/// </summary>
public readonly record struct JobStart(
    Guid JobId,
    Guid WorkerId,
    long Fence,
    Guid LeaseToken,
    DateTimeOffset StartedAt,
    TimeSpan LeaseGrace);
