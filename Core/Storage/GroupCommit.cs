using System.Threading.Channels;

namespace AspireJobs.Core.Storage;

/// <summary>
/// Group commit: callers hand in one item each, and a single writer writes everything waiting
/// (up to a maximum) in one call. An item arriving alone is written at once; the items that
/// arrive while a write is in flight go together in the next one. No delay is added at low load;
/// at high load one statement and one commit carry many items. Each caller is answered only
/// after its item's write.
/// </summary>
public sealed class GroupCommit<TItem, TResult> : IAsyncDisposable
{
    private readonly Channel<(TItem Item, TaskCompletionSource<TResult> Written)> _pending =
        Channel.CreateUnbounded<(TItem, TaskCompletionSource<TResult>)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int _maxBatch;
    private readonly Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> _write;
    private readonly string _closedMessage;
    private readonly Task _writer;

    /// <param name="maxBatch">The most items one write carries.</param>
    /// <param name="write">Writes a batch; returns one result per item, in order.</param>
    /// <param name="closedMessage">The error of an item handed in once disposal began.</param>
    public GroupCommit(int maxBatch, Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> write, string closedMessage)
    {
        _maxBatch = maxBatch;
        _write = write;
        _closedMessage = closedMessage;
        _writer = Task.Run(WriteBatchesAsync);
    }

    public Task<TResult> WriteAsync(TItem item)
    {
        var written = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.Writer.TryWrite((item, written)))
        {
            written.SetException(new InvalidOperationException(_closedMessage));
        }

        return written.Task;
    }

    private async Task WriteBatchesAsync()
    {
        var batch = new List<(TItem Item, TaskCompletionSource<TResult> Written)>(_maxBatch);
        while (await _pending.Reader.WaitToReadAsync())
        {
            while (batch.Count < _maxBatch && _pending.Reader.TryRead(out var waiting))
            {
                batch.Add(waiting);
            }

            try
            {
                var results = await _write(batch.Select(b => b.Item).ToList());
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Written.SetResult(results[i]);
                }
            }
            catch (Exception e)
            {
                foreach (var (_, written) in batch)
                {
                    written.TrySetException(e);
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
