using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Telemetry;

namespace AspireJobs.HealthMonitor.Maintenance;

/// <summary>
/// Finishes the attempts of workers that are gone through the one finishing statement, fenced by
/// the lease tokens the rescue read (a worker that finishes the job meanwhile wins), then tells
/// Redis: the leases end, requeued jobs go back to their bands, and released dependents to theirs.
/// An attempt that ran on its Redis lease alone, its start never written, is recorded too: its
/// start under the lease's fence token, then its end, in one transaction.
/// </summary>
public sealed class JobRescue(JobStore store, JobDispatcher dispatcher, RedisFollowUp followUp, JobsMetrics metrics)
{
    /// <summary>
    /// Rescues jobs under abandoned Redis leases: each one the lease may have started unrecorded
    /// gets its attempt recorded abandoned (a crash counted when <paramref name="poisonThreshold"/>
    /// is given: its worker died), its lease ended, and goes back to its band. The other leases
    /// given are the caller's to drop.
    /// </summary>
    public async Task<IReadOnlyList<FinishedJob>> RescueLeasesAsync(IReadOnlyList<HeldLease> leases, int? poisonThreshold, CancellationToken cancellationToken)
    {
        if (leases.Count == 0)
        {
            return [];
        }

        var byId = leases.ToDictionary(held => held.Lease.JobId);
        var unrecorded = await store.JobGetUnrecordedLeasedAsync(leases.Select(held => held.Lease).ToList(), cancellationToken);
        var finishes = unrecorded.Select(job =>
        {
            var held = byId[job.Id];
            var finish = poisonThreshold is { } threshold
                ? JobFinish.WorkerDied(job.Id, job.LeaseToken, job.Crashes, threshold)
                : JobFinish.LeaseExpired(job.Id, job.LeaseToken);
            return finish with { Start = new JobStart(job.Id, held.WorkerId, held.Lease.Fence, job.Attempt, job.LeaseToken, held.Lease.LeasedAt, TimeSpan.Zero) };
        }).ToList();

        return await FinishAsync(finishes, cancellationToken);
    }

    /// <summary>Finishes the attempts; returns the jobs it changed, by the status they now have.</summary>
    public async Task<IReadOnlyList<FinishedJob>> FinishAsync(IReadOnlyList<JobFinish> finishes, CancellationToken cancellationToken)
    {
        if (finishes.Count == 0)
        {
            return [];
        }

        var result = await store.JobFinishIfRunningAsync(finishes, cancellationToken);
        metrics.Abandoned(result.Finished.Count);
        await followUp.TryAsync(async () =>
        {
            // The leases the recorded attempts ran under, not a newer one a worker took since.
            await dispatcher.DropLeasesAsync(result.Finished.Select(job => job.Lease).ToList());
            await dispatcher.FollowAsync(result);
        }, "the leases, requeued jobs and released dependents of rescued attempts");
        return result.Finished;
    }
}
