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
    private readonly TimeProvider _clock;
    private readonly ILogger<JobCreator> _logger;
    private readonly CreateBatcher _batcher;

    public JobCreator(JobStore store, JobDispatcher dispatcher, TimeProvider clock, ILogger<JobCreator> logger)
    {
        _store = store;
        _dispatcher = dispatcher;
        _clock = clock;
        _logger = logger;
        _batcher = new CreateBatcher(store, clock, EnqueueAsync);
    }

    public async Task<JobInsertResult> CreateAsync(NewJob job, CancellationToken cancellationToken)
    {
        if (job.DependsOn.Count == 0)
        {
            return await _batcher.CreateAsync(job);
        }

        var result = await _store.JobInsertAsync(job, _clock.GetUtcNow(), cancellationToken);
        if (result.Created && result.Job.Status == JobStatus.Queued)
        {
            await EnqueueAsync([new QueuedJob(result.Job.Id, result.Job.Priority)]);
        }

        return result;
    }

    /// <summary>Creates all the jobs or none; returns their ids in request order.</summary>
    public async Task<IReadOnlyList<Guid>> CreateBatchAsync(IReadOnlyList<NewJob> jobs, CancellationToken cancellationToken)
    {
        var result = await _store.JobInsertBatchAsync(jobs, _clock.GetUtcNow(), cancellationToken);
        await EnqueueAsync(result.Queued);
        return result.Ids;
    }

    public ValueTask DisposeAsync() => _batcher.DisposeAsync();

    private async Task EnqueueAsync(IReadOnlyCollection<QueuedJob> jobs)
    {
        try
        {
            await _dispatcher.EnqueueAsync(jobs);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogEnqueueDeferred(jobs.Count, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} jobs are stored but not yet in their bands ({Reason}); the reconciler will push them")]
    private partial void LogEnqueueDeferred(int count, string reason);
}
