namespace AspireJobs.Tests.Infrastructure;

/// <summary>
/// A thread pool of one thread, in order: work queued with <see cref="Queue"/>, and every
/// continuation posted while it runs (<c>Task.Yield</c>, awaits), runs first-in first-out on the
/// caller's thread in <see cref="Run"/>. Makes "work already queued runs before a yield's
/// continuation" exact, where the real pool's threads would race.
/// </summary>
public sealed class QueuedWorkLoop : SynchronizationContext
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _queue = new();

    public void Queue(Action work) => Post(_ => work(), null);

    public override void Post(SendOrPostCallback d, object? state)
    {
        lock (_queue)
        {
            _queue.Enqueue((d, state));
        }
    }

    /// <summary>Runs queued work until none is left, with this loop as the synchronization context.</summary>
    public void Run()
    {
        var previous = Current;
        SetSynchronizationContext(this);
        try
        {
            while (true)
            {
                (SendOrPostCallback Callback, object? State) next;
                lock (_queue)
                {
                    if (!_queue.TryDequeue(out next))
                    {
                        return;
                    }
                }

                next.Callback(next.State);
            }
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }
}
