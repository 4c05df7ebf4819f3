namespace AspireJobs.Core.Storage;

/// <summary>
/// Group commit: callers hand in one item each, and one write at a time carries everything
/// waiting (up to a maximum). An item arriving when no write is in flight is written at once, by
/// its own caller, with no other thread involved; the items that arrive while a write is in
/// flight go together in the next one, which a background loop carries on until none is left.
/// No delay is added at low load, nor a hand-off between threads; at high load one statement and
/// one commit carry many items. Each caller is answered only after its item's write.
/// With <c>gatherQueuedWork</c>, a leader first lets the work already queued on the thread pool
/// run, so that the items that work is about to hand in join its write.
/// </summary>
public sealed class GroupCommit<TItem, TResult> : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Queue<(TItem Item, TaskCompletionSource<TResult> Written)> _waiting = new();
    private readonly int _maxBatch;
    private readonly Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> _write;
    private readonly string _closedMessage;
    private readonly bool _gatherQueuedWork;
    private bool _writing;
    private bool _closed;
    private TaskCompletionSource? _drained;

    /// <param name="maxBatch">The most items one write carries.</param>
    /// <param name="write">Writes a batch; returns one result per item, in order.</param>
    /// <param name="closedMessage">The error of an item handed in once disposal began.</param>
    /// <param name="gatherQueuedWork">
    /// A leader yields to the thread pool's queued work once before it writes: one hop more for a
    /// lone item, for fewer, larger writes when items come in bursts from queued work.
    /// </param>
    public GroupCommit(int maxBatch, Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> write, string closedMessage, bool gatherQueuedWork = false)
    {
        _maxBatch = maxBatch;
        _write = write;
        _closedMessage = closedMessage;
        _gatherQueuedWork = gatherQueuedWork;
    }

    public Task<TResult> WriteAsync(TItem item)
    {
        // Continuations run elsewhere: the writer must not run a waiting caller's code inline.
        var written = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool leads;
        lock (_gate)
        {
            if (_closed)
            {
                return Task.FromException<TResult>(new InvalidOperationException(_closedMessage));
            }

            _waiting.Enqueue((item, written));
            leads = !_writing;
            _writing = true;
        }

        // A follower's answer comes from the write in flight, or the loop after it.
        return leads ? LeadAsync(written) : written.Task;
    }

    /// <summary>No write was in flight, so nothing waited before this item: it leads the next batch.</summary>
    private async Task<TResult> LeadAsync(TaskCompletionSource<TResult> written)
    {
        if (_gatherQueuedWork)
        {
            await Task.Yield(); // to the back of the thread pool's queue
        }

        await WriteNextBatchAsync();
        if (!TryStopWriting())
        {
            // More arrived meanwhile: a background loop writes them, so that this caller is
            // answered now rather than after everyone else's writes.
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(WriteUntilNoneWaitAsync);
            }
        }

        return await written.Task;
    }

    private async Task WriteUntilNoneWaitAsync()
    {
        do
        {
            await WriteNextBatchAsync();
        }
        while (!TryStopWriting());
    }

    /// <summary>Writes up to the maximum of the waiting items; answers each, a failure included.</summary>
    private async Task WriteNextBatchAsync()
    {
        var batch = new List<(TItem Item, TaskCompletionSource<TResult> Written)>();
        lock (_gate)
        {
            while (batch.Count < _maxBatch && _waiting.TryDequeue(out var waiting))
            {
                batch.Add(waiting);
            }
        }

        try
        {
            var results = await _write(batch.ConvertAll(b => b.Item));
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
    }

    /// <summary>Ends the writing when nothing waits; false when more items are to be written.</summary>
    private bool TryStopWriting()
    {
        TaskCompletionSource? drained;
        lock (_gate)
        {
            if (_waiting.Count > 0)
            {
                return false;
            }

            _writing = false;
            drained = _drained;
        }

        drained?.TrySetResult();
        return true;
    }

    /// <summary>Refuses new items, and waits until every item handed in before is written.</summary>
    public async ValueTask DisposeAsync()
    {
        Task drained;
        lock (_gate)
        {
            _closed = true;
            if (!_writing)
            {
                return;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            drained = _drained.Task;
        }

        await drained;
    }
}
