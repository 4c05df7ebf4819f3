using AspireJobs.Core.Health;

namespace AspireJobs.Tests.Core.Health;

public sealed class ZScoreTests
{
    private static readonly double[] Steady = [100, 102, 98, 101, 99, 100, 103, 97, 100, 100];

    [Fact]
    public void Of_FlagsAnInjectedSpike()
    {
        var result = ZScore.Of(160, Steady)!;

        Assert.True(result.IsAnomaly(ZScore.DefaultThreshold));
        Assert.Equal(100, result.Mean, 6);
        Assert.InRange(result.Z, 20, 40);
    }

    [Fact]
    public void Of_DoesNotFlagAValueFromTheSteadySeries()
    {
        foreach (var value in Steady)
        {
            Assert.False(ZScore.Of(value, Steady)!.IsAnomaly(ZScore.DefaultThreshold), $"{value} flagged");
        }
    }

    [Fact]
    public void Of_KnowsTheAnswer_ForASmallSeries()
    {
        // mean 5, sample standard deviation sqrt(((−3)² + (−1)² + 1² + 3²) / 3) = sqrt(20/3)
        var result = ZScore.Of(10, [2, 4, 6, 8], minimumSamples: 4)!;

        Assert.Equal(5, result.Mean, 9);
        Assert.Equal(Math.Sqrt(20.0 / 3), result.StdDev, 9);
        Assert.Equal(5 / Math.Sqrt(20.0 / 3), result.Z, 9);
    }

    [Fact]
    public void Of_JudgesNothing_BelowTheMinimumSampleCount() =>
        Assert.Null(ZScore.Of(1_000_000, [1, 2, 3, 4], minimumSamples: 5));

    [Fact]
    public void Of_StillFlagsADeparture_FromAPerfectlyFlatBaseline()
    {
        Assert.True(ZScore.Of(120, [100, 100, 100, 100, 100])!.IsAnomaly(2));
        Assert.False(ZScore.Of(100, [100, 100, 100, 100, 100])!.IsAnomaly(2));
    }

    [Fact]
    public void Of_FlagsADropAsWellAsARise() =>
        Assert.True(ZScore.Of(40, Steady)!.Z < -2);
}
