using System.Diagnostics;
using System.Text;

namespace AspireJobs.AppHost.Infrastructure;

/// <summary>Runs a one-off program to its end (initdb, chown) and fails with its output when it fails.</summary>
public static class ProgramRun
{
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
