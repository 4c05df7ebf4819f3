using AspireJobs.AppHost.Processes;

namespace AspireJobs.AppHost.Hosting;

/// <summary>
/// Processes an AppHost that was killed outright (kill -9) could not stop. The next AppHost on the
/// same data directory stops them before it starts anything, and refuses to start while another
/// live AppHost owns the directory.
/// </summary>
public static class LeftoverProcesses
{
    public static async Task StopAsync(string statusFilePath, IProcessOutput output)
    {
        if (StatusFile.Read(statusFilePath) is not { } previous)
        {
            return;
        }

        if (previous.AppHostProcessId != Environment.ProcessId && IsOurs(previous.AppHostProcessId, "AspireJobs.AppHost"))
        {
            throw new ResourceFailedException(
                $"Another AppHost (process {previous.AppHostProcessId}) is running with this data directory ({Path.GetDirectoryName(statusFilePath)}); stop it first, or pass another --data-dir.");
        }

        var leftovers = previous.Resources
            .Where(r => r.ProcessId is { } pid && IsOurs(pid, r.Type switch { "postgres" => "postgres", "redis" => "redis-server", _ => "AspireJobs." }))
            .ToList();
        foreach (var leftover in leftovers)
        {
            output.Write("apphost", $"stopping {leftover.Name} (process {leftover.ProcessId}) left behind by an earlier run");
            PosixSignals.Send(leftover.ProcessId!.Value, leftover.Type == "postgres" ? PosixSignals.SIGINT : PosixSignals.SIGTERM);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (leftovers.Any(r => PosixSignals.IsAlive(r.ProcessId!.Value)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        foreach (var leftover in leftovers.Where(r => PosixSignals.IsAlive(r.ProcessId!.Value)))
        {
            PosixSignals.Send(leftover.ProcessId!.Value, PosixSignals.SIGKILL);
        }
    }

    /// <summary>Whether a live process's command line contains <paramref name="marker"/> (pids get reused).</summary>
    private static bool IsOurs(int processId, string marker)
    {
        if (!PosixSignals.IsAlive(processId))
        {
            return false;
        }

        try
        {
            return File.ReadAllText($"/proc/{processId}/cmdline").Contains(marker, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
