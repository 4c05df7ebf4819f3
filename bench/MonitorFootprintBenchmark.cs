using System.Globalization;
using System.Net.Http.Json;

namespace AspireJobs.Bench;

/// <summary>
/// The health monitor's own CPU and memory while it watches ten workers that run a steady
/// trickle of jobs, read from /proc over a minute.
/// </summary>
public static class MonitorFootprintBenchmark
{
    public static async Task RunAsync(Action<Measurement> report, int workers = 10, TimeSpan? duration = null)
    {
        var window = duration ?? TimeSpan.FromSeconds(60);
        await using var system = await BenchSystem.StartAsync(workers);
        var pid = system.HealthMonitorProcessId;
        await Task.Delay(TimeSpan.FromSeconds(10)); // past start-up

        var cpuBefore = CpuSeconds(pid);
        var wallBefore = DateTime.UtcNow;
        var peakRss = 0L;
        using var load = new CancellationTokenSource(window);
        var trickle = Task.Run(async () =>
        {
            while (!load.IsCancellationRequested)
            {
                using var response = await system.Http.PostAsJsonAsync("/api/jobs/batch", new { jobs = Enumerable.Range(0, 50).Select(_ => new { type = "noop" }) });
                await Task.Delay(250);
            }
        });
        while (!load.IsCancellationRequested)
        {
            peakRss = Math.Max(peakRss, ResidentBytes(pid));
            await Task.Delay(1000);
        }

        await trickle;
        var cpuPercent = (CpuSeconds(pid) - cpuBefore) / (DateTime.UtcNow - wallBefore).TotalSeconds * 100;
        report(new($"health monitor CPU, {workers} workers (% of one core)", cpuPercent, "%"));
        report(new($"health monitor resident memory, {workers} workers (peak)", peakRss / 1024.0 / 1024.0, "MiB"));
    }

    /// <summary>User plus system CPU seconds of a process, from /proc/PID/stat.</summary>
    public static double CpuSeconds(int pid)
    {
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / 100.0; // USER_HZ is 100 on Linux
    }

    /// <summary>Resident set size of a process, from /proc/PID/status.</summary>
    public static long ResidentBytes(int pid) =>
        File.ReadLines($"/proc/{pid}/status")
            .Where(line => line.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(line => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024)
            .First();
}
