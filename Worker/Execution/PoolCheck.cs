namespace AspireJobs.Worker.Execution;

/// <summary>
/// What one check of the thread pool found: whether the probe queued at the check before has
/// run and how long it waited, and how many work items the pool's threads finished meanwhile.
/// </summary>
public readonly record struct PoolCheck(bool ProbeRan, TimeSpan ProbeWaited, long ItemsCompleted, int Threads)
{
    /// <summary>A probe run this soon found a thread free.</summary>
    public static readonly TimeSpan ServedWithin = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// The probe waited a whole check while the threads finished fewer items than there are of
    /// them: they are held, not merely busy. A long queue of short items (a drain of quick jobs)
    /// also keeps a probe waiting, but its threads finish hundreds of items meanwhile, and more
    /// threads would not serve it sooner.
    /// </summary>
    public bool Starved => !ProbeRan && ItemsCompleted < Threads;

    /// <summary>The probe found a thread at once.</summary>
    public bool Served => ProbeRan && ProbeWaited < ServedWithin;
}
