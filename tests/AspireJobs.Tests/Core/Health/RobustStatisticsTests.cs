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

    [Fact]
    public void TheBinomialTail_IsNearlyOne_FarBelowTheMean_WhereOneTermIsTooSmallForADouble()
    {
        Assert.Equal(1.0, BinomialTail.AtLeast(1, 2_000, 0.5), 12); // 1 − 2^−2,000
        Assert.InRange(BinomialTail.AtLeast(400, 1_000, 0.946), 1 - 1e-12, 1.0); // the mean is 946
        Assert.InRange(BinomialTail.AtLeast(960, 1_000, 0.946), 1e-3, 0.1); // above it, as before: about 1.5 sd
    }

    [Theory]
    [InlineData(4, 4, 4, 8, 0.0142857142857)] // the lady tasting tea: all 4 right by chance, 1 in 70
    [InlineData(3, 4, 4, 8, 0.2428571428571)] // 3 or 4 right: 17 in 70
    [InlineData(2, 4, 4, 8, 0.7571428571429)] // at the mean: 53 in 70, as 1 less the lower tail
    [InlineData(4, 10, 4, 20, 0.0433436532508)] // all 4 failures of 20 attempts among one worker's 10: C(10,4) / C(20,4)
    [InlineData(0, 10, 4, 20, 1.0)]
    [InlineData(5, 10, 4, 20, 0.0)] // more than there are
    [InlineData(6, 10, 16, 20, 1.0)] // at least 6 of 10 must be marked when only 4 of 20 are not
    public void TheHypergeometricTail_HasItsKnownValues(long k, long draws, long marked, long population, double expected) =>
        Assert.Equal(expected, HypergeometricTail.AtLeast(k, draws, marked, population), 12);

    [Fact]
    public void TheHypergeometricTail_NearsTheBinomial_WhenFewAreDrawnFromMany()
    {
        // 50,000 attempts of a million, 1 % of them failed: close to Binomial(50,000, 1 %), a little narrower.
        var far = HypergeometricTail.AtLeast(700, 50_000, 10_000, 1_000_000);
        Assert.InRange(far, 1e-30, BinomialTail.AtLeast(700, 50_000, 0.01));
        Assert.InRange(HypergeometricTail.AtLeast(500, 50_000, 10_000, 1_000_000), 0.45, 0.55);
    }

    [Theory]
    [InlineData(350, 1_000, 5_300, 6_020)] // mean 880: P(X = 350) is e^-1190, no double
    [InlineData(1, 5_000, 60_000, 100_000)] // mean 3,000
    public void TheHypergeometricTail_FarBelowTheMean_IsCertain_NotZero(long k, long draws, long marked, long population) =>
        Assert.Equal(1.0, HypergeometricTail.AtLeast(k, draws, marked, population), 12);
}
