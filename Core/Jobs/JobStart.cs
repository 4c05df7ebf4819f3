namespace AspireJobs.Core.Jobs;

/// <summary>
/// The start of a job under a Redis lease, to be written to PostgreSQL: with the job's outcome
/// when it finishes within a short window, or by a rescuer that records the attempt of a worker
/// that is gone (<c>JobStartAndFinishIfQueued.sql</c>); on its own when the job runs longer
/// (<c>JobSetRunningIfQueued.sql</c>). It is written only while the job is queued and its fence
/// is older than <paramref name="Fence"/>, the lease's token, and only as <paramref name="Attempt"/>,
/// the attempt its handler was told it runs: when PostgreSQL has counted another attempt since the
/// job was read (or since its ticket was written), the start is refused rather than recorded under
/// a number the handler never saw.
/// </summary>
public readonly record struct JobStart(
    Guid JobId,
    Guid WorkerId,
    long Fence,
    int Attempt,
    Guid LeaseToken,
    DateTimeOffset StartedAt,
    TimeSpan LeaseGrace);
