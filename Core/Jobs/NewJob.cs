using AspireJobs.Core.Workflows;

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
    string? IdempotencyKey,
    DependencyFailurePolicy OnDependencyFailure = DependencyFailurePolicy.Cancel)
{
    /// <summary>The W3C traceparent of the span that created it; its attempts' spans join that trace.</summary>
    public string? TraceParent { get; init; }

    /// <summary>
    /// The state a new job starts in once nothing holds it back: <c>scheduled</c> while its
    /// <c>runAt</c> is in the future, otherwise <c>queued</c>. A job with a parent that has not
    /// completed starts <c>waiting</c> instead (decided where the parents are read, in the insert).
    /// </summary>
    public JobStatus ReadyStatus(DateTimeOffset now) =>
        RunAt is { } runAt && runAt > now ? JobStatus.Scheduled : JobStatus.Queued;
}
