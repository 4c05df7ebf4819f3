namespace AspireJobs.Worker.Execution;

/// <summary>
/// What one check of the thread pool found: whether the probe the guard queued last has run
/// and how long it waited, and how many work items the pool's threads finished since the check
/// before.
/// </summary>
public readonly record struct PoolCheck(bool ProbeRan, TimeSpan ProbeWaited, long ItemsCompleted, int PoolThreads)
{
    /// <summary>
    /// The probe still waits while the threads finished fewer items than there are of them: they
    /// are held, not merely busy. A long queue of short items (a drain of quick jobs) also keeps
    /// a probe waiting, but its threads finish hundreds of items meanwhile, and more threads would
    /// not serve it sooner.
    /// </summary>
    public bool Starved => !ProbeRan && ItemsCompleted < PoolThreads;
}
