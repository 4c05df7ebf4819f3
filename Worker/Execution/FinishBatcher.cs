using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Storage;

namespace AspireJobs.Worker.Execution;

/// <summary>
/// Writes the outcomes of attempts to PostgreSQL in group commits (<see cref="GroupCommit{TItem, TResult}"/>):
/// one finishing statement and one transaction for the outcomes waiting together, whatever they
/// are, each still fenced by its own lease token. After the commit, Redis follows: the batch's
/// leases are released (each the very lease its attempt ran under, not a later one of its job), handed-back jobs and released dependents go to their bands, and boosted
/// jobs change band. A lost Redis write is repaired by the reconciler.
/// </summary>
public sealed class FinishBatcher : IAsyncDisposable
{
    public const int MaxBatch = 512;

    private readonly JobStore _store;
    private readonly JobDispatcher _dispatcher;
    private readonly WorkerIdentity _identity;
    private readonly RedisFollowUp _followUp;
    private readonly GroupCommit<(JobFinish Finish, JobLease Lease), FinishedJob?> _commit;

    public FinishBatcher(JobStore store, JobDispatcher dispatcher, WorkerIdentity identity, RedisFollowUp followUp)
    {
        _store = store;
        _dispatcher = dispatcher;
        _identity = identity;
        _followUp = followUp;
        // The jobs of one acquisition start together, and short ones finish together: gathered,
        // they share one statement rather than the first one taking a statement of its own.
        _commit = new GroupCommit<(JobFinish Finish, JobLease Lease), FinishedJob?>(MaxBatch, WriteAsync, "The worker is shutting down; the outcome was not recorded.", gatherQueuedWork: true);
    }

    /// <summary>
    /// Records an outcome, then ends the Redis <paramref name="lease"/> the attempt ran under; the
    /// job as it now is, or null when its lease was lost and nothing changed.
    /// </summary>
    public Task<FinishedJob?> FinishAsync(JobFinish finish, JobLease lease) => _commit.WriteAsync((finish, lease));

    // On failure the jobs not yet finished stay running in PostgreSQL (their lease deadline, or this
    // worker's stop, brings them back); any finished before the failure that went back to queued are
    // pushed by the reconciler.
    private async Task<IReadOnlyList<FinishedJob?>> WriteAsync(IReadOnlyList<(JobFinish Finish, JobLease Lease)> finishes)
    {
        var result = await _store.JobFinishIfRunningAsync(finishes.Select(item => item.Finish).ToList(), CancellationToken.None);
        // By lease: of two attempts of one job in a batch, only the one recorded hears it was.
        var byLease = result.Finished.ToDictionary(job => job.Lease);
        await _followUp.TryAsync(async () =>
        {
            await _dispatcher.ReleaseAsync(_identity.Id, finishes.Select(item => item.Lease).ToList());
            await _dispatcher.FollowAsync(result);
        }, "the leases, requeued jobs and released dependents of recorded outcomes");

        return finishes.Select(item => byLease.TryGetValue(item.Lease, out var job) ? job : (FinishedJob?)null).ToList();
    }

    public ValueTask DisposeAsync() => _commit.DisposeAsync();
}
