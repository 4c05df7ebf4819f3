using System.Globalization;

namespace AspireJobs.Worker.Fleet;

/// <summary>
/// How long this process's threads waited for a CPU, from Linux's scheduler statistics
/// (<c>/proc/self/task/*/schedstat</c>: time on a CPU, time runnable but waiting on a run queue,
/// time slices). A worker starved of CPU (pinned beside busy processes, throttled by its cgroup)
/// waits much longer than it runs, while its CPU use looks modest. A thread's statistics go with
/// it, so the waits of a thread that started and ended between two reports are not counted (the
/// worker's threads are long-lived pool threads). Null where the files are not there (another
/// OS, or a kernel without scheduler statistics).
/// </summary>
public sealed class RunQueueWait
{
    private const string Tasks = "/proc/self/task";
    private Dictionary<int, long> _lastWaitNs = [];

    /// <summary>The time waited since the previous call, across every thread (a thread new since then counts from its start); null at the first call.</summary>
    public TimeSpan? TakeWindow()
    {
        if (!Directory.Exists(Tasks))
        {
            return null;
        }

        var seen = new Dictionary<int, long>();
        long waitedNs = 0;
        foreach (var task in Directory.EnumerateDirectories(Tasks))
        {
            if (!int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var threadId)
                || SchedulerStatistics.Read(Path.Combine(task, "schedstat"))?.WaitingNs is not { } waitNs)
            {
                continue; // The thread ended while the directory was read.
            }

            seen[threadId] = waitNs;
            waitedNs += waitNs - _lastWaitNs.GetValueOrDefault(threadId);
        }

        var first = _lastWaitNs.Count == 0;
        _lastWaitNs = seen;
        return seen.Count == 0 || first ? null : TimeSpan.FromTicks(waitedNs / 100);
    }
}
