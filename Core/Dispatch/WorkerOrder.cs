namespace AspireJobs.Core.Dispatch;

/// <summary>What the fleet can tell one worker to do.</summary>
public enum WorkerOrder
{
    /// <summary>Stop taking jobs; finish the ones held.</summary>
    Drain,

    /// <summary>Hand the jobs held back and exit, so the orchestrator replaces the process.</summary>
    Exit,
}
