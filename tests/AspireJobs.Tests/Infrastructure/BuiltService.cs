using AspireJobs.LocalProcesses;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>Runs a service's build output as a process, the way the AppHost starts it.</summary>
public static class BuiltService
{
    /// <summary>Runs the project's executable to its end with the given environment; returns exit code and output.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(
        string project, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout, IReadOnlyList<string>? arguments = null)
    {
        var spec = new ProcessSpec(RepositoryRoot.ServiceAsRun(project), arguments ?? [], Path.Combine(RepositoryRoot.Path, project), environment);
        using var cancel = new CancellationTokenSource(timeout);
        return ManagedProcess.RunToEndAsync(spec, cancel.Token);
    }
}
