using AspireJobs.Core.Jobs;

namespace AspireJobs.Core.Recovery;

/// <summary>A job's state as point-in-time recovery reconstructs it.</summary>
public sealed record JobState(
    JobStatus Status,
    int Priority,
    int EffectivePriority,
    int Attempts,
    int Failures,
    int Crashes,
    int MaxRetries,
    DateTimeOffset ScheduledAt);
