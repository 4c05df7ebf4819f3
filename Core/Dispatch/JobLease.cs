using AspireJobs.Core.Jobs;

namespace AspireJobs.Core.Dispatch;

/// <summary>
/// A job leased to a worker in Redis, with the fence token of that lease (see acquire.lua). The
/// token is when the lease began, in microseconds since the Unix epoch, on Redis's clock. A lease
/// is its job and its fence: two leases are equal when those are, whatever ticket came with one.
/// </summary>
public readonly record struct JobLease(Guid JobId, long Fence)
{
    /// <summary>The job's ticket, taken with the lease: what the worker needs to run it without a read (see <see cref="JobTicket"/>).</summary>
    public string? Ticket { get; init; }

    public bool Equals(JobLease other) => JobId == other.JobId && Fence == other.Fence;

    public override int GetHashCode() => HashCode.Combine(JobId, Fence);

    public DateTimeOffset LeasedAt => DateTimeOffset.FromUnixTimeMilliseconds(Fence / 1000);

    /// <summary>
    /// The start of the job this lease gives <paramref name="workerId"/> as its attempt number
    /// <paramref name="attempt"/>, under a new lease token, to be written later.
    /// </summary>
    public JobStart StartBy(Guid workerId, int attempt, DateTimeOffset now, TimeSpan leaseGrace) =>
        new(JobId, workerId, Fence, attempt, Guid.CreateVersion7(), now, leaseGrace);
}
