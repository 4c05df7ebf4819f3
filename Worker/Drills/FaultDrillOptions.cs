namespace AspireJobs.Worker.Drills;

/// <summary>
/// A fault drill: this worker degrades on purpose, in named ways, so that operators can check
/// that the health monitor, its alerts and its actions catch a sick worker (and only that one).
/// Off unless one of the faults is set. From the configuration section <c>Worker:Drill</c>.
/// </summary>
public sealed class FaultDrillOptions
{
    /// <summary>How long after the worker starts the drill begins: time for the monitor to learn the worker's healthy baseline.</summary>
    public TimeSpan StartAfter { get; set; } = TimeSpan.Zero;

    /// <summary>The share of attempts that fail (0 to 1), whatever their handler does: an error burst on this worker only.</summary>
    public double FailShare { get; set; }

    /// <summary>Added to every handler's run time: slow handlers on this worker only.</summary>
    public TimeSpan ExtraRunTime { get; set; } = TimeSpan.Zero;

    /// <summary>Memory kept and never released, per second: a leak.</summary>
    public long LeakBytesPerSecond { get; set; }

    /// <summary>Full, blocking garbage collections forced per second over a live heap of <see cref="GcLiveBytes"/>: GC pressure.</summary>
    public int GcCollectionsPerSecond { get; set; }

    /// <summary>The live heap the forced collections must mark: the larger, the longer each pause.</summary>
    public long GcLiveBytes { get; set; } = 128L * 1024 * 1024;

    public bool IsOn => FailShare > 0 || ExtraRunTime > TimeSpan.Zero || LeakBytesPerSecond > 0 || GcCollectionsPerSecond > 0;

    public IEnumerable<string> Validate(string section)
    {
        if (StartAfter < TimeSpan.Zero || StartAfter > TimeSpan.FromDays(1))
        {
            yield return $"{section}:StartAfter must be a time span from 0 to a day (was {StartAfter}).";
        }

        if (FailShare is < 0 or > 1 || double.IsNaN(FailShare))
        {
            yield return $"{section}:FailShare must be between 0 and 1 (was {FailShare}).";
        }

        if (ExtraRunTime < TimeSpan.Zero || ExtraRunTime > TimeSpan.FromHours(1))
        {
            yield return $"{section}:ExtraRunTime must be a time span from 0 to an hour (was {ExtraRunTime}).";
        }

        if (LeakBytesPerSecond is < 0 or > 1024L * 1024 * 1024)
        {
            yield return $"{section}:LeakBytesPerSecond must be between 0 and 1073741824 (was {LeakBytesPerSecond}).";
        }

        if (GcCollectionsPerSecond is < 0 or > 100)
        {
            yield return $"{section}:GcCollectionsPerSecond must be between 0 and 100 (was {GcCollectionsPerSecond}).";
        }

        if (GcLiveBytes is < 0 or > 4L * 1024 * 1024 * 1024)
        {
            yield return $"{section}:GcLiveBytes must be between 0 and 4294967296 (was {GcLiveBytes}).";
        }
    }
}
