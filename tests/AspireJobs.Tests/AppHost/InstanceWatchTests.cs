using Aspire.Hosting.ApplicationModel;
using AspireJobs.AppHost.Lifecycle;

namespace AspireJobs.Tests.AppHost;

public sealed class InstanceWatchTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Observe_AsksForARestart_WhenARunningInstanceEndsOnItsOwn()
    {
        var watch = new InstanceWatch();
        watch.Observe(KnownResourceStates.Starting, Start);
        watch.Observe(KnownResourceStates.Running, Start);

        Assert.Equal(InstanceWatch.FirstDelay, watch.Observe(KnownResourceStates.Finished, Start.AddSeconds(5)));
    }

    [Fact]
    public void Observe_LeavesItStopped_WhenItWasAskedToStop()
    {
        var watch = new InstanceWatch();
        watch.Observe(KnownResourceStates.Running, Start);
        watch.Observe(KnownResourceStates.Stopping, Start.AddSeconds(5));

        Assert.Null(watch.Observe(KnownResourceStates.Finished, Start.AddSeconds(6)));
    }

    [Fact]
    public void Observe_RestartsAgain_AfterAStoppedInstanceWasStartedAgainAndThenCrashed()
    {
        var watch = new InstanceWatch();
        watch.Observe(KnownResourceStates.Running, Start);
        watch.Observe(KnownResourceStates.Stopping, Start.AddSeconds(1));
        watch.Observe(KnownResourceStates.Finished, Start.AddSeconds(2));
        watch.Observe(KnownResourceStates.Starting, Start.AddSeconds(3));
        watch.Observe(KnownResourceStates.Running, Start.AddSeconds(4));

        Assert.NotNull(watch.Observe(KnownResourceStates.Exited, Start.AddSeconds(5)));
    }

    [Fact]
    public void Observe_NeverRestarts_WhatFailedBeforeItRan()
    {
        var watch = new InstanceWatch();
        watch.Observe(KnownResourceStates.Starting, Start);

        Assert.Null(watch.Observe(KnownResourceStates.FailedToStart, Start.AddSeconds(1)));
    }

    [Fact]
    public void Observe_DoublesTheDelayUpToItsCap_WhileTheInstanceKeepsDyingSoon_AndResetsItAfterAStableRun()
    {
        var watch = new InstanceWatch();
        var now = Start;
        var delays = new List<TimeSpan>();
        for (var crash = 0; crash < 7; crash++)
        {
            watch.Observe(KnownResourceStates.Running, now);
            now = now.AddSeconds(2);
            delays.Add(watch.Observe(KnownResourceStates.Finished, now)!.Value);
        }

        Assert.Equal([1, 2, 4, 8, 16, 30, 30], delays.Select(d => d.TotalSeconds));

        watch.Observe(KnownResourceStates.Running, now);
        Assert.Equal(InstanceWatch.FirstDelay, watch.Observe(KnownResourceStates.Finished, now + InstanceWatch.StableRun));
    }

    [Fact]
    public void AfterACrash_ARestartIsAwaited_AndEachFailedRestartWaitsLonger_UntilTheInstanceRunsAgain()
    {
        var watch = new InstanceWatch();
        watch.Observe(KnownResourceStates.Running, Start);
        Assert.False(watch.AwaitsRestart);

        Assert.Equal(InstanceWatch.FirstDelay, watch.Observe(KnownResourceStates.Exited, Start.AddSeconds(5)));
        Assert.True(watch.AwaitsRestart);

        // Aspire failed to start it again: the instance says so, and is still down.
        watch.Observe(KnownResourceStates.Starting, Start.AddSeconds(6));
        Assert.False(watch.AwaitsRestart);
        Assert.Null(watch.Observe(KnownResourceStates.FailedToStart, Start.AddSeconds(7)));
        Assert.True(watch.AwaitsRestart);
        Assert.Equal([2, 4], new[] { watch.AfterFailedRestart(), watch.AfterFailedRestart() }.Select(d => d.TotalSeconds));

        watch.Observe(KnownResourceStates.Running, Start.AddSeconds(20));
        Assert.False(watch.AwaitsRestart);
    }

    [Fact]
    public void AnInstanceAskedToStop_AwaitsNoRestart()
    {
        var watch = new InstanceWatch();
        watch.Observe(KnownResourceStates.Running, Start);
        watch.Observe(KnownResourceStates.Stopping, Start.AddSeconds(1));
        watch.Observe(KnownResourceStates.Finished, Start.AddSeconds(2));

        Assert.False(watch.AwaitsRestart);
    }
}
