namespace AspireJobs.AppHost.Lifecycle;

/// <summary>Marks a resource whose instances the AppHost restarts when they exit on their own (see <see cref="CrashRestarter"/>).</summary>
public sealed class RestartOnCrashAnnotation : IResourceAnnotation;

public static class RestartOnCrashExtensions
{
    /// <summary>
    /// Restart every instance of this resource that exits without being asked to, with a backoff.
    /// Aspire's orchestrator leaves an exited process exited; a job system is watched while its
    /// workers are killed on purpose, and must heal. A stop from the dashboard stays a stop.
    /// </summary>
    public static IResourceBuilder<T> WithRestartOnCrash<T>(this IResourceBuilder<T> builder) where T : IResource =>
        builder.WithAnnotation(new RestartOnCrashAnnotation());
}
