namespace AspireJobs.AppHost;

/// <summary>The repository root: the nearest folder above the running program that holds AspireJobs.sln.</summary>
public static class RepositoryRoot
{
    public const string SolutionFile = "AspireJobs.sln";

    public static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFile)))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No {SolutionFile} above {AppContext.BaseDirectory}: run the AppHost from its repository.");
    }
}
