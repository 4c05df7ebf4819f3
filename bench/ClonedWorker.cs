using System.Diagnostics;
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
    private readonly Process _process;

    private ClonedWorker(Process process) => _process = process;

    public int ProcessId => _process.Id;

    public static ClonedWorker Start(int replicaProcessId, string name, IReadOnlyDictionary<string, string> settings)
    {
        var argv = File.ReadAllText($"/proc/{replicaProcessId}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        var start = new ProcessStartInfo(argv[0])
        {
            WorkingDirectory = new DirectoryInfo($"/proc/{replicaProcessId}/cwd").ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Environment.CurrentDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in argv.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Clear();
        foreach (var variable in File.ReadAllText($"/proc/{replicaProcessId}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = variable.IndexOf('=', StringComparison.Ordinal);
            start.Environment[variable[..equals]] = variable[(equals + 1)..];
        }

        // Its own health endpoint (the replica's port is taken) and its own name.
        start.Environment.Remove("HTTP_PORTS");
        start.Environment.Remove("ASPNETCORE_HTTP_PORTS");
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={name}";
        foreach (var (variable, value) in settings)
        {
            start.Environment[variable] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The cloned worker did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ClonedWorker(process);
    }

    /// <summary>Whether it is still running: a clone that could not start exits at once.</summary>
    public bool IsRunning => !_process.HasExited;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            PosixSignals.Send(_process.Id, PosixSignals.SIGCONT); // a paused process cannot act on SIGTERM
            PosixSignals.Send(_process.Id, PosixSignals.SIGTERM);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }
}
