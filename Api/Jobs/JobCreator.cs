using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using StackExchange.Redis;

namespace AspireJobs.Api.Jobs;

/// <summary>
/// Creates jobs: first durably in PostgreSQL, then in their Redis band. A job is acknowledged
/// once PostgreSQL has it; if the push to Redis fails, the reconciler pushes it later, so a
/// Redis outage delays jobs but loses none.
/// </summary>
public sealed partial class JobCreator(JobStore store, JobDispatcher dispatcher, TimeProvider clock, ILogger<JobCreator> logger)
{
    public async Task<JobInsertResult> CreateAsync(NewJob job, CancellationToken cancellationToken)
    {
        var result = await store.JobInsertAsync(job, clock.GetUtcNow(), cancellationToken);
        if (result.Created && result.Job.Status == JobStatus.Queued)
        {
            await EnqueueAsync([new QueuedJob(result.Job.Id, result.Job.Priority)]);
        }

        return result;
    }

    /// <summary>Creates all the jobs or none; returns their ids in request order.</summary>
    public async Task<IReadOnlyList<Guid>> CreateBatchAsync(IReadOnlyList<NewJob> jobs, CancellationToken cancellationToken)
    {
        var result = await store.JobInsertBatchAsync(jobs, clock.GetUtcNow(), cancellationToken);
        await EnqueueAsync(result.Queued);
        return result.Ids;
    }

    private async Task EnqueueAsync(IReadOnlyCollection<QueuedJob> jobs)
    {
        try
        {
            await dispatcher.EnqueueAsync(jobs);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogEnqueueDeferred(jobs.Count, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} jobs are stored but not yet in their bands ({Reason}); the reconciler will push them")]
    private partial void LogEnqueueDeferred(int count, string reason);
}
