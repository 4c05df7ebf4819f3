namespace AspireJobs.Core.Health;

/// <summary>One health sample of a worker, as the health sweep writes it.</summary>
public sealed record HealthSample(
    Guid WorkerId,
    double HealthScore,
    double? SuccessRate,
    double? DurationRatio,
    double? HeartbeatDeviationMs,
    int CurrentLoad,
    long JobsCompleted,
    long JobsFailed,
    long MemoryBytes,
    double CpuPercent,
    double GcPauseMs,
    double? ErrorRate,
    IReadOnlyDictionary<string, double> RunDurationsMs,
    Prediction Prediction)
{
    /// <summary>Attempts the worker finished in the window of its report, and how many of them failed: what the error rate rests on.</summary>
    public long WindowAttempts { get; init; }

    public long WindowFailed { get; init; }

    /// <summary>The share of the window the worker spent paused for garbage collection, 0 to 1.</summary>
    public double? GcPauseShare { get; init; }

    /// <summary>How long the worker's threads waited for a CPU, per second of the window (summed over threads); null where its OS does not tell.</summary>
    public double? CpuWaitShare { get; init; }

    /// <summary>The time of the worker's report the sample was taken from.</summary>
    public DateTimeOffset? ReportAt { get; init; }
}

/// <summary>A past health sample, as the anomaly detector, the failure prediction and the Api read it.</summary>
public sealed record HealthHistoryPoint(
    DateTimeOffset At,
    double HealthScore,
    double? ErrorRate,
    long? MemoryBytes,
    double? HeartbeatDeviationMs,
    IReadOnlyDictionary<string, double> RunDurationsMs,
    Prediction Prediction)
{
    public double? GcPauseShare { get; init; }

    public double? CpuWaitShare { get; init; }

    /// <summary>The time of the worker's report the sample was taken from; null for a sample taken before it was kept.</summary>
    public DateTimeOffset? ReportAt { get; init; }
}

/// <summary>An anomaly found: a metric of a worker that left its baseline (its own history, or the fleet), and why it was raised.</summary>
public sealed record Anomaly(
    long Id,
    Guid WorkerId,
    string WorkerName,
    string Metric,
    string Baseline,
    AnomalyEvidence Evidence,
    DateTimeOffset DetectedAt,
    DateTimeOffset? EndedAt);

/// <summary>An anomaly to record.</summary>
public sealed record NewAnomaly(Guid WorkerId, string Metric, string Baseline, AnomalyEvidence Evidence);

/// <summary>An anomaly recorded that has not ended.</summary>
public sealed record LastingAnomaly(long Id, Guid WorkerId, string Metric, string Baseline);
