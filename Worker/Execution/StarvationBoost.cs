namespace AspireJobs.Worker.Execution;

/// <summary>
/// How many threads to add to the thread pool's minimum while it starves
/// (<see cref="PoolCheck.Starved"/>): handlers that compute, inside their call or after their
/// first <c>await</c>, hold pool threads that nothing else counts. Each starved check doubles the
/// boost, up to <paramref name="cap"/> (the most handlers that run at once), so a pool held by
/// many reaches enough threads in a few checks. Once <see cref="DecayAfter"/> checks in a row
/// have found it not starved, each further one takes a thread off: the boost fades as the work
/// passes, a thread at a time, so that it does not drop below the threads still held and starve
/// the pool again at once.
/// </summary>
public sealed class StarvationBoost(int cap)
{
    /// <summary>Checks in a row that find the pool not starved before the boost fades.</summary>
    public const int DecayAfter = 10;

    private int _calmChecks;

    /// <summary>The threads to add to the pool's minimum now.</summary>
    public int Threads { get; private set; }

    /// <summary>Takes in one check; true when it begins a starvation (the boost was none).</summary>
    public bool Observe(PoolCheck check)
    {
        if (check.Starved)
        {
            var began = Threads == 0;
            Threads = Math.Clamp(Threads * 2, 1, Math.Max(1, cap));
            _calmChecks = 0;
            return began;
        }

        if (Threads > 0 && ++_calmChecks > DecayAfter)
        {
            Threads--;
        }

        return false;
    }
}
