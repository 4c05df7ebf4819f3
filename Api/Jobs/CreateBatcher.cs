using AspireJobs.Core.Jobs;
using AspireJobs.Core.Storage;

namespace AspireJobs.Api.Jobs;

/// <summary>
/// Coalesces concurrent single creates into one multi-row insert, in group commits
/// (<see cref="GroupCommit{TItem, TResult}"/>): each caller is answered only after its job is
/// committed and queued. Jobs with dependencies are created on their own, so a missing
/// dependency fails only its own request.
/// </summary>
public sealed class CreateBatcher : IAsyncDisposable
{
    public const int MaxBatch = 500;

    private readonly JobStore _store;
    private readonly UnpushedJobs _unpushed;
    private readonly GroupCommit<NewJob, JobInsertResult> _commit;

    public CreateBatcher(JobStore store, UnpushedJobs unpushed)
    {
        _store = store;
        _unpushed = unpushed;
        _commit = new GroupCommit<NewJob, JobInsertResult>(MaxBatch, WriteAsync, "The Api is shutting down.");
    }

    public Task<JobInsertResult> CreateAsync(NewJob job) => _commit.WriteAsync(job);

    private async Task<IReadOnlyList<JobInsertResult>> WriteAsync(IReadOnlyList<NewJob> jobs)
    {
        var result = await _store.JobInsertBatchAsync(jobs, CancellationToken.None);
        await _unpushed.EnqueueAsync(result.Queued, JobCreator.TicketsOf(jobs, result.Created));
        var answers = new JobInsertResult[jobs.Count];
        for (var i = 0; i < jobs.Count; i++)
        {
            // A job not created here repeated an idempotency key: the answer is the existing job.
            answers[i] = result.Created[i] is { } job
                ? new JobInsertResult(job, Created: true, result.Workflow)
                : new JobInsertResult((await _store.JobGetByIdAsync(result.Ids[i], CancellationToken.None))!, Created: false, result.Workflow);
        }

        return answers;
    }

    public ValueTask DisposeAsync() => _commit.DisposeAsync();
}
