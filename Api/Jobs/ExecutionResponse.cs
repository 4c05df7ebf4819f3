using AspireJobs.Core.Jobs;

namespace AspireJobs.Api.Jobs;

/// <summary>One attempt of a job, as the contract shows it.</summary>
public sealed record ExecutionResponse(
    int Attempt,
    Guid WorkerId,
    ExecutionStatus Status,
    DateTime StartedAt,
    DateTime? FinishedAt,
    long? DurationMs,
    string? Error)
{
    public static ExecutionResponse From(JobExecution execution) => new(
        execution.Attempt, execution.WorkerId, execution.Status, execution.StartedAt.UtcDateTime,
        execution.FinishedAt?.UtcDateTime, execution.DurationMs, execution.Error);
}
