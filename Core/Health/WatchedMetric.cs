namespace AspireJobs.Core.Health;

/// <summary>The names of the metrics anomaly detection watches. Every one is worse when higher.</summary>
public static class WatchedMetric
{
    public const string ErrorRate = "error_rate";
    public const string MemoryBytes = "memory_bytes";
    public const string HeartbeatJitterMs = "heartbeat_jitter_ms";
    public const string GcPauseShare = "gc_pause_share";
    public const string CpuWaitShare = "cpu_wait_share";
    private const string RunDurationPrefix = "run_duration_ms:";

    /// <summary>The mean run time of one job type, in ms.</summary>
    public static string RunDuration(string type) => RunDurationPrefix + type;

    public static bool IsRunDuration(string metric) => metric.StartsWith(RunDurationPrefix, StringComparison.Ordinal);

    /// <summary>
    /// How many samples in a row a metric is judged on (by their least):
    /// <list type="bullet">
    /// <item>a CPU wait is a condition, not a moment: a process starting beside a healthy worker
    /// makes it wait for one sample, a starved worker waits in every one;</item>
    /// <item>an error rate, two: when failing jobs reach the whole fleet, the first worker to
    /// report has a window full of them while the others' windows still half precede them, and
    /// it stood out from the fleet for that one sample;</item>
    /// <item>a GC pause share, two: on a busy host one ordinary collection whose threads lose
    /// their CPU mid-pause can fill a short window's twentieth, while a worker thrashing its
    /// heap pauses in every window.</item>
    /// </list>
    /// </summary>
    public static int SustainedSamples(string metric) => metric switch
    {
        CpuWaitShare => 3,
        ErrorRate or GcPauseShare => 2,
        _ => 1,
    };
}
