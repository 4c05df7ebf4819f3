using AspireJobs.Core.Jobs;

namespace AspireJobs.Core.Memory;

/// <summary>How a remembered attempt ended, as execution memory tells them apart.</summary>
public enum ExecutionOutcome
{
    /// <summary>The handler succeeded.</summary>
    Completed,

    /// <summary>The handler failed, and the job was scheduled to retry.</summary>
    Failed,

    /// <summary>The attempt ran past its timeout, and the job was scheduled to retry.</summary>
    TimedOut,

    /// <summary>The attempt failed or timed out with no retries left (or was quarantined): the job is a dead letter.</summary>
    DeadLettered,
}

public static class ExecutionOutcomeText
{
    public static string Of(ExecutionOutcome outcome) => outcome switch
    {
        ExecutionOutcome.Completed => "completed",
        ExecutionOutcome.Failed => "failed",
        ExecutionOutcome.TimedOut => "timed_out",
        ExecutionOutcome.DeadLettered => "dead_lettered",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    public static bool TryParse(string? text, out ExecutionOutcome outcome)
    {
        foreach (var candidate in Enum.GetValues<ExecutionOutcome>())
        {
            if (string.Equals(Of(candidate), text, StringComparison.Ordinal))
            {
                outcome = candidate;
                return true;
            }
        }

        outcome = default;
        return false;
    }

    public static ExecutionOutcome Parse(string text) =>
        TryParse(text, out var outcome) ? outcome : throw new FormatException($"'{text}' is not an execution outcome.");

    public static IReadOnlyList<string> All { get; } = Enum.GetValues<ExecutionOutcome>().Select(Of).ToArray();

    /// <summary>
    /// The outcome of a finished attempt from its execution's status and the status its job moved
    /// to when it finished; null for attempts memory does not keep (cancelled, abandoned, handed
    /// back, or a failure that a requested cancellation turned into a cancel).
    /// </summary>
    public static ExecutionOutcome? Of(ExecutionStatus execution, JobStatus jobAfter) => (execution, jobAfter) switch
    {
        (ExecutionStatus.Completed, JobStatus.Completed) => ExecutionOutcome.Completed,
        (ExecutionStatus.Failed or ExecutionStatus.TimedOut or ExecutionStatus.Abandoned, JobStatus.DeadLettered) => ExecutionOutcome.DeadLettered,
        (ExecutionStatus.Failed, JobStatus.Scheduled or JobStatus.Queued) => ExecutionOutcome.Failed,
        (ExecutionStatus.TimedOut, JobStatus.Scheduled or JobStatus.Queued) => ExecutionOutcome.TimedOut,
        _ => null,
    };
}
