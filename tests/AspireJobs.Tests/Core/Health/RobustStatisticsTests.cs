using AspireJobs.Core.Health;

namespace AspireJobs.Tests.Core.Health;

public sealed class RobustStatisticsTests
{
    [Fact]
    public void TheBaseline_IgnoresOneWildSample_WhereMeanAndStandardDeviationDoNot()
    {
        var baseline = RobustBaseline.Of([10, 11, 9, 10, 12, 10, 500]);

        Assert.Equal(10, baseline.Median);
        Assert.Equal(1.4826, baseline.Spread, 9); // deviations 0,1,1,0,2,0,490: their median is 1
        Assert.True(baseline.Mean > 80);
        Assert.True(baseline.StdDev > 150);
        Assert.Equal(10 / 1.4826, baseline.Z(20), 9);
    }

    [Fact]
    public void TheMedian_OfAnEvenCount_IsTheMeanOfTheMiddleTwo() =>
        Assert.Equal(2.5, RobustBaseline.MedianOf([4, 1, 3, 2]));

    [Fact]
    public void AConstantBaseline_HasAFloorUnderItsSpread()
    {
        var baseline = RobustBaseline.Of([5, 5, 5, 5, 5]);

        Assert.True(baseline.Spread > 0);
        Assert.Equal(0, baseline.Z(5));
        Assert.True(baseline.Z(5.01) > 1e6);
    }

    [Theory]
    [InlineData(1, 10, 0.1, 0.6513215599)] // 1 − 0.9^10
    [InlineData(10, 10, 0.5, 0.0009765625)] // 2^−10
    [InlineData(0, 10, 0.3, 1.0)]
    [InlineData(11, 10, 0.3, 0.0)]
    [InlineData(3, 5, 0.5, 0.5)] // symmetric
    public void TheBinomialTail_HasItsKnownValues(long k, long n, double p, double expected) =>
        Assert.Equal(expected, BinomialTail.AtLeast(k, n, p), 9);

    [Fact]
    public void TheBinomialTail_StaysFiniteAndSmall_ForLargeCounts()
    {
        var tail = BinomialTail.AtLeast(700, 50_000, 0.01); // mean 500, sd ≈ 22: 9 sd above

        Assert.InRange(tail, 1e-30, 1e-12);
        Assert.InRange(BinomialTail.AtLeast(500, 50_000, 0.01), 0.45, 0.55);
    }
}
