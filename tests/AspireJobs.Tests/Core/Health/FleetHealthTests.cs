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

    [Fact]
    public void ASample_SharesOutTheWindowsWaits_AndForeseesALeakFromTheMemoryHistory()
    {
        const long MiB = 1024 * 1024;
        var now = new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
        var worker = new WorkerInfo(Guid.NewGuid(), "w", "h", 1, "1", ["noop"], 4, WorkerStatus.Active, now.AddMinutes(-5), now, null, 0, 0, 0, 1, null);
        var steady = new Prediction(1, null, null, 0, RecommendedAction.None);
        // Two minutes of leaking 2 MiB a second, up to 400 MiB now: the score has not moved yet.
        var history = Enumerable.Range(0, 24).Select(i => new HealthHistoryPoint(
            now.AddSeconds(-5 * (24 - i)), 0.95, 0, 160 * MiB + 10 * MiB * i, 1, new Dictionary<string, double>(), steady)).ToList();
        var report = Report(50, 0) with { MemoryBytes = 400 * MiB };

        var sample = FleetHealth.Sample(worker, report with { CpuWaitMs = 1500 }, 0, new Dictionary<string, double>(), 512 * MiB, history, now, PredictionRules.Default);

        Assert.Equal(0.3, sample.CpuWaitShare!.Value, 9); // 1.5 s over a 5 s window
        Assert.Null(FleetHealth.Sample(worker, report, 0, new Dictionary<string, double>(), 512 * MiB, history, now, PredictionRules.Default).CpuWaitShare);
        Assert.Equal(RecommendedAction.Drain, sample.Prediction.RecommendedAction);
        Assert.StartsWith("memory 400 MiB, rising 120 MiB a minute", sample.Prediction.Reason, StringComparison.Ordinal);
        Assert.InRange(sample.Prediction.TimeToFailure!.Value.TotalSeconds, 30, 40); // to about 470 MiB at 2 MiB a second
    }
}
