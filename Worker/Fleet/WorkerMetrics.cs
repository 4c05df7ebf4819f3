using System.Diagnostics;
using AspireJobs.Core.Workers;

namespace AspireJobs.Worker.Fleet;

/// <summary>
/// What this worker measures about itself: outcomes and run times per job type, heartbeat
/// regularity, memory, CPU (used, and waited for) and GC pauses. Counters are cumulative; a
/// report also carries the figures of the window since the previous report.
/// </summary>
public sealed class WorkerMetrics
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (long Count, double TotalMs)> _durations = new(StringComparer.Ordinal);
    private readonly List<double> _heartbeatIntervalsMs = [];
    private long _completed;
    private long _failed;
    private long _windowCompleted;
    private long _windowFailed;
    private long _lastBeatTimestamp;
    private TimeSpan _lastCpu = Process.GetCurrentProcess().TotalProcessorTime;
    private TimeSpan _lastGcPause = GC.GetTotalPauseDuration();
    private long _windowStart = Stopwatch.GetTimestamp();
    private readonly RunQueueWait _runQueueWait = new();

    public long Completed => Interlocked.Read(ref _completed);

    public long Failed => Interlocked.Read(ref _failed);

    public void RecordOutcome(string type, TimeSpan duration, bool succeeded)
    {
        lock (_lock)
        {
            if (succeeded)
            {
                _completed++;
                _windowCompleted++;
            }
            else
            {
                _failed++;
                _windowFailed++;
            }

            var (count, total) = _durations.GetValueOrDefault(type);
            _durations[type] = (count + 1, total + duration.TotalMilliseconds);
        }
    }

    /// <summary>Notes a heartbeat, to measure how regular they are.</summary>
    public void RecordHeartbeat()
    {
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            if (_lastBeatTimestamp != 0)
            {
                _heartbeatIntervalsMs.Add(Stopwatch.GetElapsedTime(_lastBeatTimestamp, now).TotalMilliseconds);
            }

            _lastBeatTimestamp = now;
        }
    }

    /// <summary>The report for the window that ends now; the next window starts empty.</summary>
    public WorkerMetricsReport TakeReport(int currentLoad, TimeSpan heartbeatInterval)
    {
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var gcPause = GC.GetTotalPauseDuration();
        var cpuWait = _runQueueWait.TakeWindow();
        lock (_lock)
        {
            var window = Stopwatch.GetElapsedTime(_windowStart);
            var expected = heartbeatInterval.TotalMilliseconds;
            double? deviation = _heartbeatIntervalsMs.Count == 0
                ? null
                : Math.Sqrt(_heartbeatIntervalsMs.Average(ms => (ms - expected) * (ms - expected)));
            var report = new WorkerMetricsReport(
                CurrentLoad: currentLoad,
                JobsCompleted: _completed,
                JobsFailed: _failed,
                WindowCompleted: _windowCompleted,
                WindowFailed: _windowFailed,
                RunDurations: _durations.ToDictionary(d => d.Key, d => new RunDurationStats(d.Value.Count, d.Value.TotalMs / d.Value.Count)),
                MemoryBytes: process.WorkingSet64,
                CpuPercent: window > TimeSpan.Zero ? (cpu - _lastCpu) / window / Environment.ProcessorCount * 100 : 0,
                GcPauseMs: (gcPause - _lastGcPause).TotalMilliseconds,
                HeartbeatDeviationMs: deviation,
                HeartbeatInterval: heartbeatInterval,
                Window: window)
            {
                CpuWaitMs = cpuWait?.TotalMilliseconds,
            };

            _durations.Clear();
            _heartbeatIntervalsMs.Clear();
            _windowCompleted = 0;
            _windowFailed = 0;
            _lastCpu = cpu;
            _lastGcPause = gcPause;
            _windowStart = Stopwatch.GetTimestamp();
            return report;
        }
    }
}
