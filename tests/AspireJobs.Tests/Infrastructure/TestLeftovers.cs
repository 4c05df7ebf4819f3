using AspireJobs.LocalProcesses;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>
/// Each test run works in <c>/tmp/aspirejobs-tests-*</c>, recording its own process id and the
/// server processes it started. A run that was killed before it could clean up is cleaned up by
/// the next: its servers are stopped by process id and its directory removed. (What the AppHost
/// started under a killed run, Aspire's orchestrator stops by itself when its AppHost dies.)
/// </summary>
public static class TestLeftovers
{
    public const UnixFileMode WorldTraversable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const string Prefix = "aspirejobs-tests-";

    public static string CreateRunDirectory()
    {
        var directory = Directory.CreateTempSubdirectory(Prefix).FullName;
        // PostgreSQL runs as the postgres user when the tests run as root: it must reach inside.
        File.SetUnixFileMode(directory, WorldTraversable);
        File.WriteAllText(Path.Combine(directory, "owner"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return directory;
    }

    public static void Record(string runDirectory, int processId) =>
        File.AppendAllText(Path.Combine(runDirectory, "processes"), processId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");

    public static void Remove(string runDirectory)
    {
        try
        {
            Directory.Delete(runDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A process still writing; the next run removes it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public static async Task StopAsync()
    {
        foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            if (int.TryParse(ReadOrEmpty(Path.Combine(directory, "owner")), out var owner) && PosixSignals.IsAlive(owner))
            {
                continue; // A run in progress.
            }

            var processIds = ReadOrEmpty(Path.Combine(directory, "processes"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(int.Parse)
                .Where(PosixSignals.IsAlive)
                .Where(pid => CommandLineOf(pid).Contains(directory, StringComparison.Ordinal)
                              || CommandLineOf(pid).Contains("redis-server", StringComparison.Ordinal))
                .ToList();

            foreach (var pid in processIds)
            {
                PosixSignals.Send(pid, PosixSignals.SIGKILL);
            }

            await Task.Delay(processIds.Count > 0 ? 500 : 0);
            Remove(directory);
        }
    }

    /// <summary>The processes but this one whose command line contains <paramref name="text"/> (a directory, a marker argument).</summary>
    public static List<int> ProcessesNaming(string text) =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(path => int.TryParse(Path.GetFileName(path), out var id) ? id : 0)
            .Where(id => id > 0 && id != Environment.ProcessId && CommandLineOf(id).Contains(text, StringComparison.Ordinal))];

    /// <summary>A process's command line, its arguments separated by NULs; empty once it is gone.</summary>
    public static string CommandLineOf(int processId) => ReadOrEmpty($"/proc/{processId}/cmdline");

    internal static string ReadOrEmpty(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : "";
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
