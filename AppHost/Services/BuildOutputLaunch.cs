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
    // UseArtifactsOutput: artifacts/bin/<project>/<configuration>/AspireJobs.<project>
    private static readonly string Configuration =
        (typeof(BuildOutputLaunch).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug").ToLowerInvariant();

    public static IResourceBuilder<ProjectResource> RunFromBuildOutput(this IResourceBuilder<ProjectResource> project)
    {
        if (!project.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return project;
        }

        var projectPath = project.Resource.GetProjectMetadata().ProjectPath;
        var projectDirectory = Path.GetDirectoryName(projectPath)!;
        var name = Path.GetFileNameWithoutExtension(projectPath);
        var executable = Path.Combine(Path.GetDirectoryName(projectDirectory)!, "artifacts", "bin", name, Configuration, "AspireJobs." + name);

        return File.Exists(executable)
            ? project.WithAnnotation(new ExecutableAnnotation { Command = executable, WorkingDirectory = projectDirectory })
            : project;
    }
}
