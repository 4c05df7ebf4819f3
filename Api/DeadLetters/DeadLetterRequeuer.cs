using AspireJobs.Api.Jobs;
using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;

namespace AspireJobs.Api.DeadLetters;

/// <summary>
/// Requeues dead letters, for the route and the dashboard alike: the job back in its band with its
/// retries restored, and the jobs its failure had cancelled waiting for it again. If Redis misses
/// the job's push, it is pushed again once Redis answers (<see cref="UnpushedJobs"/>); the
/// reconciler makes every push Redis missed.
/// </summary>
public sealed class DeadLetterRequeuer(JobStore store, JobDispatcher dispatcher, RedisFollowUp followUp, UnpushedJobs unpushed)
{
    /// <summary>The job as it now is, with whether it was requeued; null when there is no such job.</summary>
    public async Task<(Job Job, bool Requeued)?> RequeueAsync(Guid id, CancellationToken cancellationToken)
    {
        var requeued = await store.JobSetQueuedIfDeadLetteredAsync(id, cancellationToken);
        if (requeued is not null)
        {
            await unpushed.EnqueueAsync([new QueuedJob(id, requeued.Priority)]);
            await followUp.TryAsync(() => dispatcher.ApplyAsync(requeued.Workflow), $"the jobs requeued job {id}'s failure had cancelled");
        }

        return await store.JobGetByIdAsync(id, cancellationToken) is { } job ? (job, requeued is not null) : null;
    }
}
