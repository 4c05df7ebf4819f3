using System.Diagnostics;
using System.Text;

namespace AspireJobs.AppHost.Infrastructure;

/// <summary>Runs a one-off program to its end (initdb, chown, test): failing with its output when it fails, or answering whether it succeeded.</summary>
public static class ProgramRun
{
    /// <summary>Runs a program that answers with its exit code alone (such as <c>test</c>); true when it exits 0.</summary>
    public static bool Succeeds(string command, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(command) { UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        process.WaitForExit();
        return process.ExitCode == 0;
    }

    public static async Task RunAsync(string command, IEnumerable<string> arguments, string what, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = startInfo };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            lock (output)
            {
                throw new InvalidOperationException($"{what} failed (exit code {process.ExitCode}): {output.ToString().Trim()}");
            }
        }
    }
}
