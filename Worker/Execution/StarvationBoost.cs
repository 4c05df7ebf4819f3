namespace AspireJobs.Worker.Execution;

/// <summary>
/// How many threads to add to the thread pool's minimum for a starvation that only shows from
/// outside: work queued to the pool waited a whole check for a thread. Handlers that compute
/// after their first <c>await</c> hold pool threads as surely as those that compute inside
/// their call, but no count of calls sees them. Each check that finds the pool starved doubles
/// the boost, up to <paramref name="cap"/> (the most handlers that run at once), so a pool held
/// by many reaches enough threads in a few checks; after <see cref="DecayAfter"/> checks in a
/// row that find it served, the boost halves, so it fades once the work has passed.
/// </summary>
public sealed class StarvationBoost(int cap)
{
    /// <summary>Checks in a row that find the pool served before the boost halves.</summary>
    public const int DecayAfter = 10;

    private int _servedChecks;

    /// <summary>The threads to add to the pool's minimum now.</summary>
    public int Threads { get; private set; }

    /// <summary>Takes in one check: whether work queued at the last check still waits.</summary>
    public void Observe(bool starved)
    {
        if (starved)
        {
            Threads = Math.Clamp(Threads * 2, 1, Math.Max(1, cap));
            _servedChecks = 0;
        }
        else if (Threads > 0 && ++_servedChecks >= DecayAfter)
        {
            Threads /= 2;
            _servedChecks = 0;
        }
    }
}
