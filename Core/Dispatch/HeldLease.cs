namespace AspireJobs.Core.Dispatch;

/// <summary>A Redis lease and the worker that holds it.</summary>
public readonly record struct HeldLease(JobLease Lease, Guid WorkerId)
{
    /// <summary>
    /// Whether Redis held the lease's fence and holder beside its deadline, as every script writes
    /// them. A lease read without them (fence 0, no holder) can have started nothing recorded.
    /// </summary>
    public bool IsWhole => Lease.Fence > 0 && WorkerId != Guid.Empty;
}
