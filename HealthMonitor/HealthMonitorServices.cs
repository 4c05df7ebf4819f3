using AspireJobs.Core;
using AspireJobs.HealthMonitor.Maintenance;
using AspireJobs.ServiceDefaults;

namespace AspireJobs.HealthMonitor;

/// <summary>The health monitor's loops, each a small hosted service with validated options.</summary>
public static class HealthMonitorServices
{
    public static IHostApplicationBuilder AddHealthMonitor(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<HealthMonitorOptions>(HealthMonitorOptions.Section);
        builder.AddJobsCore();
        builder.Services.AddHostedService<DispatchReconciler>();
        builder.Services.AddHostedService<ScheduledJobPromoter>();
        builder.Services.AddHostedService<ExpiredLeaseRescuer>();
        builder.Services.AddHostedService<RetentionSweeper>();
        return builder;
    }
}
