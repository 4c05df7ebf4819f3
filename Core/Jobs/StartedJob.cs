using AspireJobs.Core.Dispatch;

namespace AspireJobs.Core.Jobs;

/// <summary>
/// A job a worker runs: what its handler needs, what the retry policy needs, the lease token that
/// every finishing write must name, and whether jobs depend on it (it may gain some while it runs).
/// </summary>
public sealed record StartedJob(
    Guid Id,
    string Type,
    string PayloadJson,
    int Attempt,
    int Failures,
    int MaxRetries,
    TimeSpan Timeout,
    Guid LeaseToken,
    bool HasDependents = false)
{
    /// <summary>How long it waited from when it was due (created, its runAt, or its retry) to this start.</summary>
    public TimeSpan Wait { get; init; }

    /// <summary>
    /// The fence token of the Redis lease it runs under (see <see cref="JobLease"/>): what ends or
    /// extends that lease, and no later lease of the same job.
    /// </summary>
    public required long Fence { get; init; }

    /// <summary>The Redis lease it runs under.</summary>
    public JobLease Lease => new(Id, Fence);

    /// <summary>The W3C traceparent of the span that created it, if one did.</summary>
    public string? TraceParent { get; init; }

    /// <summary>
    /// Its start under a Redis lease, not yet written: PostgreSQL still says queued, and the start
    /// is written with the outcome, or when the job outlives the start window. Null when the job
    /// is running in PostgreSQL already.
    /// </summary>
    public JobStart? Start { get; init; }
}
