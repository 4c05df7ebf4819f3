using AspireJobs.Worker;

namespace AspireJobs.Tests.Worker;

public sealed class WorkerOptionsTests
{
    [Fact]
    public void TheDefaults_AreValid() => Assert.Empty(new WorkerOptions().Validate(WorkerOptions.Section));

    [Fact]
    public void TheLease_OutlivesTwoBeats_WhateverLeaseLengthSays()
    {
        // Only the beat extends a running job's lease: one beat late must not let it lapse.
        Assert.Equal(TimeSpan.FromSeconds(30), new WorkerOptions().EffectiveLeaseLength);
        Assert.Equal(TimeSpan.FromSeconds(60), new WorkerOptions { HeartbeatInterval = TimeSpan.FromSeconds(30) }.EffectiveLeaseLength);
        Assert.Equal(TimeSpan.FromSeconds(4), new WorkerOptions { HeartbeatInterval = TimeSpan.FromSeconds(2), LeaseLength = TimeSpan.FromSeconds(1) }.EffectiveLeaseLength);
    }

    [Fact]
    public void ATimeSpanUnderTenMilliseconds_IsRefused_NamingItsKey()
    {
        // A timer refuses less than a millisecond, and a Redis expiry of 0 ms is an error.
        var options = new WorkerOptions { MetricsInterval = TimeSpan.FromTicks(5_000) };

        Assert.Equal(
            "Worker:MetricsInterval must be a time span from 00:00:00.010 to a day, such as 00:00:05 (was 00:00:00.0005000).",
            Assert.Single(options.Validate(WorkerOptions.Section)));
    }
}
