namespace AspireJobs.Core.Health;

/// <summary>
/// Which anomalies begin and which end at a sweep, from what is recorded rather than from one
/// monitor's memory, so that a monitor taking over goes on where the last left off. An anomaly
/// is recorded when it begins, not again while it lasts; it lasts until a new report of its
/// worker no longer shows it, or its worker is gone. A worker whose latest report was sampled
/// already (paused, cut off) keeps its anomalies: no new report says otherwise.
/// </summary>
public static class AnomalyContinuity
{
    /// <param name="lasting">The anomalies recorded that have not ended.</param>
    /// <param name="found">The anomalies found in this sweep's new reports.</param>
    /// <param name="newReports">The workers with a new report in this sweep.</param>
    /// <param name="live">The workers alive in this sweep.</param>
    public static (IReadOnlyList<NewAnomaly> Beginning, IReadOnlyList<long> Ended) Follow(
        IReadOnlyList<LastingAnomaly> lasting, IReadOnlyList<NewAnomaly> found, IReadOnlySet<Guid> newReports, IReadOnlySet<Guid> live)
    {
        var foundNow = found.Select(a => (a.WorkerId, a.Metric, a.Baseline)).ToHashSet();
        var ended = lasting
            .Where(a => !live.Contains(a.WorkerId) || (newReports.Contains(a.WorkerId) && !foundNow.Contains((a.WorkerId, a.Metric, a.Baseline))))
            .Select(a => a.Id)
            .ToList();
        var recorded = lasting.Select(a => (a.WorkerId, a.Metric, a.Baseline)).ToHashSet();
        var beginning = found.Where(a => !recorded.Contains((a.WorkerId, a.Metric, a.Baseline))).ToList();
        return (beginning, ended);
    }
}
