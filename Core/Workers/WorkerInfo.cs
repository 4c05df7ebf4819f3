using AspireJobs.Core.Dispatch;

namespace AspireJobs.Core.Workers;

/// <summary>
/// A worker as PostgreSQL holds it. <see cref="Metrics"/> is its latest report (null before the
/// first); <see cref="ExitOrdered"/>: the health monitor told it to exit (kept once it has).
/// </summary>
public sealed record WorkerInfo(
    Guid Id,
    string Name,
    string Host,
    int ProcessId,
    string Version,
    IReadOnlyList<string> JobTypes,
    int Concurrency,
    WorkerStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset LastHeartbeatAt,
    DateTimeOffset? StoppedAt,
    int CurrentLoad,
    long JobsCompleted,
    long JobsFailed,
    double? HealthScore,
    WorkerMetricsReport? Metrics,
    bool DrainedByMonitor = false,
    bool ExitOrdered = false);

/// <summary>
/// What a worker reports about itself every metrics interval: cumulative counters, and figures
/// for the window since its previous report.
/// </summary>
public sealed record WorkerMetricsReport(
    int CurrentLoad,
    long JobsCompleted,
    long JobsFailed,
    long WindowCompleted,
    long WindowFailed,
    IReadOnlyDictionary<string, RunDurationStats> RunDurations,
    long MemoryBytes,
    double CpuPercent,
    double GcPauseMs,
    double? HeartbeatDeviationMs,
    TimeSpan HeartbeatInterval,
    TimeSpan Window)
{
    /// <summary>How long the worker's threads waited for a CPU in the window, in ms (summed over threads); null where the OS does not tell.</summary>
    public double? CpuWaitMs { get; init; }
}

/// <summary>How many attempts of one job type finished in a window, and their mean run time.</summary>
public sealed record RunDurationStats(long Count, double MeanMs);

/// <summary>What a worker learns back from its report: how the fleet sees it, and which of its jobs to cancel.</summary>
public sealed record WorkerStanding(WorkerStatus Status, double? HealthScore, IReadOnlyList<Guid> CancelRequested)
{
    /// <summary>The health monitor told it to exit (the order it may have missed on the control channel).</summary>
    public bool ExitOrdered { get; init; }

    /// <summary>Jobs PostgreSQL says the worker runs, which it does not hold: to hand back.</summary>
    public IReadOnlyList<StrayJob> Strays { get; init; } = [];
}

/// <summary>
/// A job running in PostgreSQL under a worker that never got it, with the lease token that lets
/// the worker hand it back and the fence of the Redis lease it started under.
/// </summary>
public sealed record StrayJob(Guid Id, Guid LeaseToken, long Fence)
{
    /// <summary>The Redis lease it started under.</summary>
    public JobLease Lease => new(Id, Fence);
}
