namespace AspireJobs.Core.Jobs;

/// <summary>
/// The outcome of one attempt, one <c>job_executions</c> row each. An attempt starts
/// <see cref="Running"/> and ends in exactly one of the others.
/// </summary>
public enum ExecutionStatus
{
    /// <summary>The attempt is in progress.</summary>
    Running,

    /// <summary>The handler succeeded.</summary>
    Completed,

    /// <summary>The handler threw, or reported a failure.</summary>
    Failed,

    /// <summary>The job's timeout fired before the handler finished.</summary>
    TimedOut,

    /// <summary>A client cancelled the job while it ran.</summary>
    Cancelled,

    /// <summary>The worker died or let go of the job; the job went back to its band.</summary>
    Abandoned,
}

/// <summary>The one spelling of each <see cref="ExecutionStatus"/> in SQL and JSON.</summary>
public static class ExecutionStatusText
{
    public static string Of(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Running => "running",
        ExecutionStatus.Completed => "completed",
        ExecutionStatus.Failed => "failed",
        ExecutionStatus.TimedOut => "timed_out",
        ExecutionStatus.Cancelled => "cancelled",
        ExecutionStatus.Abandoned => "abandoned",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static ExecutionStatus Parse(string text) => text switch
    {
        "running" => ExecutionStatus.Running,
        "completed" => ExecutionStatus.Completed,
        "failed" => ExecutionStatus.Failed,
        "timed_out" => ExecutionStatus.TimedOut,
        "cancelled" => ExecutionStatus.Cancelled,
        "abandoned" => ExecutionStatus.Abandoned,
        _ => throw new FormatException($"'{text}' is not an execution status."),
    };
}
