using AspireJobs.AppHost.Services;

namespace AspireJobs.LocalProcesses;

/// <summary>The repository this program (a test or the benchmark, both built with the AppHost) was built from, and where its services' executables are.</summary>
public static class RepositoryRoot
{
    public const string SolutionFile = "AspireJobs.sln";

    public static string Path { get; } = Find();

    /// <summary>A service's executable as its build produced it (the AppHost's layout, <see cref="BuildOutputLaunch"/>).</summary>
    public static string ServiceExecutable(string project) => BuildOutputLaunch.BuildOutput(Path, project);

    /// <summary>
    /// The executable the AppHost runs for a service: what the AppHost's build published for this
    /// machine (the worker and the health monitor, compiled natively), or else its build output.
    /// </summary>
    public static string ServiceAsRun(string project) =>
        BuildOutputLaunch.PublishOutput(Path, project) is { } published && File.Exists(published) ? published : ServiceExecutable(project);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, SolutionFile)))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No {SolutionFile} above {AppContext.BaseDirectory}.");
    }
}
