using Microsoft.Extensions.Configuration;

namespace AspireJobs.AppHost.Infrastructure;

/// <summary>How the AppHost provides PostgreSQL and Redis. Either way the services see the same names and connection strings.</summary>
public enum InfrastructureMode
{
    /// <summary>Containers when a container runtime answers, local processes otherwise.</summary>
    Auto,

    /// <summary>The machine's own <c>postgres</c> and <c>redis-server</c>, run as Aspire executables.</summary>
    Local,

    /// <summary>Aspire's PostgreSQL and Redis containers, with data volumes.</summary>
    Containers,
}

public static class InfrastructureModes
{
    /// <summary>
    /// The mode to use. Publishing always describes containers: the manifest is what azd deploys,
    /// and a deployment has no local programs to run.
    /// </summary>
    public static InfrastructureMode Resolve(InfrastructureMode asked, DistributedApplicationExecutionContext context, IConfiguration configuration) =>
        context.IsPublishMode ? InfrastructureMode.Containers
        : asked != InfrastructureMode.Auto ? asked
        : ContainerRuntime.Answers(configuration) ? InfrastructureMode.Containers
        : InfrastructureMode.Local;

    public static string Describe(this InfrastructureMode mode) => mode switch
    {
        InfrastructureMode.Containers => "containers",
        InfrastructureMode.Local => "local processes",
        _ => "auto",
    };
}
