using Microsoft.Extensions.Configuration;

namespace AspireJobs.AppHost.Infrastructure;

public static class InfrastructureModes
{
    /// <summary>
    /// The mode to use. Publishing always describes containers: the manifest is what azd deploys,
    /// and a deployment has no local programs to run.
    /// </summary>
    /// <exception cref="AppHostUsageException">
    /// Containers were asked for and no container runtime answers: DCP would only log it, and
    /// every service would wait for PostgreSQL for ever, with no ready summary and no exit.
    /// </exception>
    public static InfrastructureMode Resolve(InfrastructureMode asked, DistributedApplicationExecutionContext context, IConfiguration configuration)
    {
        if (context.IsPublishMode)
        {
            return InfrastructureMode.Containers;
        }

        var runtimeAnswers = asked != InfrastructureMode.Local && ContainerRuntime.Answers(configuration);
        if (asked == InfrastructureMode.Containers && !runtimeAnswers)
        {
            var runtime = ContainerRuntime.Name(configuration);
            throw new AppHostUsageException(
                $"--infrastructure containers: the container runtime '{runtime}' does not answer ('{runtime} info' failed, or did not end within {ContainerRuntime.Timeout.TotalSeconds:0} s); start it, or use --infrastructure local. {AppHostOptions.Usage}");
        }

        return asked != InfrastructureMode.Auto ? asked
            : runtimeAnswers ? InfrastructureMode.Containers
            : InfrastructureMode.Local;
    }

    public static string Describe(this InfrastructureMode mode) => mode switch
    {
        InfrastructureMode.Containers => "containers",
        InfrastructureMode.Local => "local processes",
        _ => "auto",
    };
}
