namespace AspireJobs.AppHost.Services;

public static class ServiceProjects
{
    /// <summary>
    /// A project of this repository as one of AspireJobs' services: Aspire's <c>AddProject</c>,
    /// started from its build output (<see cref="BuildOutputLaunch"/>), with telemetry that never
    /// holds up its shutdown (<see cref="TelemetryRetry"/>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddService<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject<TProject>(name)
            .RunFromBuildOutput()
            .WithoutTelemetryRetry();
}
