using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using StackExchange.Redis;

namespace AspireJobs.Api.Jobs;

/// <summary>
/// Creates jobs: first durably in PostgreSQL, then in their Redis band. The job is acknowledged
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
            try
            {
                await dispatcher.EnqueueAsync([new QueuedJob(result.Job.Id, result.Job.Priority)]);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                LogEnqueueDeferred(result.Job.Id, e.Message);
            }
        }

        return result;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} is stored but not yet in its band ({Reason}); the reconciler will push it")]
    private partial void LogEnqueueDeferred(Guid jobId, string reason);
}
