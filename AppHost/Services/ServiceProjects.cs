namespace AspireJobs.AppHost.Services;

public static class ServiceProjects
{
    /// <summary>
    /// A project of this repository as one of AspireJobs' services: Aspire's <c>AddProject</c>,
    /// started from its build output, or with <paramref name="published"/> from what the AppHost's
    /// build published for this machine (<see cref="BuildOutputLaunch"/>), with telemetry that
    /// never holds up its shutdown (<see cref="TelemetryRetry"/>) and is not exported when no
    /// dashboard runs to receive it (<see cref="TelemetryWithoutDashboard"/>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddService<TProject>(this IDistributedApplicationBuilder builder, string name, bool published = false)
        where TProject : IProjectMetadata, new()
    {
        var project = builder.AddProject<TProject>(name);
        return (published ? project.RunFromPublishOutput() : project.RunFromBuildOutput())
            .WithoutTelemetryRetry()
            .WithoutExporterWhenNoDashboard();
    }
}
