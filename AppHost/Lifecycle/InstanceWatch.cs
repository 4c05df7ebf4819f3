namespace AspireJobs.AppHost.Lifecycle;

/// <summary>
/// One resource instance as <see cref="CrashRestarter"/> sees it, from the states Aspire reports:
/// whether it just ended on its own, and how long to wait before starting it again. An instance
/// that passed through <c>Stopping</c> was asked to stop and is left alone. The delay doubles
/// from 1 s up to 30 s while the instance keeps dying within <see cref="StableRun"/> of starting,
/// or while starting it again fails, so a service that cannot start does not spin. An instance
/// that ran longer was ended by something else (a kill, the OOM killer, a lost dependency it
/// exits on), and waiting longer for each such end would only keep the fleet short of it for
/// longer: it comes back after the first delay. Thread-safe: the states arrive on one thread,
/// the restarts run on others.
/// </summary>
public sealed class InstanceWatch
{
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan StableRun = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    private string? _state;
    private DateTimeOffset _runningSince;
    private bool _stopRequested;
    private TimeSpan _nextDelay = FirstDelay;

    /// <summary>Whether the instance is down and nobody asked for that: a restart is still wanted.</summary>
    public bool AwaitsRestart
    {
        get
        {
            lock (_lock)
            {
                return IsTerminal(_state) && !_stopRequested;
            }
        }
    }

    /// <summary>Takes the instance's next state; returns the delay before a restart when it just ended on its own, else null.</summary>
    public TimeSpan? Observe(string state, DateTimeOffset now)
    {
        lock (_lock)
        {
            var previous = _state;
            _state = state;

            if (state == KnownResourceStates.Running && previous != KnownResourceStates.Running)
            {
                _runningSince = now;
                _stopRequested = false;
            }
            else if (state == KnownResourceStates.Stopping)
            {
                _stopRequested = true;
            }
            else if (previous == KnownResourceStates.Running && IsTerminal(state) && !_stopRequested)
            {
                return NextDelay(now - _runningSince >= StableRun ? FirstDelay : _nextDelay);
            }

            return null;
        }
    }

    /// <summary>The delay before trying again after a restart failed (Aspire could not start the instance).</summary>
    public TimeSpan AfterFailedRestart()
    {
        lock (_lock)
        {
            return NextDelay(_nextDelay);
        }
    }

    private TimeSpan NextDelay(TimeSpan delay)
    {
        _nextDelay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
        return delay;
    }

    private static bool IsTerminal(string? state) => state is not null && KnownResourceStates.TerminalStates.Contains(state);
}
