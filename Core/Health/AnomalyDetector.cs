namespace AspireJobs.Core.Health;

/// <summary>
/// Finds the watched metrics of a worker that left their baseline. Two baselines:
/// <list type="bullet">
/// <item><b>self</b>: the worker's own recent samples. The value must be a robust z-score of at
/// least the threshold above their median, and above it by the metric's floor. It must also stand
/// out from the rest of the fleet right now, by the same floor: what every worker sees at once (a
/// slow database, a burst of failing jobs) is the fleet's trouble, not this worker's.</item>
/// <item><b>fleet</b>: the other workers' current values, once there are enough of them to have a
/// spread (<see cref="AnomalyRules.MinimumFleet"/>), by the same z-score and floor.</item>
/// </list>
/// Only rises count: every watched metric is worse when higher. A metric that must last
/// (<see cref="WatchedMetric.SustainedSamples"/>) is judged on its least over its last samples,
/// against the samples before them. The error rate is judged by the
/// binomial chance of that many failures at the baseline's rate instead of a z-score, and not at
/// all on too few attempts.
/// </summary>
public static class AnomalyDetector
{
    public static IReadOnlyList<NewAnomaly> Find(
        HealthSample current, IReadOnlyList<HealthHistoryPoint> ownHistory, IReadOnlyList<HealthSample> others, AnomalyRules rules)
    {
        var anomalies = new List<NewAnomaly>();
        var history = ownHistory.Select(FleetHealth.WatchedMetrics).ToList();
        var peers = others.Select(FleetHealth.WatchedMetrics).ToList();
        foreach (var (metric, latest) in FleetHealth.WatchedMetrics(current))
        {
            var value = latest;
            var isErrorRate = metric == WatchedMetric.ErrorRate;
            if (isErrorRate && current.WindowAttempts < rules.Floors.ErrorMinimumAttempts)
            {
                continue;
            }

            var own = history.Where(h => h.ContainsKey(metric)).Select(h => h[metric]).ToList();
            var sustained = WatchedMetric.SustainedSamples(metric) - 1;
            if (sustained > 0)
            {
                if (own.Count < sustained)
                {
                    continue;
                }

                value = Math.Min(value, own.TakeLast(sustained).Min());
                own.RemoveRange(own.Count - sustained, sustained);
            }

            var fleetValues = peers.Where(p => p.ContainsKey(metric)).Select(p => p[metric]).ToList();
            RobustBaseline? fleet = fleetValues.Count > 0 ? RobustBaseline.Of(fleetValues) : null;
            var fleetRate = isErrorRate ? PooledErrorRate(others) : null;

            if (own.Count >= rules.MinimumSamples)
            {
                var self = RobustBaseline.Of(own);
                var standsOut = fleet is not { } f || Departs(metric, value, f.Median, fleetRate ?? f.Median, current, rules);
                if (Exceeds(metric, value, self, self.Median, current, rules) && standsOut)
                {
                    anomalies.Add(new NewAnomaly(current.WorkerId, metric, FleetHealth.SelfBaseline,
                        AnomalyEvidence.Of(value, self, rules.Floors.For(metric, self.Median), fleet?.Median)));
                }
            }

            if (fleet is { } baseline && fleetValues.Count >= rules.MinimumFleet
                && Exceeds(metric, value, baseline, fleetRate ?? baseline.Median, current, rules))
            {
                anomalies.Add(new NewAnomaly(current.WorkerId, metric, FleetHealth.FleetBaseline,
                    AnomalyEvidence.Of(value, baseline, rules.Floors.For(metric, baseline.Median), baseline.Median)));
            }
        }

        return anomalies;
    }

    /// <summary>Above the baseline by the floor, and by the z-score threshold (or, for the error rate, improbably many failures).</summary>
    private static bool Exceeds(string metric, double value, RobustBaseline baseline, double baselineRate, HealthSample current, AnomalyRules rules) =>
        Departs(metric, value, baseline.Median, baselineRate, current, rules)
        && (metric == WatchedMetric.ErrorRate || baseline.Z(value) >= rules.Threshold);

    /// <summary>Above <paramref name="centre"/> by the metric's floor; for the error rate, also more failures than chance allows at <paramref name="baselineRate"/>.</summary>
    private static bool Departs(string metric, double value, double centre, double baselineRate, HealthSample current, AnomalyRules rules)
    {
        if (value - centre < rules.Floors.For(metric, centre))
        {
            return false;
        }

        return metric != WatchedMetric.ErrorRate
            || BinomialTail.AtLeast(current.WindowFailed, current.WindowAttempts, Math.Max(baselineRate, AnomalyRules.MinimumBaselineErrorRate)) <= rules.Floors.ErrorSignificance;
    }

    /// <summary>The failed share of every attempt the other workers finished in their windows; null when they finished none.</summary>
    private static double? PooledErrorRate(IReadOnlyList<HealthSample> others)
    {
        var attempts = others.Sum(o => o.WindowAttempts);
        return attempts == 0 ? null : (double)others.Sum(o => o.WindowFailed) / attempts;
    }
}
