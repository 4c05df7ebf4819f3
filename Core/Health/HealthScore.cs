namespace AspireJobs.Core.Health;

/// <summary>What a worker's health score is computed from, over one sampling window.</summary>
public sealed record HealthInputs(
    /// <summary>Failed over finished attempts of this worker in the window; null when none finished.</summary>
    double? ErrorRate,
    /// <summary>The same over the whole live fleet; null when no attempt finished anywhere.</summary>
    double? FleetErrorRate,
    /// <summary>The worker's mean run time over the fleet's, for the same job types; null without a baseline.</summary>
    double? DurationRatio,
    /// <summary>Root-mean-square deviation of heartbeat intervals from the expected interval, in ms; null before two heartbeats.</summary>
    double? HeartbeatDeviationMs,
    TimeSpan HeartbeatInterval,
    double MemoryBytes,
    double MemoryBudgetBytes,
    /// <summary>The share of the window the process spent paused for garbage collection, 0 to 1.</summary>
    double GcPauseFraction);

/// <summary>A score and the four parts it is made of, each 0 (bad) to 1 (good).</summary>
public sealed record HealthScoreBreakdown(double Score, double Success, double Duration, double Heartbeat, double Resources);

/// <summary>
/// The health score of a worker, 0 to 1: the one place its formula is written.
/// <code>
/// score     = mean · min(1, weakest / 0.5)
/// mean      = 0.4·success + 0.2·duration + 0.2·heartbeat + 0.2·resources
/// weakest   = the least of success, duration, heartbeat, memory and gc
/// success   = 1 − max(0, e − f) / (1 − f), where e is the worker's error rate in the window and
///             f the fleet's: errors every worker sees come from the jobs, not from this worker
///             (1 when nothing finished, or when the whole fleet fails everything)
/// duration  = min(1, (fleet mean run time + 50 ms) / (worker mean run time + 50 ms))   (1 without a baseline)
/// heartbeat = max(0, 1 − max(0, heartbeat deviation − 100 ms) / heartbeat interval)    (1 before two heartbeats)
/// resources = (memory + gc) / 2: memory is 1 up to half the memory budget and falls linearly to 0
///             at the whole budget; gc is 1 − 10 × the share of time spent in GC pauses (0 at 10 %)
/// </code>
/// Failures weigh most because they are what users feel; slowness, irregular heartbeats and
/// memory pressure are the early signs of a worker about to fail. The weakest part caps the
/// score: a worker that fails nearly everything, is out of memory or stands still is failing,
/// however well the rest goes (a plain weighted mean gave a worker failing every job 0.6). Run
/// times and heartbeats get a little slack, so a 0.1 ms job taking 0.3 ms or a beat 50 ms late on
/// a busy host costs nothing. CPU use is reported but not scored: a busy worker is doing its job,
/// and scoring it down would drain the workers carrying the load.
/// </summary>
public static class HealthScore
{
    public const double SuccessWeight = 0.4;
    public const double DurationWeight = 0.2;
    public const double HeartbeatWeight = 0.2;
    public const double ResourcesWeight = 0.2;

    /// <summary>A part under this pulls the whole score down in proportion: at 0 the score is 0.</summary>
    public const double WeakestPartKnee = 0.5;

    /// <summary>Added to both run times before they are compared: differences of a few milliseconds are noise, not slowness.</summary>
    public const double DurationSlackMs = 50;

    /// <summary>Heartbeat deviation forgiven: timers and the scheduler on a busy host make beats this late without harm.</summary>
    public const double HeartbeatSlackMs = 100;

    public static HealthScoreBreakdown Compute(HealthInputs inputs)
    {
        var success = RelativeSuccess(inputs.ErrorRate, inputs.FleetErrorRate);
        var duration = inputs.DurationRatio is > 0 and var ratio ? Math.Min(1, 1 / ratio) : 1;
        var heartbeat = inputs.HeartbeatDeviationMs is { } deviation && inputs.HeartbeatInterval > TimeSpan.Zero
            ? Clamp(1 - Math.Max(0, deviation - HeartbeatSlackMs) / inputs.HeartbeatInterval.TotalMilliseconds)
            : 1;
        var memory = HeadroomScore(inputs.MemoryBudgetBytes > 0 ? inputs.MemoryBytes / inputs.MemoryBudgetBytes : 0);
        var gc = Clamp(1 - inputs.GcPauseFraction * 10);
        var resources = (memory + gc) / 2;

        var mean = SuccessWeight * success + DurationWeight * duration + HeartbeatWeight * heartbeat + ResourcesWeight * resources;
        var weakest = Math.Min(Math.Min(success, duration), Math.Min(heartbeat, Math.Min(memory, gc)));
        var score = mean * Math.Min(1, weakest / WeakestPartKnee);
        return new HealthScoreBreakdown(Clamp(score), success, duration, heartbeat, resources);
    }

    /// <summary>
    /// The memory at which memory alone (every other part perfect) brings the score down to
    /// <paramref name="threshold"/>: where a leak fails a worker. Found by bisection, so the
    /// formula stays written once.
    /// </summary>
    public static double FailingMemoryBytes(double memoryBudgetBytes, double threshold)
    {
        double low = 0, high = memoryBudgetBytes;
        for (var step = 0; step < 40; step++)
        {
            var middle = (low + high) / 2;
            var score = Compute(new HealthInputs(null, null, null, null, TimeSpan.Zero, middle, memoryBudgetBytes, 0)).Score;
            (low, high) = score <= threshold ? (low, middle) : (middle, high);
        }

        return high;
    }

    /// <summary>How much better than "failing everything the fleet does not" the worker is: 1 − excess errors / room for them.</summary>
    public static double RelativeSuccess(double? errorRate, double? fleetErrorRate)
    {
        if (errorRate is not { } e)
        {
            return 1;
        }

        var f = Math.Clamp(fleetErrorRate ?? e, 0, 1);
        return f >= 1 ? 1 : Clamp(1 - Math.Max(0, e - f) / (1 - f));
    }

    /// <summary>1 up to half the budget used, then linearly down to 0 at the whole budget.</summary>
    private static double HeadroomScore(double fractionUsed) => Clamp((1 - fractionUsed) * 2);

    private static double Clamp(double value) => double.IsNaN(value) ? 0 : Math.Clamp(value, 0, 1);
}
