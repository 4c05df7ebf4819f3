using System.Diagnostics;
using System.Text;

namespace AspireJobs.AppHost.Infrastructure;

/// <summary>Runs a one-off program to its end (initdb, chown, test): failing with its output when it fails, or answering whether it succeeded.</summary>
public static class ProgramRun
{
    /// <summary>
    /// The longest a check (<see cref="Succeeds"/>, <see cref="OutputOrNull"/>) may run: each
    /// answers in milliseconds, and the AppHost's start waits for it. One that hangs (a user
    /// lookup or a file system that does not answer) is killed, and the start stops with a line
    /// that names it rather than hang, or give the reason a plain "no" would.
    /// </summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs a program for its exit code alone (such as <c>test</c> or <c>id</c>), its output dropped; true when it exits 0.</summary>
    /// <exception cref="PrerequisiteMissingException">It did not end within <paramref name="timeout"/> (<see cref="CheckTimeout"/> unless given).</exception>
    public static bool Succeeds(string command, IEnumerable<string> arguments, TimeSpan? timeout = null) =>
        Run(command, [.. arguments], timeout ?? CheckTimeout) is (0, _);

    /// <summary>What a program prints to its standard output (such as <c>postgres --version</c>), or null when it fails or cannot start.</summary>
    /// <exception cref="PrerequisiteMissingException">It did not end within <see cref="CheckTimeout"/>.</exception>
    public static string? OutputOrNull(string command, IEnumerable<string> arguments)
    {
        try
        {
            return Run(command, [.. arguments], CheckTimeout) is (0, var output) ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // missing, or not executable
        }
    }

    /// <summary>Runs a program to its end: its exit code and standard output (its standard error drained and dropped).</summary>
    private static (int ExitCode, string Output) Run(string command, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        using var process = Process.Start(StartInfo(command, arguments, redirectOutput: true))!;
        _ = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        // The output's end too: a child it left behind may hold the pipe open.
        if (!process.WaitForExit(timeout) || !output.Wait(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new PrerequisiteMissingException(
                $"'{string.Join(' ', [command, .. arguments])}' did not answer within {timeout.TotalSeconds:0} s; the AppHost checks the machine with it before anything starts: see what holds it (a user lookup or a file system that does not answer).");
        }

        return (process.ExitCode, output.Result);
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
