using AspireJobs.Core.Jobs;

namespace AspireJobs.Core.Recovery;

/// <summary>
/// The parts of a job as it is now that a restore compares with its target; and whether it has
/// parents, which can keep a job put back to queued waiting instead.
/// </summary>
public sealed record JobNow(string Type, JobStatus Status, int Priority, int Attempts, DateTimeOffset ScheduledAt, int Failures, int Crashes, bool HasParents);
