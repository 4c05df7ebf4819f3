using System.Diagnostics;

namespace AspireJobs.LocalProcesses;

/// <summary>
/// A process that a test or the benchmark starts and stops itself (a server, a service, a peer's
/// harness). It starts in a session of its own (through <c>setsid</c>, which execs in place, so
/// the process id is the program's): a Ctrl+C in the terminal reaches only the test runner, which
/// then stops its children. Output lines go to a callback; the exit is observed as soon as the
/// process is reaped.
/// </summary>
public sealed class ManagedProcess
{
    private readonly Process _process;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ManagedProcess(Process process) => _process = process;

    public int Id { get; private set; }

    /// <summary>Completes with the exit code (128 + signal when a signal ended it).</summary>
    public Task<int> Exited => _exited.Task;

    public static ManagedProcess Start(ProcessSpec spec, Action<string> onOutput)
    {
        var startInfo = new ProcessStartInfo
        {
            FileName = "setsid",
            WorkingDirectory = spec.WorkingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(spec.FileName);
        foreach (var argument in spec.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in spec.Environment)
        {
            startInfo.Environment[name] = value;
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var managed = new ManagedProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) onOutput(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) onOutput(e.Data); };
        process.Exited += (_, _) => managed._exited.TrySetResult(process.ExitCode);

        process.Start();
        managed.Id = process.Id;
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    public bool Signal(int signal) => PosixSignals.Send(Id, signal);

    /// <summary>
    /// Sends <paramref name="signal"/> and waits up to <paramref name="grace"/> for the exit;
    /// then kills. Returns the exit code.
    /// </summary>
    public async Task<int> StopAsync(int signal, TimeSpan grace)
    {
        if (!Exited.IsCompleted)
        {
            Signal(signal);
            if (await Task.WhenAny(Exited, Task.Delay(grace)) != Exited)
            {
                Signal(PosixSignals.SIGKILL);
            }
        }

        var exitCode = await Exited;
        _process.Dispose();
        return exitCode;
    }

    /// <summary>Runs a program to its end and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToEndAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        var output = new System.Text.StringBuilder();
        var process = Start(spec, line => { lock (output) { output.AppendLine(line); } });
        try
        {
            var exitCode = await process.Exited.WaitAsync(cancellationToken);
            // The exit is seen before the last lines are read: wait for the end of both streams,
            // up to a few seconds (a child it left behind may hold them open).
            try
            {
                await process._process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            }
            catch (TimeoutException)
            {
                // Held open: what arrived is returned.
            }
            lock (output)
            {
                return (exitCode, output.ToString());
            }
        }
        finally
        {
            if (!process.Exited.IsCompleted)
            {
                await process.StopAsync(PosixSignals.SIGKILL, TimeSpan.FromSeconds(5));
            }
        }
    }
}
