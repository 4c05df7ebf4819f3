using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>Jobs started and their starts written at once, as a worker does for a job that outlives its start window.</summary>
public static class JobStoreStarts
{
    private static long _fence = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;

    /// <summary>A fence token newer than every one given before, as acquire.lua gives them.</summary>
    public static long NextFence() => Interlocked.Increment(ref _fence);

    /// <summary>Reads the jobs under new leases and writes their starts; returns those started (their starts written) and those of types not handled.</summary>
    public static async Task<StartResult> StartNowAsync(
        this JobStore store, IReadOnlyCollection<Guid> ids, Guid workerId, TimeSpan leaseGrace, IReadOnlyCollection<string> handledTypes,
        CancellationToken cancellationToken)
    {
        var leases = ids.Select(id => new JobLease(id, NextFence())).ToList();
        var read = await store.JobGetStartableAsync(leases, workerId, leaseGrace, handledTypes.ToHashSet(StringComparer.Ordinal), cancellationToken);
        var written = await store.JobSetRunningIfQueuedAsync(read.Started.Select(job => job.Start!.Value).ToList(), cancellationToken);
        return new StartResult([.. read.Started.Where(job => written.Contains(job.LeaseToken)).Select(job => job with { Start = null })], read.Unhandled);
    }
}

/// <summary>Acquisition as tests that only look at which jobs were taken see it.</summary>
public static class JobDispatcherAcquiring
{
    /// <summary>The ids of the jobs <see cref="JobDispatcher.AcquireAsync"/> leased, in its order.</summary>
    public static async Task<IReadOnlyList<Guid>> AcquireIdsAsync(this JobDispatcher dispatcher, Guid workerId, int maxJobs, TimeSpan leaseLength, FairnessPolicy policy) =>
        [.. (await dispatcher.AcquireAsync(workerId, maxJobs, leaseLength, policy)).Select(lease => lease.JobId)];
}
