using Microsoft.Extensions.Configuration;

namespace AspireJobs.AppHost.Infrastructure;

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
