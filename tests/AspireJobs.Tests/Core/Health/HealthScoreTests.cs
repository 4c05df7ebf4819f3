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
        // heartbeat: 1 s off a 2 s beat → 0.5; resources: memory at 75 % of budget → 0.5, no GC pauses → 1 → 0.75.
        var breakdown = HealthScore.Compute(new HealthInputs(0.5, 0, 2, 1000, Beat, 750, Budget, 0));

        Assert.Equal((0.5, 0.5, 0.5, 0.75), (breakdown.Success, breakdown.Duration, breakdown.Heartbeat, breakdown.Resources));
        Assert.Equal(0.4 * 0.5 + 0.2 * 0.5 + 0.2 * 0.5 + 0.2 * 0.75, breakdown.Score, 6);
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
        Assert.Equal(0.9, HealthScore.Compute(Healthy with { GcPauseFraction = 0.1 }).Score, 6);
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

        Assert.Equal(0.2 * (1.0 / 1000), worst.Score, 6);
        Assert.InRange(worst.Score, 0, 1);
    }
}
