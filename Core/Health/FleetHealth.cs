using AspireJobs.Core.Workers;

namespace AspireJobs.Core.Health;

/// <summary>
/// Turns the workers' latest reports into health samples, anomalies and predictions: the pure
/// part of the health sweep. A worker is compared with the fleet (error rate, run times) and
/// with its own recent history.
/// </summary>
public static class FleetHealth
{
    public const string SelfBaseline = "self";
    public const string FleetBaseline = "fleet";

    /// <summary>The share of finished attempts that failed across the fleet in the window; null when none finished.</summary>
    public static double? FleetErrorRate(IEnumerable<WorkerMetricsReport> reports)
    {
        long completed = 0, failed = 0;
        foreach (var report in reports)
        {
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

    /// <summary>The worker's run times over the fleet's for the same types, weighted by its attempts; null without any.</summary>
    public static double? DurationRatio(WorkerMetricsReport report, IReadOnlyDictionary<string, double> fleetMeans)
    {
        double weighted = 0;
        long count = 0;
        foreach (var (type, stats) in report.RunDurations)
        {
            if (fleetMeans.TryGetValue(type, out var fleetMean) && fleetMean > 0)
            {
                weighted += stats.Count * (stats.MeanMs / fleetMean);
                count += stats.Count;
            }
        }

        return count == 0 ? null : weighted / count;
    }

    /// <summary>The error rate of one report's window; null when nothing finished.</summary>
    public static double? ErrorRate(WorkerMetricsReport report) =>
        report.WindowCompleted + report.WindowFailed == 0 ? null : (double)report.WindowFailed / (report.WindowCompleted + report.WindowFailed);

    /// <summary>The values anomaly detection watches, by metric name.</summary>
    public static Dictionary<string, double> WatchedMetrics(double? errorRate, double? memoryBytes, double? heartbeatDeviationMs, IReadOnlyDictionary<string, double> runDurationsMs)
    {
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (errorRate is { } e)
        {
            metrics["error_rate"] = e;
        }

        if (memoryBytes is { } m)
        {
            metrics["memory_bytes"] = m;
        }

        if (heartbeatDeviationMs is { } h)
        {
            metrics["heartbeat_jitter_ms"] = h;
        }

        foreach (var (type, ms) in runDurationsMs)
        {
            metrics[$"run_duration_ms:{type}"] = ms;
        }

        return metrics;
    }

    public static Dictionary<string, double> WatchedMetrics(HealthSample sample) =>
        WatchedMetrics(sample.ErrorRate, sample.MemoryBytes, sample.HeartbeatDeviationMs, sample.RunDurationsMs);

    public static Dictionary<string, double> WatchedMetrics(HealthHistoryPoint point) =>
        WatchedMetrics(point.ErrorRate, point.MemoryBytes, point.HeartbeatDeviationMs, point.RunDurationsMs);

    /// <summary>
    /// Every watched metric of <paramref name="current"/> that is <paramref name="threshold"/> or more
    /// standard deviations from its baseline: the worker's own earlier samples, and the other
    /// workers' current values. A baseline with fewer than <paramref name="minimumSamples"/> values judges nothing.
    /// </summary>
    public static IReadOnlyList<NewAnomaly> FindAnomalies(
        HealthSample current, IReadOnlyList<HealthHistoryPoint> ownHistory, IReadOnlyList<HealthSample> others,
        double threshold, int minimumSamples)
    {
        var anomalies = new List<NewAnomaly>();
        var history = ownHistory.Select(WatchedMetrics).ToList();
        var fleet = others.Select(WatchedMetrics).ToList();
        foreach (var (metric, value) in WatchedMetrics(current))
        {
            Judge(SelfBaseline, history.Where(h => h.ContainsKey(metric)).Select(h => h[metric]).ToList());
            Judge(FleetBaseline, fleet.Where(f => f.ContainsKey(metric)).Select(f => f[metric]).ToList());

            void Judge(string baseline, IReadOnlyList<double> values)
            {
                if (ZScore.Of(value, values, minimumSamples) is { } result && result.IsAnomaly(threshold))
                {
                    anomalies.Add(new NewAnomaly(current.WorkerId, metric, baseline, result));
                }
            }
        }

        return anomalies;
    }

    /// <summary>A worker's health sample for this window, with its prediction from <paramref name="history"/> plus this score.</summary>
    public static HealthSample Sample(
        WorkerInfo worker, WorkerMetricsReport report, double? fleetErrorRate, IReadOnlyDictionary<string, double> fleetMeans,
        long memoryBudgetBytes, IReadOnlyList<HealthHistoryPoint> history, DateTimeOffset now, double failureThreshold, TimeSpan horizon)
    {
        var errorRate = ErrorRate(report);
        var durationRatio = DurationRatio(report, fleetMeans);
        var score = HealthScore.Compute(new HealthInputs(
            errorRate, fleetErrorRate, durationRatio, report.HeartbeatDeviationMs, report.HeartbeatInterval,
            report.MemoryBytes, memoryBudgetBytes, report.Window > TimeSpan.Zero ? report.GcPauseMs / report.Window.TotalMilliseconds : 0));
        var trend = history.Select(h => new ScoreSample(h.At, h.HealthScore)).Append(new ScoreSample(now, score.Score)).ToList();
        return new HealthSample(
            worker.Id, score.Score, errorRate is { } e ? 1 - e : null, durationRatio, report.HeartbeatDeviationMs,
            report.CurrentLoad, report.JobsCompleted, report.JobsFailed, report.MemoryBytes, report.CpuPercent, report.GcPauseMs,
            errorRate, report.RunDurations.ToDictionary(d => d.Key, d => d.Value.MeanMs, StringComparer.Ordinal),
            FailurePrediction.Predict(trend, failureThreshold, horizon));
    }
}
