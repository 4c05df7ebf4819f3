using System.Globalization;

namespace AspireJobs.Worker;

/// <summary>
/// One thread's line of Linux's scheduler statistics (<c>/proc/…/schedstat</c>): nanoseconds on
/// a CPU, nanoseconds runnable but waiting on a run queue, and time slices.
/// </summary>
public readonly record struct SchedulerStatistics(long OnCpuNs, long WaitingNs)
{
    /// <summary>The statistics in <paramref name="path"/>; null where the file is not there or the thread has ended.</summary>
    public static SchedulerStatistics? Read(string path)
    {
        try
        {
            var fields = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length >= 2
                && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var onCpu)
                && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var waiting)
                ? new SchedulerStatistics(onCpu, waiting)
                : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
