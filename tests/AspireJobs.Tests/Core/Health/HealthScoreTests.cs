using AspireJobs.Core.Health;

namespace AspireJobs.Tests.Core.Health;

public sealed class HealthScoreTests
{
    private static readonly TimeSpan Beat = TimeSpan.FromSeconds(2);
    private const double Budget = 1000;

    private static HealthInputs Healthy => new(ErrorRate: 0, FleetErrorRate: 0, DurationRatio: 1, HeartbeatDeviationMs: 0, Beat, MemoryBytes: 100, Budget, GcPauseFraction: 0);

    [Fact]
    public void Compute_IsOne_ForAWorkerDoingWell() =>
        Assert.Equal(1, HealthScore.Compute(Healthy).Score, 6);

    [Fact]
    public void Compute_IsOne_WithNoEvidenceEitherWay() =>
        Assert.Equal(1, HealthScore.Compute(new HealthInputs(null, null, null, null, Beat, 0, Budget, 0)).Score, 6);

    [Fact]
    public void Compute_WeighsEachPartAsDocumented()
    {
        // success: worker fails 50 % where the fleet fails 0 % → 0.5; duration: twice the fleet's → 0.5;
        // heartbeat: 1.1 s off a 2 s beat, 0.1 s forgiven → 0.5; resources: memory at 75 % of budget → 0.5,
        // no GC pauses → 1 → 0.75. No part is under 0.5, so nothing caps the mean.
        var breakdown = HealthScore.Compute(new HealthInputs(0.5, 0, 2, 1100, Beat, 750, Budget, 0));

        Assert.Equal((0.5, 0.5, 0.5, 0.75), (breakdown.Success, breakdown.Duration, breakdown.Heartbeat, breakdown.Resources));
        Assert.Equal(0.4 * 0.5 + 0.2 * 0.5 + 0.2 * 0.5 + 0.2 * 0.75, breakdown.Score, 6);
    }

    [Fact]
    public void TheWeakestPart_CapsTheScore_SoAWorkerFailingNearlyEverythingIsFailing()
    {
        // Fails 90 % where the fleet fails nothing: success 0.1. The weighted mean alone would be 0.64.
        var failing = HealthScore.Compute(Healthy with { ErrorRate = 0.9 });

        Assert.Equal((0.4 * 0.1 + 0.6) * (0.1 / HealthScore.WeakestPartKnee), failing.Score, 6);
        Assert.True(failing.Score < FailurePrediction.DefaultThreshold);

        // Memory at 95 % of the budget: memory 0.1, so the score is a fifth of its mean.
        var nearlyOutOfMemory = HealthScore.Compute(Healthy with { MemoryBytes = 950 });
        Assert.Equal((0.8 + 0.2 * (0.1 + 1) / 2) * (0.1 / HealthScore.WeakestPartKnee), nearlyOutOfMemory.Score, 6);
    }

    [Fact]
    public void SmallDifferences_OfRunTimesAndBeats_CostNothing()
    {
        Assert.Equal(1, HealthScore.Compute(Healthy with { HeartbeatDeviationMs = HealthScore.HeartbeatSlackMs }).Score, 6);
        Assert.True(HealthScore.Compute(Healthy with { HeartbeatDeviationMs = HealthScore.HeartbeatSlackMs + 200 }).Score < 1);
    }

    [Theory]
    [InlineData(0.5, 0.5, 1.0)]    // failing like everyone else: the jobs' fault, not the worker's
    [InlineData(0.6, 0.2, 0.5)]    // 0.4 worse than the fleet, out of 0.8 of room
    [InlineData(1.0, 0.0, 0.0)]    // fails everything the fleet does not
    [InlineData(0.0, 0.3, 1.0)]    // better than the fleet
    [InlineData(1.0, 1.0, 1.0)]    // the whole fleet fails everything
    public void RelativeSuccess_JudgesAWorkerAgainstTheFleet(double worker, double fleet, double expected) =>
        Assert.Equal(expected, HealthScore.RelativeSuccess(worker, fleet), 6);

    [Fact]
    public void Compute_DoesNotScoreDownABusyWorker_OnlyOneUnderGcPressure()
    {
        Assert.Equal(1, HealthScore.Compute(Healthy with { GcPauseFraction = 0 }).Score, 6);
        Assert.Equal(0.8 + 0.2 * (1 + 0.7) / 2, HealthScore.Compute(Healthy with { GcPauseFraction = 0.03 }).Score, 6);
        Assert.Equal(0, HealthScore.Compute(Healthy with { GcPauseFraction = 0.1 }).Score, 6); // a tenth of the time paused: failing
    }

    [Fact]
    public void Compute_FallsWithEachSignOfTrouble()
    {
        var baseline = HealthScore.Compute(Healthy).Score;

        Assert.True(HealthScore.Compute(Healthy with { ErrorRate = 0.3 }).Score < baseline);
        Assert.True(HealthScore.Compute(Healthy with { DurationRatio = 3 }).Score < baseline);
        Assert.True(HealthScore.Compute(Healthy with { HeartbeatDeviationMs = 1500 }).Score < baseline);
        Assert.True(HealthScore.Compute(Healthy with { MemoryBytes = 900 }).Score < baseline);
        Assert.True(HealthScore.Compute(Healthy with { GcPauseFraction = 0.08 }).Score < baseline);
    }

    [Fact]
    public void Compute_StaysBetweenZeroAndOne_AtTheExtremes()
    {
        var worst = HealthScore.Compute(new HealthInputs(1, 0, 1000, 1e9, Beat, 1e12, Budget, 1));

        Assert.Equal(0, worst.Score, 6);
        Assert.Equal(1, HealthScore.Compute(new HealthInputs(0, 0, 0.001, 0, Beat, 0, Budget, 0)).Score, 6);
    }
}
