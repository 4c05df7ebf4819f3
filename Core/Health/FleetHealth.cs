using AspireJobs.Core.Workers;

namespace AspireJobs.Core.Health;

/// <summary>
/// Turns the workers' latest reports into health samples, anomalies and predictions: the pure
/// part of the health sweep. A worker's score compares it with the fleet (error rate, run times);
/// <see cref="AnomalyDetector"/> compares its metrics with its own history and the fleet's.
/// </summary>
public static class FleetHealth
{
    public const string SelfBaseline = "self";
    public const string FleetBaseline = "fleet";

    /// <summary>
    /// The share of finished attempts that failed in the window across the fleet, leaving out
    /// <paramref name="besides"/>, the worker being judged: its own failures would raise the rate
    /// that excuses them, and a worker failing fast runs more attempts than its peers, so it would
    /// set the rate itself. Null when none finished.
    /// </summary>
    public static double? FleetErrorRate(IEnumerable<WorkerMetricsReport> reports, WorkerMetricsReport? besides = null)
    {
        long completed = 0, failed = 0;
        foreach (var report in reports)
        {
            if (ReferenceEquals(report, besides))
            {
                continue;
            }

            completed += report.WindowCompleted;
            failed += report.WindowFailed;
        }

        return completed + failed == 0 ? null : (double)failed / (completed + failed);
    }

    /// <summary>The fleet's mean run time per job type, weighted by how many attempts each worker finished.</summary>
    public static IReadOnlyDictionary<string, double> FleetMeanDurations(IEnumerable<WorkerMetricsReport> reports) =>
        reports.SelectMany(r => r.RunDurations)
            .GroupBy(d => d.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(d => d.Value.Count * d.Value.MeanMs) / g.Sum(d => d.Value.Count), StringComparer.Ordinal);

    /// <summary>
    /// The worker's run times over the fleet's for the same types, weighted by its attempts, each
    /// with <see cref="HealthScore.DurationSlackMs"/> added to both; null without any.
    /// </summary>
    public static double? DurationRatio(WorkerMetricsReport report, IReadOnlyDictionary<string, double> fleetMeans)
    {
        double weighted = 0;
        long count = 0;
        foreach (var (type, stats) in report.RunDurations)
        {
            if (fleetMeans.TryGetValue(type, out var fleetMean))
            {
                weighted += stats.Count * ((stats.MeanMs + HealthScore.DurationSlackMs) / (fleetMean + HealthScore.DurationSlackMs));
                count += stats.Count;
            }
        }

        return count == 0 ? null : weighted / count;
    }

    /// <summary>The error rate of one report's window; null when nothing finished.</summary>
    public static double? ErrorRate(WorkerMetricsReport report) =>
        report.WindowCompleted + report.WindowFailed == 0 ? null : (double)report.WindowFailed / (report.WindowCompleted + report.WindowFailed);

    /// <summary>The values anomaly detection watches, by metric name (<see cref="WatchedMetric"/>).</summary>
    public static Dictionary<string, double> WatchedMetrics(
        double? errorRate, double? memoryBytes, double? heartbeatDeviationMs, double? gcPauseShare, double? cpuWaitShare, IReadOnlyDictionary<string, double> runDurationsMs)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (errorRate is { } e)
        {
            metrics[WatchedMetric.ErrorRate] = e;
        }

        if (memoryBytes is { } m)
        {
            metrics[WatchedMetric.MemoryBytes] = m;
        }

        if (heartbeatDeviationMs is { } h)
        {
            metrics[WatchedMetric.HeartbeatJitterMs] = h;
        }

        if (gcPauseShare is { } g)
        {
            metrics[WatchedMetric.GcPauseShare] = g;
        }

        if (cpuWaitShare is { } c)
        {
            metrics[WatchedMetric.CpuWaitShare] = c;
        }

        foreach (var (type, ms) in runDurationsMs)
        {
            metrics[WatchedMetric.RunDuration(type)] = ms;
        }

        return metrics;
    }

    public static Dictionary<string, double> WatchedMetrics(HealthSample sample) =>
        WatchedMetrics(sample.ErrorRate, sample.MemoryBytes, sample.HeartbeatDeviationMs, sample.GcPauseShare, sample.CpuWaitShare, sample.RunDurationsMs);

    public static Dictionary<string, double> WatchedMetrics(HealthHistoryPoint point) =>
        WatchedMetrics(point.ErrorRate, point.MemoryBytes, point.HeartbeatDeviationMs, point.GcPauseShare, point.CpuWaitShare, point.RunDurationsMs);

    /// <summary>A worker's health sample for this window, with its prediction from <paramref name="history"/> plus this score.</summary>
    public static HealthSample Sample(
        WorkerInfo worker, WorkerMetricsReport report, double? fleetErrorRate, IReadOnlyDictionary<string, double> fleetMeans,
        long memoryBudgetBytes, IReadOnlyList<HealthHistoryPoint> history, DateTimeOffset now, PredictionRules rules)
    {
        var errorRate = ErrorRate(report);
        var durationRatio = DurationRatio(report, fleetMeans);
        var gcPauseShare = report.Window > TimeSpan.Zero ? Math.Clamp(report.GcPauseMs / report.Window.TotalMilliseconds, 0, 1) : 0;
        var score = HealthScore.Compute(new HealthInputs(
            errorRate, fleetErrorRate, durationRatio, report.HeartbeatDeviationMs, report.HeartbeatInterval,
            report.MemoryBytes, memoryBudgetBytes, gcPauseShare));
        var trend = history.Select(h => new ScoreSample(h.At, h.HealthScore)).Append(new ScoreSample(now, score.Score)).ToList();
        var memory = history.Where(h => h.MemoryBytes is not null).Select(h => new TimedValue(h.At, h.MemoryBytes!.Value))
            .Append(new TimedValue(now, report.MemoryBytes)).ToList();
        var memoryOutlook = memoryBudgetBytes > 0
            ? MemoryForecast.Of(memory, HealthScore.FailingMemoryBytes(memoryBudgetBytes, rules.FailureThreshold), rules.Horizon, rules.MemoryLookBack)
            : null;
        return new HealthSample(
            worker.Id, score.Score, errorRate is { } e ? 1 - e : null, durationRatio, report.HeartbeatDeviationMs,
            report.CurrentLoad, report.JobsCompleted, report.JobsFailed, report.MemoryBytes, report.CpuPercent, report.GcPauseMs,
            errorRate, report.RunDurations.ToDictionary(d => d.Key, d => d.Value.MeanMs, StringComparer.Ordinal),
            FailurePrediction.Predict(trend, rules.FailureThreshold, rules.Horizon, memoryOutlook))
        {
            WindowAttempts = report.WindowCompleted + report.WindowFailed,
            WindowFailed = report.WindowFailed,
            GcPauseShare = report.Window > TimeSpan.Zero ? gcPauseShare : null,
            CpuWaitShare = report.CpuWaitMs is { } waitedMs && report.Window > TimeSpan.Zero ? Math.Max(0, waitedMs / report.Window.TotalMilliseconds) : null,
            ReportAt = worker.LastHeartbeatAt,
        };
    }
}
