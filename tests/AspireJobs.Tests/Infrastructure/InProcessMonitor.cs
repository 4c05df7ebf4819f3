using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Telemetry;
using AspireJobs.HealthMonitor.Maintenance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>A health monitor's parts in the test process, on a test system's servers.</summary>
public static class InProcessMonitor
{
    /// <summary>The rescuer of lost leases and attempts, as the monitor's sweepers and reconciler share it.</summary>
    public static JobRescue Rescue(TestSystem system) =>
        new(system.Store, system.Dispatcher, new RedisFollowUp(NullLogger<RedisFollowUp>.Instance),
            new JobsMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
}
