namespace AspireJobs.AppHost.Services;

/// <summary>
/// Aspire gives every project <c>OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY=in_memory</c>, so telemetry
/// that cannot reach the dashboard is retried. When nothing listens there (the dashboard stopped;
/// with it off, a service exports nothing: <see cref="TelemetryWithoutDashboard"/>), a service
/// then spent 15 s retrying its last exports before it exited (0.1 s without the retry). The
/// orchestrator kills a service that has not exited 6 s after SIGTERM, so a worker's graceful
/// drain was cut short. Telemetry a service cannot deliver is dropped instead.
/// </summary>
public static class TelemetryRetry
{
    public const string RetryVariable = "OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY";

    public static IResourceBuilder<ProjectResource> WithoutTelemetryRetry(this IResourceBuilder<ProjectResource> project) =>
        project.WithEnvironment(context => context.EnvironmentVariables.Remove(RetryVariable));
}
