namespace AspireJobs.Core.Health;

/// <summary>
/// How long a level moving at a steady rate takes to close the gap to a threshold: none when it
/// is already there, never when it does not move towards it, and never either when the time is
/// beyond what a <see cref="TimeSpan"/> holds (a rate of almost nothing, as a robust slope of a
/// steady level can be), which would otherwise overflow.
/// </summary>
public static class TimeToThreshold
{
    // What a TimeSpan holds, with room for the rounding of seconds into ticks.
    private static readonly double LongestSeconds = TimeSpan.MaxValue.TotalSeconds / 2;

    /// <param name="gap">How far the level still is from the threshold, in its own units.</param>
    /// <param name="ratePerSecond">How fast it closes that gap (negative: it moves away).</param>
    public static TimeSpan? Of(double gap, double ratePerSecond)
    {
        if (gap <= 0)
        {
            return TimeSpan.Zero;
        }

        var seconds = gap / ratePerSecond;
        return ratePerSecond > 0 && seconds < LongestSeconds ? TimeSpan.FromSeconds(seconds) : null;
    }
}
