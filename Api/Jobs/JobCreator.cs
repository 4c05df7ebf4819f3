using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using StackExchange.Redis;

namespace AspireJobs.Api.Jobs;

/// <summary>
/// Creates jobs: first durably in PostgreSQL, then in their Redis band. A job is acknowledged
/// once PostgreSQL has it; if the push to Redis fails, the reconciler pushes it later, so a
/// Redis outage delays jobs but loses none. Concurrent single creates share inserts
/// (<see cref="CreateBatcher"/>).
/// </summary>
public sealed partial class JobCreator : IAsyncDisposable
{
    private readonly JobStore _store;
    private readonly JobDispatcher _dispatcher;
    private readonly ILogger<JobCreator> _logger;
    private readonly CreateBatcher _batcher;

    public JobCreator(JobStore store, JobDispatcher dispatcher, ILogger<JobCreator> logger)
    {
        _store = store;
        _dispatcher = dispatcher;
        _logger = logger;
        _batcher = new CreateBatcher(store, EnqueueAsync);
    }

    public async Task<JobInsertResult> CreateAsync(NewJob job, CancellationToken cancellationToken)
    {
        if (job.DependsOn.Count == 0)
        {
            return await _batcher.CreateAsync(job);
        }

        var result = await _store.JobInsertAsync(job, cancellationToken);
        if (result.Created && result.Job.Status == JobStatus.Queued)
        {
            await EnqueueAsync([new QueuedJob(result.Job.Id, result.Job.Priority)]);
        }

        await RedisBestEffortAsync(() => _dispatcher.ApplyAsync(result.Workflow));
        return result;
    }

    /// <summary>Creates all the jobs or none; returns their ids in request order.</summary>
    public async Task<IReadOnlyList<Guid>> CreateBatchAsync(IReadOnlyList<NewJob> jobs, CancellationToken cancellationToken)
    {
        var result = await _store.JobInsertBatchAsync(jobs, cancellationToken);
        await EnqueueAsync(result.Queued);
        await RedisBestEffortAsync(() => _dispatcher.ApplyAsync(result.Workflow));
        return result.Ids;
    }

    public ValueTask DisposeAsync() => _batcher.DisposeAsync();

    private Task EnqueueAsync(IReadOnlyCollection<QueuedJob> jobs) => RedisBestEffortAsync(() => _dispatcher.EnqueueAsync(jobs));

    private async Task RedisBestEffortAsync(Func<Task> write)
    {
        try
        {
            await write();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogEnqueueDeferred(e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Jobs are stored but Redis could not follow ({Reason}); the reconciler will push them")]
    private partial void LogEnqueueDeferred(string reason);
}
