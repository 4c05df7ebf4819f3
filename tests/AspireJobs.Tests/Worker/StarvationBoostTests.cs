using AspireJobs.Worker.Execution;

namespace AspireJobs.Tests.Worker;

public sealed class StarvationBoostTests
{
    [Fact]
    public void EachStarvedCheck_DoublesTheBoost_UpToTheCap()
    {
        var boost = new StarvationBoost(cap: 12);
        var seen = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            boost.Observe(starved: true);
            seen.Add(boost.Threads);
        }

        Assert.Equal([1, 2, 4, 8, 12, 12], seen);
    }

    [Fact]
    public void ServedChecks_HalveTheBoost_AfterDecayAfterInARow()
    {
        var boost = new StarvationBoost(cap: 64);
        for (var i = 0; i < 4; i++)
        {
            boost.Observe(starved: true);
        }

        Served(boost, StarvationBoost.DecayAfter - 1);
        Assert.Equal(8, boost.Threads);
        Served(boost, 1);
        Assert.Equal(4, boost.Threads);
        Served(boost, 3 * StarvationBoost.DecayAfter);
        Assert.Equal(0, boost.Threads);
    }

    [Fact]
    public void AStarvedCheck_AmongServedOnes_StartsTheCountOfServedChecksAgain()
    {
        var boost = new StarvationBoost(cap: 64);
        boost.Observe(starved: true);
        boost.Observe(starved: true);
        Served(boost, StarvationBoost.DecayAfter - 1);
        boost.Observe(starved: true);
        Assert.Equal(4, boost.Threads);
        Served(boost, StarvationBoost.DecayAfter - 1);
        Assert.Equal(4, boost.Threads);
    }

    [Fact]
    public void APoolAlwaysServed_IsNeverBoosted()
    {
        var boost = new StarvationBoost(cap: 64);
        Served(boost, 100);
        Assert.Equal(0, boost.Threads);
    }

    private static void Served(StarvationBoost boost, int checks)
    {
        for (var i = 0; i < checks; i++)
        {
            boost.Observe(starved: false);
        }
    }
}
