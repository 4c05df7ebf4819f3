using System.Text.Json.Serialization;
using AspireJobs.Api.Http;
using AspireJobs.Api.Memory;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Workflows;

namespace AspireJobs.Api.Jobs;

/// <summary>A job as the contract shows it ("Job" in DESIGN.md §4).</summary>
public sealed record JobResponse(
    Guid Id,
    string Type,
    JobStatus Status,
    int Priority,
    RawJson Payload,
    RawJson? Result,
    string? Error,
    int Attempts,
    int MaxRetries,
    long TimeoutMs,
    IReadOnlyList<Guid> DependsOn,
    Guid? WorkerId,
    DateTime CreatedAt,
    DateTime ScheduledAt,
    DateTime? StartedAt,
    DateTime? CompletedAt,
    int EffectivePriority,
    DependencyFailurePolicy OnDependencyFailure)
{
    /// <summary>How jobs that failed like this one ended; absent where execution memory has no opinion (GET /api/jobs/{id} only).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LikelyOutcomeResponse? LikelyOutcome { get; init; }

    public static JobResponse From(Job job) => new(
        job.Id,
        job.Type,
        job.Status,
        job.Priority,
        new RawJson(job.PayloadJson),
        job.ResultJson is null ? null : new RawJson(job.ResultJson),
        job.Error,
        job.Attempts,
        job.MaxRetries,
        (long)job.Timeout.TotalMilliseconds,
        job.DependsOn,
        job.WorkerId,
        job.CreatedAt.UtcDateTime,
        job.ScheduledAt.UtcDateTime,
        job.StartedAt?.UtcDateTime,
        job.CompletedAt?.UtcDateTime,
        job.EffectivePriority,
        job.OnDependencyFailure);
}
