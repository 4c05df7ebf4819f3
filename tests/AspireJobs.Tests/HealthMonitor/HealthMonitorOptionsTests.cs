using AspireJobs.Core.Dispatch;
using AspireJobs.HealthMonitor;

namespace AspireJobs.Tests.HealthMonitor;

public sealed class HealthMonitorOptionsTests
{
    [Fact]
    public void TheDefaults_AreValid() => Assert.Empty(new HealthMonitorOptions().Validate(HealthMonitorOptions.Section));

    [Fact]
    public void ACreatePushGraceShorterThanATicketsLifetime_IsRefused_NamingItsKey()
    {
        // Shorter, the reconciler could push a new job while its create's push may still add its ticket.
        var options = new HealthMonitorOptions { CreatePushGrace = JobTicket.Lifetime - TimeSpan.FromMilliseconds(1) };

        var failure = Assert.Single(options.Validate(HealthMonitorOptions.Section));

        Assert.StartsWith("HealthMonitor:CreatePushGrace must be at least", failure);
        Assert.Empty(new HealthMonitorOptions { CreatePushGrace = JobTicket.Lifetime }.Validate(HealthMonitorOptions.Section));
    }
}
