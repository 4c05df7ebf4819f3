using AspireJobs.LocalProcesses;

namespace AspireJobs.Bench;

/// <summary>
/// One more worker beside the AppHost's replicas, started with exactly a replica's command line,
/// directory and environment (read from /proc) plus settings of its own, such as a fault drill:
/// every replica of a resource shares one configuration, and the health benchmark needs one
/// worker unlike the others. Stopped by process id.
/// </summary>
public sealed class ClonedWorker : IAsyncDisposable
{
    private readonly ManagedProcess _process;

    private ClonedWorker(ManagedProcess process) => _process = process;

    public int ProcessId => _process.Id;

    public static ClonedWorker Start(int replicaProcessId, string name, IReadOnlyDictionary<string, string> settings)
    {
        var argv = File.ReadAllText($"/proc/{replicaProcessId}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        var directory = new DirectoryInfo($"/proc/{replicaProcessId}/cwd").ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Environment.CurrentDirectory;

        // The replica's environment and nothing of the benchmark's own (null unsets a variable).
        var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>().ToDictionary(variable => variable, _ => (string?)null);
        foreach (var variable in File.ReadAllText($"/proc/{replicaProcessId}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = variable.IndexOf('=', StringComparison.Ordinal);
            environment[variable[..equals]] = variable[(equals + 1)..];
        }

        // Its own health endpoint (the replica's port is taken) and its own name.
        environment["HTTP_PORTS"] = null;
        environment["ASPNETCORE_HTTP_PORTS"] = null;
        environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        environment["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={name}";
        foreach (var (variable, value) in settings)
        {
            environment[variable] = value;
        }

        return new ClonedWorker(ManagedProcess.Start(new ProcessSpec(argv[0], argv[1..], directory, environment), _ => { }));
    }

    public async ValueTask DisposeAsync()
    {
        _process.Signal(PosixSignals.SIGCONT); // a paused process cannot act on SIGTERM
        await _process.StopAsync(PosixSignals.SIGTERM, TimeSpan.FromSeconds(30));
    }
}
