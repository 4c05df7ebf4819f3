namespace AspireJobs.AppHost.Lifecycle;

/// <summary>
/// One resource instance as <see cref="CrashRestarter"/> sees it, from the states Aspire reports:
/// whether it just ended on its own, and how long to wait before starting it again. An instance
/// that passed through <c>Stopping</c> was asked to stop and is left alone. The delay doubles
/// from 1 s up to 30 s while the instance keeps dying within a minute of starting, so a service
/// that cannot start does not spin.
/// </summary>
public sealed class InstanceWatch
{
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan StableRun = TimeSpan.FromMinutes(1);

    private string? _state;
    private DateTimeOffset _runningSince;
    private bool _stopRequested;
    private TimeSpan _nextDelay = FirstDelay;

    /// <summary>Takes the instance's next state; returns the delay before a restart when it just ended on its own, else null.</summary>
    public TimeSpan? Observe(string state, DateTimeOffset now)
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
        else if (previous == KnownResourceStates.Running && KnownResourceStates.TerminalStates.Contains(state) && !_stopRequested)
        {
            var delay = now - _runningSince >= StableRun ? FirstDelay : _nextDelay;
            _nextDelay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            return delay;
        }

        return null;
    }
}
