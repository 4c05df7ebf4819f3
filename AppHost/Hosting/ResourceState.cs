namespace AspireJobs.AppHost.Hosting;

/// <summary>The lifecycle states of a resource instance, named as Aspire's dashboard names them.</summary>
public enum ResourceState
{
    NotStarted,
    /// <summary>Held back until what it waits for is ready.</summary>
    Waiting,
    Starting,
    Running,
    /// <summary>A run-to-completion resource exited with code 0.</summary>
    Finished,
    /// <summary>The process exited on its own: a failure, or (when restartable) about to be restarted.</summary>
    Exited,
    /// <summary>It could not be started, or what it waited for failed.</summary>
    FailedToStart,
    Stopping,
    Stopped,
}

public enum HealthStatus
{
    Unknown,
    Healthy,
    Unhealthy,
}

/// <summary>One line of apphost.json: an instance as it is now.</summary>
public sealed record ResourceSnapshot(
    string Name,
    string Resource,
    string Type,
    ResourceState State,
    HealthStatus Health,
    int? ProcessId,
    IReadOnlyList<string> Endpoints,
    int Restarts,
    int? ExitCode);

/// <summary>A resource failed in a way its dependents cannot start after.</summary>
public sealed class ResourceFailedException(string message) : Exception(message);
