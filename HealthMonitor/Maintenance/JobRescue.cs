using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Telemetry;

namespace AspireJobs.HealthMonitor.Maintenance;

/// <summary>
/// Finishes the attempts of workers that are gone through the one finishing statement, fenced by
/// the lease tokens the rescue read (a worker that finishes the job meanwhile wins), then tells
/// Redis: the leases end, requeued jobs go back to their bands, and released dependents to theirs.
/// </summary>
public sealed class JobRescue(JobStore store, JobDispatcher dispatcher, RedisFollowUp followUp, JobsMetrics metrics)
{
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
            await dispatcher.DropLeasesAsync(result.Finished.Select(job => job.Id).ToList());
            await dispatcher.FollowAsync(result);
        }, "the leases, requeued jobs and released dependents of rescued attempts");
        return result.Finished;
    }
}
