using System.Reflection;

namespace AspireJobs.AppHost.Services;

/// <summary>
/// Runs a project from the executable its build produced instead of through <c>dotnet run</c>.
/// Aspire starts each project replica as <c>dotnet run --project ... --no-build</c>, a second .NET
/// process per replica that evaluates the project file before it starts the service: about
/// 100 MiB and a second or two of CPU per replica, and the process id Aspire reports is that
/// host's, so a kill of it leaves the service itself running. The AppHost build has just built
/// every project, so the executable is there; when it is not, Aspire's own launch is kept. (Aspire
/// launches a project with an <see cref="ExecutableAnnotation"/> through that command; checked
/// with Aspire.Hosting 13.6.5, and by the end-to-end tests, which read each service's process.)
/// </summary>
public static class BuildOutputLaunch
{
    private static readonly Assembly AppHost = typeof(BuildOutputLaunch).Assembly;

    // UseArtifactsOutput: artifacts/bin/<project>/<configuration>/AspireJobs.<project>, and
    // artifacts/publish/<project>/<configuration>_<runtime identifier>/AspireJobs.<project>.
    private static readonly string Configuration =
        (AppHost.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug").ToLowerInvariant();

    /// <summary>The runtime the AppHost's build publishes the natively compiled services for (AppHost.csproj).</summary>
    private static readonly string? PublishRuntime =
        AppHost.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "PublishRuntimeIdentifier")?.Value;

    /// <summary>A project's executable as its build produced it.</summary>
    public static string BuildOutput(string repositoryRoot, string project) =>
        Path.Combine(repositoryRoot, "artifacts", "bin", project, Configuration, "AspireJobs." + project);

    /// <summary>A project's executable as the AppHost's build published it for this machine; null when it publishes for none.</summary>
    public static string? PublishOutput(string repositoryRoot, string project) =>
        PublishRuntime is null ? null : Path.Combine(repositoryRoot, "artifacts", "publish", project, $"{Configuration}_{PublishRuntime}", "AspireJobs." + project);

    public static IResourceBuilder<ProjectResource> RunFromBuildOutput(this IResourceBuilder<ProjectResource> project)
    {
        if (project.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            project.TryRunFrom(BuildOutput);
        }

        return project;
    }

    /// <summary>
    /// Runs the project as it was published for this machine: the worker and the health monitor,
    /// which every build of the AppHost publishes, compiled natively (their project files). The
    /// build output otherwise.
    /// </summary>
    public static IResourceBuilder<ProjectResource> RunFromPublishOutput(this IResourceBuilder<ProjectResource> project)
    {
        if (project.ApplicationBuilder.ExecutionContext.IsRunMode && !project.TryRunFrom(PublishOutput))
        {
            project.TryRunFrom(BuildOutput);
        }

        return project;
    }

    /// <summary>Starts the project from the executable <paramref name="executableOf"/> names, if it is there.</summary>
    private static bool TryRunFrom(this IResourceBuilder<ProjectResource> project, Func<string, string, string?> executableOf)
    {
        var projectPath = project.Resource.GetProjectMetadata().ProjectPath;
        var projectDirectory = Path.GetDirectoryName(projectPath)!;
        var executable = executableOf(Path.GetDirectoryName(projectDirectory)!, Path.GetFileNameWithoutExtension(projectPath));
        if (!File.Exists(executable))
        {
            return false;
        }

        project.WithAnnotation(new ExecutableAnnotation { Command = executable, WorkingDirectory = projectDirectory });
        return true;
    }
}
