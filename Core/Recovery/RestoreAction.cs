namespace AspireJobs.Core.Recovery;

/// <summary>What a restore does with one job, as <see cref="RestoreDecision"/> decides it.</summary>
public enum RestoreAction
{
    /// <summary>It is put back in its target state.</summary>
    Restore,

    /// <summary>It is already as the target says.</summary>
    Unchanged,

    /// <summary>It runs now on a worker and is never taken from under it (a dead worker's jobs come back through the liveness sweep).</summary>
    KeptRunning,

    /// <summary>It moved on since, and the mode keeps what it moved on to.</summary>
    KeptByMode,

    /// <summary>It no longer exists (retention purged it): there is no row to put back.</summary>
    Missing,
}
