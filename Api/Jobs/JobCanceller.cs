using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using StackExchange.Redis;

namespace AspireJobs.Api.Jobs;

/// <summary>The result of a cancellation request.</summary>
public enum CancelResult
{
    /// <summary>It had not started; it is cancelled now.</summary>
    Cancelled,

    /// <summary>It is running; its worker was told and it ends cancelled when its handler stops.</summary>
    Requested,

    /// <summary>It had already finished (completed, dead-lettered or cancelled).</summary>
    AlreadyFinished,

    NotFound,
}

/// <summary>
/// Cancels jobs. A job that has not started is cancelled at once in PostgreSQL and taken out of
/// its band. For a running job the request is recorded (so no retry or hand-back revives it) and
/// published, and the worker running it fires the job's token.
/// </summary>
public sealed partial class JobCanceller(JobStore store, JobDispatcher dispatcher, ILogger<JobCanceller> logger)
{
    public async Task<CancelResult> CancelAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await store.JobSetCancelledIfPendingAsync(id, cancellationToken) is { } cancelled)
        {
            if (cancelled.Previous == JobStatus.Queued)
            {
                await RedisBestEffortAsync(() => dispatcher.DequeueAsync([id]), id);
            }

            // Dependents released by their policy, ancestors no longer lifted by this job.
            await RedisBestEffortAsync(() => dispatcher.ApplyAsync(cancelled.Workflow), id);
            return CancelResult.Cancelled;
        }

        if (await store.JobSetCancelRequestedIfRunningAsync(id, cancellationToken))
        {
            await RedisBestEffortAsync(() => dispatcher.PublishCancellationAsync(id), id);
            return CancelResult.Requested;
        }

        return await store.JobGetByIdAsync(id, cancellationToken) is null ? CancelResult.NotFound : CancelResult.AlreadyFinished;
    }

    // PostgreSQL has the decision. A stale band entry is dropped by the worker that takes it (the
    // job is no longer queued) or by the reconciler; a lost message is caught by the worker's next
    // metrics report, which reads the cancellation requests of the jobs it runs.
    private async Task RedisBestEffortAsync(Func<Task> action, Guid id)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogRedisUnavailable(id, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} is cancelled in PostgreSQL but Redis could not be told ({Reason})")]
    private partial void LogRedisUnavailable(Guid jobId, string reason);
}
