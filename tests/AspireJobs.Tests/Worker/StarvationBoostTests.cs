using AspireJobs.Worker.Execution;

namespace AspireJobs.Tests.Worker;

public sealed class StarvationBoostTests
{
    private static readonly PoolCheck Starved = new(ProbeRan: false, PoolCheck.StarvedAfter, ItemsCompleted: 0, PoolThreads: 8);
    private static readonly PoolCheck Calm = new(ProbeRan: true, TimeSpan.FromMilliseconds(1), ItemsCompleted: 50, PoolThreads: 8);

    [Fact]
    public void EachStarvedCheck_DoublesTheBoost_UpToTheCap_AndOnlyTheFirstBeginsAStarvation()
    {
        var boost = new StarvationBoost(cap: 12);
        var seen = new List<(int, bool)>();
        for (var i = 0; i < 6; i++)
        {
            var began = boost.Observe(Starved);
            seen.Add((boost.Threads, began));
        }

        Assert.Equal([(1, true), (2, false), (4, false), (8, false), (12, false), (12, false)], seen);
    }

    [Fact]
    public void AfterDecayAfterCalmChecks_EachFurtherOne_TakesAThreadOff()
    {
        var boost = Boosted(4);
        Observe(boost, Calm, StarvationBoost.DecayAfter);
        Assert.Equal(4, boost.Threads);
        Observe(boost, Calm, 1);
        Assert.Equal(3, boost.Threads);
        Observe(boost, Calm, 2);
        Assert.Equal(1, boost.Threads);
        Observe(boost, Calm, 5);
        Assert.Equal(0, boost.Threads);
        Assert.True(boost.Observe(Starved), "a starvation after the boost faded did not begin anew");
    }

    [Fact]
    public void AStarvedCheck_AmongCalmOnes_StartsTheCalmChecksAgain()
    {
        var boost = Boosted(2);
        Observe(boost, Calm, StarvationBoost.DecayAfter);
        Assert.False(boost.Observe(Starved));
        Assert.Equal(4, boost.Threads);
        Observe(boost, Calm, StarvationBoost.DecayAfter);
        Assert.Equal(4, boost.Threads);
    }

    [Fact]
    public void APoolNeverStarved_IsNeverBoosted()
    {
        var boost = new StarvationBoost(cap: 64);
        Observe(boost, Calm, 100);
        Observe(boost, Calm with { ProbeRan = false, ItemsCompleted = 8 }, 100);
        Assert.Equal(0, boost.Threads);
    }

    [Fact]
    public void AProbeWaiting_WhileTheThreadsFinishAtLeastOneItemEach_IsALongQueueNotStarvation()
    {
        var waited = PoolCheck.StarvedAfter + TimeSpan.FromMilliseconds(50);
        Assert.False(new PoolCheck(ProbeRan: false, waited, ItemsCompleted: 8, PoolThreads: 8).Starved);
        Assert.True(new PoolCheck(ProbeRan: false, waited, ItemsCompleted: 7, PoolThreads: 8).Starved);
        Assert.False(new PoolCheck(ProbeRan: true, waited, ItemsCompleted: 0, PoolThreads: 8).Starved);
    }

    [Fact]
    public void AProbeWaitingLessThanStarvedAfter_IsNotStarvation_EvenWithNothingFinished()
    {
        Assert.False(new PoolCheck(ProbeRan: false, PoolCheck.StarvedAfter - TimeSpan.FromMilliseconds(1), ItemsCompleted: 0, PoolThreads: 8).Starved);
    }

    /// <summary>A boost of <paramref name="threads"/> (a power of two) by starved checks, its cap well above.</summary>
    private static StarvationBoost Boosted(int threads)
    {
        var boost = new StarvationBoost(cap: 64);
        while (boost.Threads < threads)
        {
            boost.Observe(Starved);
        }

        Assert.Equal(threads, boost.Threads);
        return boost;
    }

    private static void Observe(StarvationBoost boost, PoolCheck check, int times)
    {
        for (var i = 0; i < times; i++)
        {
            boost.Observe(check);
        }
    }
}
