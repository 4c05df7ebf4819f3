using AspireJobs.Worker.Execution;

namespace AspireJobs.Tests.Worker;

public sealed class StarvationBoostTests
{
    private static readonly PoolCheck Starved = new(ProbeRan: false, TimeSpan.FromMilliseconds(100), ItemsCompleted: 0, Threads: 8);
    private static readonly PoolCheck Served = new(ProbeRan: true, TimeSpan.FromMilliseconds(1), ItemsCompleted: 50, Threads: 8);
    private static readonly PoolCheck ServedLate = new(ProbeRan: true, TimeSpan.FromMilliseconds(60), ItemsCompleted: 50, Threads: 8);

    [Fact]
    public void EachStarvedCheck_DoublesTheBoost_UpToTheCap()
    {
        var boost = new StarvationBoost(cap: 12);
        var seen = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            boost.Observe(Starved);
            seen.Add(boost.Threads);
        }

        Assert.Equal([1, 2, 4, 8, 12, 12], seen);
    }

    [Fact]
    public void AfterDecayAfterServedChecks_EachFurtherOne_TakesAThreadOff()
    {
        var boost = Boosted(4);
        Observe(boost, Served, StarvationBoost.DecayAfter - 1);
        Assert.Equal(4, boost.Threads);
        Observe(boost, Served, 1);
        Assert.Equal(3, boost.Threads);
        Observe(boost, Served, 2);
        Assert.Equal(1, boost.Threads);
        Observe(boost, Served, 5);
        Assert.Equal(0, boost.Threads);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AStarvedCheck_OrOneServedLate_StartsTheServedChecksAgain(bool starved)
    {
        var boost = Boosted(2);
        Observe(boost, Served, StarvationBoost.DecayAfter - 1);
        boost.Observe(starved ? Starved : ServedLate);
        var after = boost.Threads;
        Observe(boost, Served, StarvationBoost.DecayAfter - 1);
        Assert.Equal(after, boost.Threads);
        Assert.Equal(starved ? 4 : 2, after);
    }

    [Fact]
    public void APoolAlwaysServed_IsNeverBoosted()
    {
        var boost = new StarvationBoost(cap: 64);
        Observe(boost, Served, 100);
        Observe(boost, ServedLate, 100);
        Assert.Equal(0, boost.Threads);
    }

    [Fact]
    public void AProbeWaiting_WhileTheThreadsFinishAtLeastOneItemEach_IsALongQueueNotStarvation()
    {
        Assert.False(new PoolCheck(ProbeRan: false, TimeSpan.FromMilliseconds(150), ItemsCompleted: 8, Threads: 8).Starved);
        Assert.True(new PoolCheck(ProbeRan: false, TimeSpan.FromMilliseconds(150), ItemsCompleted: 7, Threads: 8).Starved);
        Assert.False(new PoolCheck(ProbeRan: true, TimeSpan.FromMilliseconds(150), ItemsCompleted: 0, Threads: 8).Starved);
    }

    [Fact]
    public void OnlyAProbeRunWithinServedWithin_CountsAsServed()
    {
        Assert.True(new PoolCheck(ProbeRan: true, PoolCheck.ServedWithin - TimeSpan.FromTicks(1), 0, 8).Served);
        Assert.False(new PoolCheck(ProbeRan: true, PoolCheck.ServedWithin, 0, 8).Served);
        Assert.False(new PoolCheck(ProbeRan: false, TimeSpan.Zero, 0, 8).Served);
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
