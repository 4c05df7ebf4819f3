using System.Diagnostics;

namespace AspireJobs.Worker.Execution;

/// <summary>
/// A work item on the thread pool's global queue, where the heartbeat's and the timers' work
/// waits too: how long it waits for a thread is how long they would.
/// </summary>
public sealed class PoolProbe
{
    private readonly long _queuedAt = Stopwatch.GetTimestamp();
    private long _ranAt;

    private PoolProbe()
    {
    }

    public static PoolProbe Queue()
    {
        var probe = new PoolProbe();
        ThreadPool.UnsafeQueueUserWorkItem(static p => Volatile.Write(ref p._ranAt, Stopwatch.GetTimestamp()), probe, preferLocal: false);
        return probe;
    }

    public bool Ran => Volatile.Read(ref _ranAt) != 0;

    /// <summary>From its queueing to its run, or to now while it still waits.</summary>
    public TimeSpan Waited => Stopwatch.GetElapsedTime(_queuedAt, Volatile.Read(ref _ranAt) is var ranAt and not 0 ? ranAt : Stopwatch.GetTimestamp());
}
