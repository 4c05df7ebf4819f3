using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Telemetry;

namespace AspireJobs.Api.Jobs;

/// <summary>
/// Creates jobs: first durably in PostgreSQL, then in their Redis band. A job is acknowledged
/// once PostgreSQL has it; if the push to Redis fails, it is pushed again once Redis answers
/// (<see cref="UnpushedJobs"/>, and the reconciler behind it), so a Redis outage delays jobs but
/// loses none. Concurrent single creates share inserts (<see cref="CreateBatcher"/>).
/// </summary>
public sealed class JobCreator : IAsyncDisposable
{
    private readonly JobStore _store;
    private readonly JobDispatcher _dispatcher;
    private readonly JobsMetrics _metrics;
    private readonly RedisFollowUp _followUp;
    private readonly UnpushedJobs _unpushed;
    private readonly CreateBatcher _batcher;

    public JobCreator(JobStore store, JobDispatcher dispatcher, JobsMetrics metrics, RedisFollowUp followUp, UnpushedJobs unpushed)
    {
        _store = store;
        _dispatcher = dispatcher;
        _metrics = metrics;
        _followUp = followUp;
        _unpushed = unpushed;
        _batcher = new CreateBatcher(store, unpushed);
    }

    public async Task<JobInsertResult> CreateAsync(NewJob job, CancellationToken cancellationToken)
    {
        using var send = JobsTracing.StartSend(job.Type, 1);
        job = job with { TraceParent = JobsTracing.TraceParentOf(send) };
        JobInsertResult result;
        if (job.DependsOn.Count == 0)
        {
            result = await _batcher.CreateAsync(job);
        }
        else
        {
            result = await _store.JobInsertAsync(job, cancellationToken);
            if (result.Created && result.Job.Status == JobStatus.Queued)
            {
                await _unpushed.EnqueueAsync([new QueuedJob(result.Job.Id, result.Job.Priority)], TicketsOf([job], [result.Job]));
            }

            await _followUp.TryAsync(() => _dispatcher.ApplyAsync(result.Workflow), WorkflowChange);
        }

        if (result.Created)
        {
            _metrics.Created(job.Type);
        }
        else
        {
            // Outside the group commit: the other creates of its batch do not wait for this.
            await _unpushed.EnqueueRepeatedAsync([result.Job.Id]);
        }

        return result;
    }

    /// <summary>Creates all the jobs or none; returns their ids in request order.</summary>
    public async Task<IReadOnlyList<Guid>> CreateBatchAsync(IReadOnlyList<NewJob> jobs, CancellationToken cancellationToken)
    {
        using var send = JobsTracing.StartSend(jobs.Count > 0 && jobs.All(job => job.Type == jobs[0].Type) ? jobs[0].Type : "batch", jobs.Count);
        if (JobsTracing.TraceParentOf(send) is { } traceParent)
        {
            jobs = jobs.Select(job => job with { TraceParent = traceParent }).ToList();
        }

        var result = await _store.JobInsertBatchAsync(jobs, cancellationToken);
        await _unpushed.EnqueueAsync(result.Queued, TicketsOf(jobs, result.Created));
        await _unpushed.EnqueueRepeatedAsync(RepeatedIds(result));
        await _followUp.TryAsync(() => _dispatcher.ApplyAsync(result.Workflow), WorkflowChange);
        for (var i = 0; i < jobs.Count; i++)
        {
            if (result.Created[i] is not null)
            {
                _metrics.Created(jobs[i].Type);
            }
        }

        return result.Ids;
    }

    public ValueTask DisposeAsync() => _batcher.DisposeAsync();

    /// <summary>
    /// The tickets of the jobs created queued (see <see cref="JobTicket"/>), by id, to be added by
    /// a ticket's lifetime after the earliest of them was created; null when there are none.
    /// <paramref name="created"/> is null where no job was created.
    /// </summary>
    internal static NewJobTickets? TicketsOf(IReadOnlyList<NewJob> requests, IReadOnlyList<Job?> created)
    {
        var tickets = new Dictionary<Guid, string>(created.Count);
        var earliest = DateTimeOffset.MaxValue;
        for (var i = 0; i < created.Count; i++)
        {
            if (created[i] is { Status: JobStatus.Queued } job && JobTicket.Of(job, requests[i].TraceParent) is { } ticket)
            {
                tickets[job.Id] = ticket;
                earliest = job.CreatedAt < earliest ? job.CreatedAt : earliest;
            }
        }

        return tickets.Count == 0 ? null : NewJobTickets.OfJobsCreatedAt(earliest, tickets);
    }

    /// <summary>The jobs of <paramref name="result"/> that were there already: their requests repeated an idempotency key.</summary>
    private static List<Guid> RepeatedIds(BatchInsertResult result) =>
        result.Ids.Where((_, i) => result.Created[i] is null).ToList();

    private const string WorkflowChange = "jobs released or raised by new dependents";
}
