using AspireJobs.Core.Workflows;

namespace AspireJobs.Core.Jobs;

/// <summary>A job as PostgreSQL, the system of record, holds it. JSON fields are raw JSON text.</summary>
public sealed record Job(
    Guid Id,
    string Type,
    JobStatus Status,
    int Priority,
    string PayloadJson,
    string? ResultJson,
    string? Error,
    int Attempts,
    int MaxRetries,
    TimeSpan Timeout,
    IReadOnlyList<Guid> DependsOn,
    Guid? WorkerId,
    DateTimeOffset CreatedAt,
    DateTimeOffset ScheduledAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    int EffectivePriority,
    DependencyFailurePolicy OnDependencyFailure);
