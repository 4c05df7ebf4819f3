using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Storage;

namespace AspireJobs.Worker.Execution;

/// <summary>
/// Writes successful outcomes to PostgreSQL in group commits (<see cref="GroupCommit{TItem, TResult}"/>):
/// one statement and one commit for the successes waiting together, each still fenced by its own
/// lease token. The Redis leases of a batch are released together afterwards.
/// </summary>
public sealed class CompletionBatcher : IAsyncDisposable
{
    public const int MaxBatch = 512;

    private readonly JobStore _store;
    private readonly JobDispatcher _dispatcher;
    private readonly WorkerIdentity _identity;
    private readonly GroupCommit<JobSuccess, bool> _commit;

    public CompletionBatcher(JobStore store, JobDispatcher dispatcher, WorkerIdentity identity)
    {
        _store = store;
        _dispatcher = dispatcher;
        _identity = identity;
        _commit = new GroupCommit<JobSuccess, bool>(MaxBatch, WriteAsync, "The worker is shutting down; the outcome was not recorded.");
    }

    /// <summary>Records a success; true when it was written under its lease, false when the lease was lost.</summary>
    public Task<bool> CompleteAsync(JobSuccess success) => _commit.WriteAsync(success);

    // On failure the jobs stay running in PostgreSQL; their lease deadline brings them back.
    private async Task<IReadOnlyList<bool>> WriteAsync(IReadOnlyList<JobSuccess> successes)
    {
        var completed = await _store.JobSetCompletedIfRunningAsync(successes, CancellationToken.None);
        await _dispatcher.ReleaseAsync(_identity.Id, completed);
        return successes.Select(success => completed.Contains(success.JobId)).ToList();
    }

    public ValueTask DisposeAsync() => _commit.DisposeAsync();
}
