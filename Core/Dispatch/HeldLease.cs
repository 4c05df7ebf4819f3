namespace AspireJobs.Core.Dispatch;

/// <summary>A Redis lease and the worker that holds it.</summary>
public readonly record struct HeldLease(JobLease Lease, Guid WorkerId);
