using System.Globalization;

namespace AspireJobs.Bench.Subjects;

/// <summary>Resident memory and CPU of a process, read from /proc.</summary>
public static class ProcessFootprint
{
    public static long ResidentBytes(int pid)
    {
        try
        {
            return File.ReadLines($"/proc/{pid}/status")
                .Where(line => line.StartsWith("VmRSS:", StringComparison.Ordinal))
                .Select(line => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024)
                .FirstOrDefault();
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Proportional set size: resident memory with each shared page divided among the processes
    /// that map it (the framework's files, mapped by every .NET service), from smaps_rollup.
    /// </summary>
    public static long ProportionalBytes(int pid)
    {
        try
        {
            return File.ReadLines($"/proc/{pid}/smaps_rollup")
                .Where(line => line.StartsWith("Pss:", StringComparison.Ordinal))
                .Select(line => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024)
                .FirstOrDefault();
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>User plus system CPU seconds of a process.</summary>
    public static double CpuSeconds(int pid)
    {
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / 100.0; // USER_HZ is 100 on Linux
    }

    /// <summary>The CPU seconds of these processes together; one that ended meanwhile counts nothing.</summary>
    public static double CpuSeconds(IEnumerable<int> pids) => pids.Sum(pid =>
    {
        try
        {
            return CpuSeconds(pid);
        }
        catch (IOException)
        {
            return 0;
        }
    });

    /// <summary>
    /// CPU seconds the whole machine has been busy (user, nice, system, interrupts and steal, over
    /// every core), from /proc/stat: what no process list misses.
    /// </summary>
    public static double MachineBusySeconds()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Ticks(int index) => long.Parse(fields[index], CultureInfo.InvariantCulture);
        return (Ticks(1) + Ticks(2) + Ticks(3) + Ticks(6) + Ticks(7) + Ticks(8)) / 100.0;
    }

    /// <summary>Samples the peak resident memory (or another measure) of some processes until disposed.</summary>
    public sealed class PeakSampler : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private long _peak;

        public PeakSampler(Func<IEnumerable<int>> processIds, Func<int, long>? measure = null)
        {
            measure ??= ResidentBytes;
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    foreach (var pid in processIds())
                    {
                        var rss = measure(pid);
                        if (rss > Interlocked.Read(ref _peak))
                        {
                            Interlocked.Exchange(ref _peak, rss);
                        }
                    }

                    await Task.Delay(100);
                }
            });
        }

        public double PeakMiB => Interlocked.Read(ref _peak) / 1024.0 / 1024.0;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }
    }
}
