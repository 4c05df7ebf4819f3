namespace AspireJobs.Core.Jobs;

/// <summary>
/// A job a worker has moved to <c>running</c>: what its handler needs, what the retry policy
/// needs, the lease token that every finishing write must name, and whether jobs depend on it
/// (it may gain some while it runs).
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
    bool HasDependents = false);
