using System.Diagnostics;
using System.Text;

namespace AspireJobs.AppHost.Infrastructure;

/// <summary>Runs a one-off program to its end (initdb, chown, test): failing with its output when it fails, or answering whether it succeeded.</summary>
public static class ProgramRun
{
    /// <summary>Runs a program for its exit code alone (such as <c>test</c> or <c>id</c>), its output dropped; true when it exits 0.</summary>
    public static bool Succeeds(string command, IEnumerable<string> arguments) => Run(command, arguments).ExitCode == 0;

    /// <summary>What a program prints to its standard output (such as <c>postgres --version</c>), or null when it fails or cannot start.</summary>
    public static string? OutputOrNull(string command, IEnumerable<string> arguments)
    {
        try
        {
            var (exitCode, output) = Run(command, arguments);
            return exitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // missing, or not executable
        }
    }

    /// <summary>Runs a program to its end: its exit code and standard output (its standard error drained and dropped).</summary>
    private static (int ExitCode, string Output) Run(string command, IEnumerable<string> arguments)
    {
        using var process = Process.Start(StartInfo(command, arguments, redirectOutput: true))!;
        _ = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    public static async Task RunAsync(string command, IEnumerable<string> arguments, string what, CancellationToken cancellationToken)
    {
        using var process = new Process { StartInfo = StartInfo(command, arguments, redirectOutput: true) };
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

    private static ProcessStartInfo StartInfo(string command, IEnumerable<string> arguments, bool redirectOutput)
    {
        var startInfo = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = redirectOutput,
            RedirectStandardError = redirectOutput,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        return startInfo;
    }
}
