using AspireJobs.Core.Health;
using AspireJobs.Core.Workers;

namespace AspireJobs.Tests.Core.Health;

public sealed class FleetHealthTests
{
    private static WorkerMetricsReport Report(long completed, long failed, params (string Type, long Count, double MeanMs)[] durations) =>
        new(0, completed, failed, completed, failed, durations.ToDictionary(d => d.Type, d => new RunDurationStats(d.Count, d.MeanMs)),
            100_000_000, 5, 1, 3, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));

    private static HealthSample Sample(Guid worker, double memory, double errorRate = 0) =>
        new(worker, 1, 1, 1, 3, 0, 0, 0, (long)memory, 5, 1, errorRate, new Dictionary<string, double>(), new Prediction(1, null, null, 0, RecommendedAction.None));

    [Fact]
    public void FleetFigures_WeighEachWorkerByItsAttempts()
    {
        var fast = Report(90, 10, ("resize", 90, 100));
        var slow = Report(10, 0, ("resize", 10, 300), ("email", 10, 50));

        Assert.Equal(0.1 * 100 / 110, FleetHealth.FleetErrorRate([fast, slow])!.Value, 9);
        var means = FleetHealth.FleetMeanDurations([fast, slow]);
        Assert.Equal((90 * 100 + 10 * 300) / 100.0, means["resize"], 9);
        Assert.Equal(300 / 120.0, FleetHealth.DurationRatio(Report(0, 0, ("resize", 5, 300)), means)!.Value, 9);
    }

    [Fact]
    public void FindAnomalies_FlagsAMemorySpike_AgainstTheWorkersOwnHistory()
    {
        var worker = Guid.NewGuid();
        var history = Enumerable.Range(0, 10)
            .Select(i => new HealthHistoryPoint(DateTimeOffset.UtcNow.AddSeconds(-5 * (10 - i)), 1, 0, 100_000_000 + i * 100_000, 3, new Dictionary<string, double>(), new Prediction(1, null, null, 0, RecommendedAction.None)))
            .ToList();

        var anomalies = FleetHealth.FindAnomalies(Sample(worker, 400_000_000), history, [], 2, 5);

        var anomaly = Assert.Single(anomalies);
        Assert.Equal(("memory_bytes", "self"), (anomaly.Metric, anomaly.Baseline));
        Assert.Empty(FleetHealth.FindAnomalies(Sample(worker, 100_500_000), history, [], 2, 5));
    }

    [Fact]
    public void FindAnomalies_FlagsAWorkerOutOfLineWithTheFleet_OnceTheFleetIsLargeEnough()
    {
        var others = Enumerable.Range(0, 6).Select(i => Sample(Guid.NewGuid(), 100_000_000 + i * 1_000_000, errorRate: 0.01 * i)).ToList();
        var outlier = Sample(Guid.NewGuid(), 100_000_000, errorRate: 0.9);

        var anomalies = FleetHealth.FindAnomalies(outlier, [], others, 2, 5);

        Assert.Contains(anomalies, a => a is { Metric: "error_rate", Baseline: "fleet" });
        Assert.Empty(FleetHealth.FindAnomalies(outlier, [], others.Take(4).ToList(), 2, 5));
    }
}
