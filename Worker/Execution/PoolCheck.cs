namespace AspireJobs.Worker.Execution;

/// <summary>
/// What one look at the thread pool found: whether the probe the guard queued last has run and
/// how long it waited, and how many work items the pool's threads finished since the look
/// before.
/// </summary>
public readonly record struct PoolCheck(bool ProbeRan, TimeSpan ProbeWaited, long ItemsCompleted, int PoolThreads)
{
    /// <summary>
    /// How long a probe waits before its wait counts. On a machine whose cores are all busy a
    /// thread woken for an idle pool's one item can wait a tenth of a second for a core (seen
    /// through the fault checks, with no handler holding a thread); a worker's heartbeat allows
    /// seconds.
    /// </summary>
    public static readonly TimeSpan StarvedAfter = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// The probe has waited <see cref="StarvedAfter"/> and still waits while the threads finished
    /// fewer items than there are of them: they are held, not merely busy. A long queue of short
    /// items (a drain of quick jobs) also keeps a probe waiting, but its threads finish hundreds
    /// of items meanwhile, and more threads would not serve it sooner.
    /// </summary>
    public bool Starved => !ProbeRan && ProbeWaited >= StarvedAfter && ItemsCompleted < PoolThreads;
}
