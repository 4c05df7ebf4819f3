using AspireJobs.Core.Health;

namespace AspireJobs.Tests.Core.Health;

public sealed class AnomalyContinuityTests
{
    private static readonly Guid Reporting = Guid.NewGuid();
    private static readonly Guid Silent = Guid.NewGuid();
    private static readonly Guid Gone = Guid.NewGuid();
    private static readonly AnomalyEvidence Evidence = new(10, 1, 1, 1, 1, 9, 9, 2, null);

    private static NewAnomaly Found(Guid worker, string metric) => new(worker, metric, FleetHealth.FleetBaseline, Evidence);

    [Fact]
    public void AnAnomalyBegins_WhenNoneLikeItLasts_AndEnds_WhenANewReportNoLongerShowsIt_OrItsWorkerIsGone()
    {
        LastingAnomaly[] lasting =
        [
            new(1, Reporting, WatchedMetric.MemoryBytes, FleetHealth.FleetBaseline), // still shown: lasts
            new(2, Reporting, WatchedMetric.HeartbeatJitterMs, FleetHealth.FleetBaseline), // no longer shown: ends
            new(3, Reporting, WatchedMetric.MemoryBytes, FleetHealth.SelfBaseline), // the other baseline: ends
            new(4, Silent, WatchedMetric.MemoryBytes, FleetHealth.FleetBaseline), // no new report: lasts
            new(5, Gone, WatchedMetric.MemoryBytes, FleetHealth.FleetBaseline), // not live: ends
        ];
        NewAnomaly[] found = [Found(Reporting, WatchedMetric.MemoryBytes), Found(Reporting, WatchedMetric.GcPauseShare)];

        var (beginning, ended) = AnomalyContinuity.Follow(lasting, found, new HashSet<Guid> { Reporting }, new HashSet<Guid> { Reporting, Silent });

        Assert.Equal(WatchedMetric.GcPauseShare, Assert.Single(beginning).Metric);
        Assert.Equal([2L, 3L, 5L], ended);
    }
}
