namespace AspireJobs.Core.Jobs;

/// <summary>
/// The three dispatch bands. Priorities 4-5 share the high band, 2-3 the medium band and 1 the
/// low band; within a band jobs start first in, first out.
/// </summary>
public enum PriorityBand
{
    High,
    Medium,
    Low,
}

public static class PriorityBands
{
    public static PriorityBand Of(int priority) => priority switch
    {
        >= 4 and <= 5 => PriorityBand.High,
        >= 2 and <= 3 => PriorityBand.Medium,
        1 => PriorityBand.Low,
        _ => throw new ArgumentOutOfRangeException(nameof(priority), priority, "Priorities are 1 to 5."),
    };

    public static string Name(PriorityBand band) => band switch
    {
        PriorityBand.High => "high",
        PriorityBand.Medium => "medium",
        PriorityBand.Low => "low",
        _ => throw new ArgumentOutOfRangeException(nameof(band), band, null),
    };
}
