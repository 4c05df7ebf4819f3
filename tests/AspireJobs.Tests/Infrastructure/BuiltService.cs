using AspireJobs.AppHost;
using AspireJobs.AppHost.Processes;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>Runs a service's build output as a process, the way the AppHost starts it.</summary>
public static class BuiltService
{
    private static readonly string Configuration =
        typeof(BuiltService).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .Cast<System.Reflection.AssemblyConfigurationAttribute>().Single().Configuration.ToLowerInvariant();

    /// <summary>Runs the project's executable to its end with the given environment; returns exit code and output.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(string project, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout)
    {
        var root = RepositoryRoot.Find();
        var executable = Path.Combine(root, "artifacts", "bin", project, Configuration, "AspireJobs." + project);
        var spec = new ProcessSpec(executable, [], Path.Combine(root, project), environment);
        using var cancel = new CancellationTokenSource(timeout);
        return ManagedProcess.RunToEndAsync(spec, cancel.Token);
    }
}
