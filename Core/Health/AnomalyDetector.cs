namespace AspireJobs.Core.Health;

/// <summary>
/// Finds the watched metrics of a worker that left their baseline. Two baselines:
/// <list type="bullet">
/// <item><b>self</b>: the worker's own recent samples. The value must be a robust z-score of at
/// least the threshold above their median, and above it by the metric's floor. It must also stand
/// out from the rest of the fleet right now, by the same floor: what every worker sees at once (a
/// slow database, a burst of failing jobs) is the fleet's trouble, not this worker's.</item>
/// <item><b>fleet</b>: the other workers' current values, once there are enough of them to have a
/// spread (<see cref="AnomalyRules.MinimumFleet"/>; for the error rate, one), by the same z-score
/// (the error rate: by its chance, below) and floor.</item>
/// </list>
/// Only rises count: every watched metric is worse when higher. A metric that must last
/// (<see cref="WatchedMetric.SustainedSamples"/>) is judged on its least over its last samples,
/// against the samples before them. The error rate is judged by the chance of that many failures
/// instead of a z-score, and not at all on too few attempts: against its own history, the binomial
/// chance at its usual rate (and, to stand out, at the others' pooled rate); against the fleet,
/// Fisher's exact test on the window's counts (<see cref="HypergeometricTail"/>), which weighs the
/// others' few attempts as the little evidence they are and needs no spread, so one other worker
/// with finished attempts is fleet enough: a worker too new or too idle to have a history of its own, failing
/// most of its jobs beside two healthy peers, is flagged.
/// </summary>
public static class AnomalyDetector
{
    public static IReadOnlyList<NewAnomaly> Find(
        HealthSample current, IReadOnlyList<HealthHistoryPoint> ownHistory, IReadOnlyList<HealthSample> others, AnomalyRules rules)
    {
        var anomalies = new List<NewAnomaly>();
        var history = ownHistory.Select(FleetHealth.WatchedMetrics).ToList();
        var peers = others.Select(FleetHealth.WatchedMetrics).ToList();
        // The other workers' windows pooled: what the error rate is judged beside.
        var (othersAttempts, othersFailed) = (others.Sum(o => o.WindowAttempts), others.Sum(o => o.WindowFailed));
        double? othersRate = othersAttempts == 0 ? null : (double)othersFailed / othersAttempts;
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

            if (own.Count >= rules.MinimumSamples)
            {
                var self = RobustBaseline.Of(own);
                // A veto, and a lenient one: at the others' pooled rate, however few their attempts.
                var standsOut = fleet is not { } f || Departs(metric, value, f.Median, () => ChanceAtRate(current, othersRate ?? f.Median), rules);
                if (Exceeds(metric, value, self, () => ChanceAtRate(current, self.Median), rules) && standsOut)
                {
                    anomalies.Add(new NewAnomaly(current.WorkerId, metric, FleetHealth.SelfBaseline,
                        AnomalyEvidence.Of(value, self, rules.Floors.For(metric, self.Median), fleet?.Median)));
                }
            }

            if (fleet is { } baseline && (isErrorRate || fleetValues.Count >= rules.MinimumFleet)
                && Exceeds(metric, value, baseline, () => ChanceBesideTheFleet(current, othersAttempts, othersFailed), rules))
            {
                anomalies.Add(new NewAnomaly(current.WorkerId, metric, FleetHealth.FleetBaseline,
                    AnomalyEvidence.Of(value, baseline, rules.Floors.For(metric, baseline.Median), baseline.Median)));
            }
        }

        return anomalies;
    }

    /// <summary>Above the baseline by the floor, and by the z-score threshold (or, for the error rate, improbably many failures).</summary>
    private static bool Exceeds(string metric, double value, RobustBaseline baseline, Func<double> chanceOfFailures, AnomalyRules rules) =>
        Departs(metric, value, baseline.Median, chanceOfFailures, rules)
        && (metric == WatchedMetric.ErrorRate || baseline.Z(value) >= rules.Threshold);

    /// <summary>
    /// Above <paramref name="centre"/> by the metric's floor; for the error rate, also more failures
    /// than chance allows: <paramref name="chanceOfFailures"/> is how likely the window's failures
    /// were if the worker failed like its baseline.
    /// </summary>
    private static bool Departs(string metric, double value, double centre, Func<double> chanceOfFailures, AnomalyRules rules) =>
        value - centre >= rules.Floors.For(metric, centre)
        && (metric != WatchedMetric.ErrorRate || chanceOfFailures() <= rules.Floors.ErrorSignificance);

    /// <summary>The chance of at least the window's failures among its attempts at the worker's usual rate (binomial).</summary>
    private static double ChanceAtRate(HealthSample current, double rate) =>
        BinomialTail.AtLeast(current.WindowFailed, current.WindowAttempts, Math.Max(rate, AnomalyRules.MinimumBaselineErrorRate));

    /// <summary>
    /// The chance that at least the worker's share of the failures the whole fleet finished in its
    /// windows fell to it, were every attempt alike (Fisher's exact test); 1 when the others
    /// finished nothing, which leaves nothing to compare with.
    /// </summary>
    private static double ChanceBesideTheFleet(HealthSample current, long othersAttempts, long othersFailed)
    {
        if (othersAttempts == 0)
        {
            return 1;
        }

        var failed = current.WindowFailed + othersFailed;
        return HypergeometricTail.AtLeast(current.WindowFailed, current.WindowAttempts, failed, current.WindowAttempts + othersAttempts);
    }
}
