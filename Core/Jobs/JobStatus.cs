namespace AspireJobs.Core.Jobs;

/// <summary>
/// Where a job is in its life. The same seven states, spelled as <see cref="JobStatusText"/> gives
/// them, appear in the CHECK constraint on <c>jobs.status</c> and in the diagram in
/// <c>MigrationService/Migrations/schema.md</c>; every change of state is a guarded statement
/// in <see cref="JobStore"/>, named on its arrow of the diagram.
/// </summary>
public enum JobStatus
{
    /// <summary>A job it depends on has not completed yet; it is in no band. Its last parent's finishing transaction releases it.</summary>
    Waiting,

    /// <summary>Due at a later time (a <c>runAt</c>, or a retry after backoff); it is in no band.</summary>
    Scheduled,

    /// <summary>In its Redis priority band, ready for any worker.</summary>
    Queued,

    /// <summary>Leased to one worker under a lease token; only that token may finish it.</summary>
    Running,

    /// <summary>Its handler succeeded. Final.</summary>
    Completed,

    /// <summary>It failed its last allowed attempt; it stays here until requeued by hand.</summary>
    DeadLettered,

    /// <summary>
    /// A client cancelled it, or a job it depends on failed and its policy is <c>cancel</c>. Final,
    /// except that requeueing the failed parent brings back the jobs its failure cancelled.
    /// </summary>
    Cancelled,
}

/// <summary>The one spelling of each <see cref="JobStatus"/> in SQL, JSON and URLs.</summary>
public static class JobStatusText
{
    public static string Of(JobStatus status) => status switch
    {
        JobStatus.Waiting => "waiting",
        JobStatus.Scheduled => "scheduled",
        JobStatus.Queued => "queued",
        JobStatus.Running => "running",
        JobStatus.Completed => "completed",
        JobStatus.DeadLettered => "dead_lettered",
        JobStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static bool TryParse(string? text, out JobStatus status)
    {
        switch (text)
        {
            case "waiting": status = JobStatus.Waiting; return true;
            case "scheduled": status = JobStatus.Scheduled; return true;
            case "queued": status = JobStatus.Queued; return true;
            case "running": status = JobStatus.Running; return true;
            case "completed": status = JobStatus.Completed; return true;
            case "dead_lettered": status = JobStatus.DeadLettered; return true;
            case "cancelled": status = JobStatus.Cancelled; return true;
            default: status = default; return false;
        }
    }

    public static JobStatus Parse(string text) =>
        TryParse(text, out var status) ? status : throw new FormatException($"'{text}' is not a job status.");

    /// <summary>Every status, in the order of the enum, spelled for SQL and JSON.</summary>
    public static IReadOnlyList<string> All { get; } = Enum.GetValues<JobStatus>().Select(Of).ToArray();
}
