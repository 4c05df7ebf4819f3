using AspireJobs.Core;
using AspireJobs.HealthMonitor.Fleet;
using AspireJobs.HealthMonitor.Leadership;
using AspireJobs.HealthMonitor.Maintenance;
using AspireJobs.ServiceDefaults;

namespace AspireJobs.HealthMonitor;

/// <summary>
/// The health monitor: a leader election, and loops that run on the leader only, each a small
/// hosted service with validated options.
/// </summary>
public static class HealthMonitorServices
{
    public static IHostApplicationBuilder AddHealthMonitor(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<HealthMonitorOptions>(HealthMonitorOptions.Section, static (section, options) => section.Bind(options, ValidatedOptions.StrictBinding));
        builder.AddJobsCore();
        builder.Services.AddSingleton<LeaderElection>();
        builder.Services.AddSingleton<JobRescue>();
        builder.Services.AddHostedService(services => services.GetRequiredService<LeaderElection>());
        builder.Services.AddHostedService<LivenessSweeper>();
        builder.Services.AddHostedService<HealthSweeper>();
        builder.Services.AddHostedService<DispatchReconciler>();
        builder.Services.AddHostedService<ScheduledJobPromoter>();
        builder.Services.AddHostedService<ExpiredLeaseRescuer>();
        builder.Services.AddHostedService<RetentionSweeper>();
        builder.Services.AddHostedService<AutoSnapshotter>();
        builder.Services.AddHostedService<JobCountFolder>();
        builder.Services.AddHostedService<JobCountReconciler>();
        builder.Services.AddHostedService<FleetGauges>();
        return builder;
    }
}
