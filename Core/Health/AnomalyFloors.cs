namespace AspireJobs.Core.Health;

/// <summary>
/// The least departure from a baseline that is worth an operator's attention, per metric. A
/// z-score alone flags any wobble of a near-constant baseline (a heartbeat jitter of 4 ms against
/// 1 ms is "3σ"); a metric is an anomaly only when it is also this far from its baseline, both in
/// absolute terms and relative to the baseline's size. Bound from <c>HealthMonitor:AnomalyFloors</c>.
/// </summary>
public sealed class AnomalyFloors
{
    public const double DefaultHeartbeatJitterMs = 250;
    public const double DefaultMemoryFraction = 0.2;
    public const long DefaultMemoryBytes = 32L * 1024 * 1024;
    public const double DefaultErrorRate = 0.2;
    public const int DefaultErrorMinimumAttempts = 10;
    public const double DefaultErrorSignificance = 1e-4;
    public const double DefaultRunDurationFraction = 0.5;
    public const double DefaultRunDurationMs = 50;
    public const double DefaultGcPauseShare = 0.05;
    public const double DefaultCpuWaitShare = 0.1;
    public const double DefaultCpuWaitFraction = 1.0;

    /// <summary>
    /// Heartbeat jitter (ms, the root-mean-square lateness of the beats) above the baseline. On a
    /// busy host, timers, GC pauses and the scheduler make beats late by up to a hundred
    /// milliseconds and harm nothing; a stall that matters lasts a good part of a heartbeat
    /// interval (2 s), and shows as a jitter of a second or more.
    /// </summary>
    public double HeartbeatJitterMs { get; set; } = DefaultHeartbeatJitterMs;

    /// <summary>Resident memory above the baseline, as a share of it: the working set moves by this much with load and the GC's budgets.</summary>
    public double MemoryFraction { get; set; } = DefaultMemoryFraction;

    /// <summary>Resident memory above the baseline, in bytes: a small worker's few megabytes of growth are a warm-up, not a leak.</summary>
    public long MemoryBytes { get; set; } = DefaultMemoryBytes;

    /// <summary>Error rate above the baseline, in points (0.2 = 20 points): a few more failures of flaky jobs are the jobs', not the worker's.</summary>
    public double ErrorRate { get; set; } = DefaultErrorRate;

    /// <summary>A window with fewer finished attempts than this says nothing about the error rate: 1 failure of 2 is 50 %.</summary>
    public int ErrorMinimumAttempts { get; set; } = DefaultErrorMinimumAttempts;

    /// <summary>
    /// The failures must also be this unlikely: the chance that a healthy worker draws that many
    /// failing jobs in one window, at its own usual rate (binomial tail) or beside the other
    /// workers' windows (Fisher's exact test). Small, because a fleet is judged every few seconds,
    /// all day.
    /// </summary>
    public double ErrorSignificance { get; set; } = DefaultErrorSignificance;

    /// <summary>Run time of a job type above the baseline, as a share of it: handlers' times spread by this much with their inputs.</summary>
    public double RunDurationFraction { get; set; } = DefaultRunDurationFraction;

    /// <summary>Run time of a job type above the baseline, in ms: a 1 ms handler taking 3 ms is noise, not a sick worker.</summary>
    public double RunDurationMs { get; set; } = DefaultRunDurationMs;

    /// <summary>The share of wall time spent in GC pauses above the baseline (0.05 = 5 % of the time): below that, collections cost users nothing visible.</summary>
    public double GcPauseShare { get; set; } = DefaultGcPauseShare;

    /// <summary>
    /// Time the worker's threads waited for a CPU, per second of wall time, above the baseline
    /// (0.1 = 100 ms a second): on a busy host every process waits a little, and a worker that
    /// waits this much more than its usual starts and finishes its jobs visibly late.
    /// </summary>
    public double CpuWaitShare { get; set; } = DefaultCpuWaitShare;

    /// <summary>
    /// Time waited for a CPU above the baseline, as a share of it (1 = twice the baseline): when
    /// the whole host is saturated every worker waits, some more than others by chance; a starved
    /// worker waits several times what its peers do.
    /// </summary>
    public double CpuWaitFraction { get; set; } = DefaultCpuWaitFraction;

    /// <summary>The floor a departure from <paramref name="baseline"/> of <paramref name="metric"/> must reach.</summary>
    public double For(string metric, double baseline) => metric switch
    {
        WatchedMetric.HeartbeatJitterMs => HeartbeatJitterMs,
        WatchedMetric.MemoryBytes => Math.Max(MemoryBytes, MemoryFraction * Math.Abs(baseline)),
        WatchedMetric.ErrorRate => ErrorRate,
        WatchedMetric.GcPauseShare => GcPauseShare,
        WatchedMetric.CpuWaitShare => Math.Max(CpuWaitShare, CpuWaitFraction * Math.Abs(baseline)),
        _ when WatchedMetric.IsRunDuration(metric) => Math.Max(RunDurationMs, RunDurationFraction * Math.Abs(baseline)),
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Not a watched metric."),
    };

    public IEnumerable<string> Validate(string section)
    {
        foreach (var (name, value) in new[]
        {
            (nameof(HeartbeatJitterMs), HeartbeatJitterMs), (nameof(MemoryFraction), MemoryFraction), (nameof(MemoryBytes), (double)MemoryBytes),
            (nameof(ErrorRate), ErrorRate), (nameof(RunDurationFraction), RunDurationFraction), (nameof(RunDurationMs), RunDurationMs), (nameof(GcPauseShare), GcPauseShare),
            (nameof(CpuWaitShare), CpuWaitShare), (nameof(CpuWaitFraction), CpuWaitFraction),
        })
        {
            if (value < 0 || double.IsNaN(value) || double.IsInfinity(value))
            {
                yield return $"{section}:{name} must be 0 or more (was {value}).";
            }
        }

        if (ErrorRate > 1 || GcPauseShare > 1)
        {
            yield return $"{section}:ErrorRate and {section}:GcPauseShare are shares, at most 1 (were {ErrorRate} and {GcPauseShare}).";
        }

        if (ErrorMinimumAttempts is < 1 or > 1_000_000)
        {
            yield return $"{section}:ErrorMinimumAttempts must be between 1 and 1000000 (was {ErrorMinimumAttempts}).";
        }

        if (ErrorSignificance is <= 0 or >= 1 || double.IsNaN(ErrorSignificance))
        {
            yield return $"{section}:ErrorSignificance must be between 0 and 1, exclusive (was {ErrorSignificance}).";
        }
    }
}
