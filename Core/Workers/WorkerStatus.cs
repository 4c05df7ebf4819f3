namespace AspireJobs.Core.Workers;

/// <summary>Where a worker process is in its life (the CHECK constraint on workers.status).</summary>
public enum WorkerStatus
{
    /// <summary>Taking and running jobs.</summary>
    Active,

    /// <summary>Told to stop taking jobs; finishing what it holds.</summary>
    Draining,

    /// <summary>Its heartbeat expired; its running jobs were handed to other workers.</summary>
    Dead,

    /// <summary>It exited cleanly.</summary>
    Stopped,
}

public static class WorkerStatusText
{
    public static string Of(WorkerStatus status) => status switch
    {
        WorkerStatus.Active => "active",
        WorkerStatus.Draining => "draining",
        WorkerStatus.Dead => "dead",
        WorkerStatus.Stopped => "stopped",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static WorkerStatus Parse(string text) => text switch
    {
        "active" => WorkerStatus.Active,
        "draining" => WorkerStatus.Draining,
        "dead" => WorkerStatus.Dead,
        "stopped" => WorkerStatus.Stopped,
        _ => throw new FormatException($"'{text}' is not a worker status."),
    };
}
