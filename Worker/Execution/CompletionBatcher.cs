using System.Threading.Channels;
using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;

namespace AspireJobs.Worker.Execution;

/// <summary>
/// Writes successful outcomes to PostgreSQL in batches, group-commit style: a success waiting
/// alone is written at once, and the successes that arrive while a write is in flight go
/// together in the next one. No delay is added at low load; at high load one statement and one
/// commit carry many jobs. Each success is still fenced by its own lease token. The Redis leases
/// of the batch are released together afterwards.
/// </summary>
public sealed class CompletionBatcher : IAsyncDisposable
{
    public const int MaxBatch = 512;

    private readonly Channel<(JobSuccess Success, TaskCompletionSource<bool> Written)> _pending =
        Channel.CreateUnbounded<(JobSuccess, TaskCompletionSource<bool>)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly JobStore _store;
    private readonly JobDispatcher _dispatcher;
    private readonly WorkerIdentity _identity;
    private readonly Task _writer;

    public CompletionBatcher(JobStore store, JobDispatcher dispatcher, WorkerIdentity identity)
    {
        _store = store;
        _dispatcher = dispatcher;
        _identity = identity;
        _writer = Task.Run(WriteBatchesAsync);
    }

    /// <summary>Records a success; true when it was written under its lease, false when the lease was lost.</summary>
    public Task<bool> CompleteAsync(JobSuccess success)
    {
        var written = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.Writer.TryWrite((success, written)))
        {
            written.SetException(new InvalidOperationException("The worker is shutting down; the outcome was not recorded."));
        }

        return written.Task;
    }

    private async Task WriteBatchesAsync()
    {
        var batch = new List<(JobSuccess Success, TaskCompletionSource<bool> Written)>(MaxBatch);
        while (await _pending.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            try
            {
                var completed = await _store.JobSetCompletedIfRunningAsync(batch.Select(b => b.Success).ToList(), CancellationToken.None);
                await _dispatcher.ReleaseAsync(_identity.Id, completed);
                foreach (var (success, written) in batch)
                {
                    written.SetResult(completed.Contains(success.JobId));
                }
            }
            catch (Exception e)
            {
                // The jobs stay running in PostgreSQL; their lease deadline brings them back.
                foreach (var (_, written) in batch)
                {
                    written.SetException(e);
                }
            }

            batch.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _writer;
    }
}
