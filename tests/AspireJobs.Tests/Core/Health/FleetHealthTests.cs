using AspireJobs.Core.Health;
using AspireJobs.Core.Workers;

namespace AspireJobs.Tests.Core.Health;

public sealed class FleetHealthTests
{
    private static WorkerMetricsReport Report(long completed, long failed, params (string Type, long Count, double MeanMs)[] durations) =>
        new(0, completed, failed, completed, failed, durations.ToDictionary(d => d.Type, d => new RunDurationStats(d.Count, d.MeanMs)),
            100_000_000, 5, 1, 3, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5));

    [Fact]
    public void FleetFigures_WeighEachWorkerByItsAttempts()
    {
        var fast = Report(90, 10, ("resize", 90, 100));
        var slow = Report(10, 0, ("resize", 10, 300), ("email", 10, 50));

        Assert.Equal(0.1 * 100 / 110, FleetHealth.FleetErrorRate([fast, slow])!.Value, 9);
        var means = FleetHealth.FleetMeanDurations([fast, slow]);
        Assert.Equal((90 * 100 + 10 * 300) / 100.0, means["resize"], 9);
        Assert.Equal((300 + HealthScore.DurationSlackMs) / (120 + HealthScore.DurationSlackMs), FleetHealth.DurationRatio(Report(0, 0, ("resize", 5, 300)), means)!.Value, 9);
    }
}
