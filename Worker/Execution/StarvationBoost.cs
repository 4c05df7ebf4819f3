namespace AspireJobs.Worker.Execution;

/// <summary>
/// How many threads to add to the thread pool's minimum for a starvation that only shows from
/// outside (<see cref="PoolCheck.Starved"/>). Handlers that compute after their first
/// <c>await</c> hold pool threads as surely as those that compute inside their call, but no
/// count of calls sees them. Each starved check doubles the boost, up to <paramref name="cap"/>
/// (the most handlers that run at once), so a pool held by many reaches enough threads in a few
/// checks. Once <see cref="DecayAfter"/> checks in a row have found it served at once, each
/// further such check takes one thread off: the boost fades as the work passes, a thread at a
/// time, so that it does not fall below the threads still held and starve the pool again.
/// </summary>
public sealed class StarvationBoost(int cap)
{
    /// <summary>Checks in a row that found the pool served at once before the boost fades.</summary>
    public const int DecayAfter = 10;

    private int _servedChecks;

    /// <summary>The threads to add to the pool's minimum now.</summary>
    public int Threads { get; private set; }

    public void Observe(PoolCheck check)
    {
        if (check.Starved)
        {
            Threads = Math.Clamp(Threads * 2, 1, Math.Max(1, cap));
            _servedChecks = 0;
        }
        else if (!check.Served)
        {
            _servedChecks = 0;
        }
        else if (++_servedChecks >= DecayAfter && Threads > 0)
        {
            Threads--;
        }
    }
}
