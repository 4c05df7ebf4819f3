using AspireJobs.Core.Jobs;

namespace AspireJobs.Core.Recovery;

/// <summary>The parts of a job as it is now that a restore compares with its target.</summary>
public sealed record JobNow(string Type, JobStatus Status, int Priority, int Attempts, DateTimeOffset ScheduledAt, int Failures, int Crashes);
