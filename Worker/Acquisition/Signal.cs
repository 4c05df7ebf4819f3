namespace AspireJobs.Worker.Acquisition;

/// <summary>
/// An awaitable auto-reset flag. <see cref="Set"/> before a wait is not lost: the next wait
/// returns at once. Many sets before one wait count as one.
/// </summary>
public sealed class Signal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        try
        {
            _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already set; the waiter will see it.
        }
    }

    /// <summary>Clears a pending set, so the next wait waits for a new one.</summary>
    public void Reset() => _semaphore.Wait(0);

    public void Dispose() => _semaphore.Dispose();

    /// <summary>Waits for a set, or the timeout; true when it was set.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _semaphore.WaitAsync(timeout, cancellationToken);
}
