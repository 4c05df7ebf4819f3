namespace AspireJobs.Core.Jobs;

/// <summary>A validated request to create a job. <see cref="PayloadJson"/> is well-formed JSON.</summary>
public sealed record NewJob(
    Guid Id,
    string Type,
    string PayloadJson,
    int Priority,
    int MaxRetries,
    TimeSpan Timeout,
    IReadOnlyList<Guid> DependsOn,
    DateTimeOffset? RunAt,
    string? IdempotencyKey)
{
    /// <summary>
    /// The state a new job starts in: <c>waiting</c> while it has dependencies, <c>scheduled</c>
    /// while its <c>runAt</c> is in the future, otherwise <c>queued</c>.
    /// </summary>
    public JobStatus InitialStatus(DateTimeOffset now) =>
        DependsOn.Count > 0 ? JobStatus.Waiting
        : RunAt is { } runAt && runAt > now ? JobStatus.Scheduled
        : JobStatus.Queued;
}
