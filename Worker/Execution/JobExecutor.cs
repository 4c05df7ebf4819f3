using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Worker.Handlers;

namespace AspireJobs.Worker.Execution;

/// <summary>
/// Runs one started job: its handler under a token that fires on the job's timeout and on
/// shutdown, then the outcome, written to PostgreSQL under the job's lease token, then the Redis
/// lease released.
/// </summary>
public sealed partial class JobExecutor(
    JobHandlerRegistry handlers,
    IServiceScopeFactory scopes,
    JobStore store,
    JobDispatcher dispatcher,
    WorkerIdentity identity,
    ILogger<JobExecutor> logger)
{
    public async Task RunAsync(StartedJob job, CancellationToken shutdown)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        timeout.CancelAfter(job.Timeout);
        var context = new JobContext(job.Id, job.Type, job.Attempt, job.MaxRetries, job.Timeout, identity.Id);

        string? result = null;
        Exception? failure = null;
        try
        {
            if (!handlers.TryGet(job.Type, out var invoker))
            {
                throw new PermanentJobException($"No handler for job type '{job.Type}' on this worker.");
            }

            await using var scope = scopes.CreateAsyncScope();
            result = await invoker.InvokeAsync(scope.ServiceProvider, job.PayloadJson, context, timeout.Token);
        }
        catch (Exception e)
        {
            failure = e;
        }

        if (failure is null)
        {
            var completed = await store.JobSetCompletedIfRunningAsync([new JobSuccess(job.Id, job.LeaseToken, result)], CancellationToken.None);
            if (!completed.Contains(job.Id))
            {
                LogLeaseLost(job.Id, job.Type);
            }
        }
        else
        {
            LogFailed(job.Id, job.Type, job.Attempt, failure.Message);
        }

        await dispatcher.ReleaseAsync(identity.Id, [job.Id]);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({JobType}) finished after its lease was taken over; its outcome was not recorded")]
    private partial void LogLeaseLost(Guid jobId, string jobType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({JobType}) attempt {Attempt} failed: {Reason}")]
    private partial void LogFailed(Guid jobId, string jobType, int attempt, string reason);
}
