using System.Reflection;

namespace AspireJobs.LocalProcesses;

/// <summary>The repository this program was built from, and where its services' build outputs are.</summary>
public static class RepositoryRoot
{
    public const string SolutionFile = "AspireJobs.sln";

    private static readonly string Configuration =
        (typeof(RepositoryRoot).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug").ToLowerInvariant();

    public static string Path { get; } = Find();

    /// <summary>A service's executable (UseArtifactsOutput: artifacts/bin/&lt;project&gt;/&lt;configuration&gt;).</summary>
    public static string ServiceExecutable(string project) =>
        System.IO.Path.Combine(Path, "artifacts", "bin", project, Configuration, "AspireJobs." + project);

    /// <summary>
    /// The executable the AppHost runs for a service: what the AppHost's build published for this
    /// machine (artifacts/publish/&lt;project&gt;/&lt;configuration&gt;_&lt;runtime&gt;: the worker,
    /// compiled natively), or else its build output.
    /// </summary>
    public static string ServiceAsRun(string project)
    {
        var published = System.IO.Path.Combine(Path, "artifacts", "publish", project);
        return Directory.Exists(published)
            && Directory.GetDirectories(published, Configuration + "_*")
                .Select(directory => System.IO.Path.Combine(directory, "AspireJobs." + project))
                .FirstOrDefault(File.Exists) is { } executable
            ? executable
            : ServiceExecutable(project);
    }

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
