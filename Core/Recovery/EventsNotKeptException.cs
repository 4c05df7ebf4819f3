namespace AspireJobs.Core.Recovery;

/// <summary>Point-in-time recovery was asked for a time before the oldest transition the log still keeps.</summary>
public sealed class EventsNotKeptException(DateTimeOffset at, DateTimeOffset keptSince)
    : Exception($"The transition log is complete only since {keptSince:O} (older events were deleted by retention); {at:O} is before that.")
{
    public DateTimeOffset At => at;

    public DateTimeOffset KeptSince => keptSince;
}
