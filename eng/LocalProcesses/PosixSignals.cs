using System.Runtime.InteropServices;

namespace AspireJobs.LocalProcesses;

/// <summary>The POSIX call .NET does not expose: sending a chosen signal to a process.</summary>
public static partial class PosixSignals
{
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;

    /// <summary>Sends <paramref name="signal"/> to a process; false when it no longer exists.</summary>
    public static bool Send(int processId, int signal) => kill(processId, signal) == 0;

    /// <summary>Whether a process with this id exists (signal 0 checks without sending).</summary>
    public static bool IsAlive(int processId) => processId > 0 && kill(processId, 0) == 0;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
