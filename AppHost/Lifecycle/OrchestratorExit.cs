using System.Globalization;

namespace AspireJobs.AppHost.Lifecycle;

/// <summary>
/// Aspire's orchestrator (DCP) runs detached from the AppHost, with a small monitor process per
/// resource process. When the AppHost stops, Aspire has DCP stop every resource first
/// (<c>DcpPublisher:WaitForResourceCleanup</c>); DCP's own processes then exit a few seconds later.
/// Waiting for them here means that when the AppHost exits, nothing it started is left. Should
/// the AppHost be killed outright, DCP notices its death by itself and stops everything.
/// </summary>
public static class OrchestratorExit
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>The kubeconfig DCP's API server was started with for this AppHost: every DCP process of its session names it.</summary>
    public static string? FindSession(int appHostProcessId) =>
        DcpProcesses()
            .Where(p => ValueAfter(p.Arguments, "--monitor") == appHostProcessId.ToString(CultureInfo.InvariantCulture))
            .Select(p => ValueAfter(p.Arguments, "--kubeconfig"))
            .FirstOrDefault(kubeconfig => kubeconfig is not null);

    /// <summary>Waits (a while) until the session's controllers and the per-process monitors under them have exited.</summary>
    public static void WaitForExit(string? session)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (session is not null && SessionProcesses(session).Count > 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }
    }

    public static IReadOnlyList<int> SessionProcesses(string session)
    {
        var processes = DcpProcesses();
        var controllers = processes
            .Where(p => ValueAfter(p.Arguments, "--kubeconfig") == session)
            .Select(p => p.Pid.ToString(CultureInfo.InvariantCulture))
            .ToHashSet(StringComparer.Ordinal);
        return [.. processes
            .Where(p => controllers.Contains(p.Pid.ToString(CultureInfo.InvariantCulture))
                        || ValueAfter(p.Arguments, "--monitor") is { } monitored && controllers.Contains(monitored))
            .Select(p => p.Pid)];
    }

    private static List<(int Pid, string[] Arguments)> DcpProcesses() =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(directory => int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .Select(pid => (Pid: pid, Arguments: Arguments(pid)))
            .Where(p => p.Arguments.Length > 0 && Path.GetFileName(p.Arguments[0]) == "dcp")];

    private static string[] Arguments(int pid)
    {
        try
        {
            // NUL-terminated arguments; an empty argument stays in its place.
            var arguments = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            return arguments.Length > 0 && arguments[^1].Length == 0 ? arguments[..^1] : arguments;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static string? ValueAfter(string[] arguments, string name)
    {
        var at = Array.IndexOf(arguments, name);
        return at >= 0 && at + 1 < arguments.Length ? arguments[at + 1] : null;
    }
}
