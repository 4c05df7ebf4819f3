namespace AspireJobs.AppHost.Lifecycle;

/// <summary>
/// Aspire gives every project <c>OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY=in_memory</c>, so telemetry
/// that cannot reach the dashboard is retried. At shutdown the dashboard stops together with the
/// services, and each service then spent 15 s retrying its last exports before it exited (measured
/// here: 0.1 s without the retry). The orchestrator kills a service that has not exited 6 s after
/// SIGTERM, so a worker's graceful drain was cut short on every stop. Telemetry a service cannot
/// deliver is dropped instead.
/// </summary>
public static class PromptTelemetryShutdown
{
    public const string RetryVariable = "OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY";

    public static IResourceBuilder<ProjectResource> WithoutTelemetryRetry(this IResourceBuilder<ProjectResource> project) =>
        project.WithEnvironment(context => context.EnvironmentVariables.Remove(RetryVariable));
}
