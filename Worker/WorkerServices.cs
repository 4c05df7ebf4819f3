using AspireJobs.Core;
using AspireJobs.ServiceDefaults;
using AspireJobs.Worker.Acquisition;
using AspireJobs.Worker.Drills;
using AspireJobs.Worker.Execution;
using AspireJobs.Worker.Fleet;
using AspireJobs.Worker.Handlers;
using AspireJobs.Worker.Registration;
using Microsoft.Extensions.Options;

namespace AspireJobs.Worker;

/// <summary>Everything a worker process runs: its identity, options, registration and pull loop.</summary>
public static class WorkerServices
{
    public static IHostApplicationBuilder AddWorker(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<WorkerOptions>(WorkerOptions.Section, static (section, options) => section.Bind(options, ValidatedOptions.StrictBinding));
        // The host must wait out the drain: the grace period, then the hand-back of what is left.
        var options = builder.Configuration.GetSection(WorkerOptions.Section).Get<WorkerOptions>() ?? new WorkerOptions();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownGracePeriod + options.AbandonGrace + TimeSpan.FromSeconds(5));
        builder.Services.LimitMetricCardinality(options.MetricCardinalityLimit);
        builder.AddJobsCore();
        builder.Services.AddSingleton(WorkerIdentity.ForThisProcess(builder.Configuration));
        builder.Services.AddSingleton<JobHandlerRegistry>();
        builder.Services.AddSingleton<JobExecutor>();
        builder.Services.AddSingleton<StartBatcher>();
        builder.Services.AddSingleton<FinishBatcher>();
        builder.Services.AddSingleton<WorkerMetrics>();
        builder.Services.AddSingleton<FaultDrill>();
        builder.Services.AddHostedService(services => services.GetRequiredService<FaultDrill>());

        // Hosted services start in this order and stop in reverse: the worker registers before it
        // takes any job, and keeps beating while it drains, so it is never presumed dead mid-drain.
        builder.Services.AddHostedService<WorkerRegistrationService>();
        builder.Services.AddSingleton<JobAcquisitionLoop>();
        // Stopped after those below, so it guards their shutdown too.
        builder.Services.AddHostedService<ThreadPoolGuard>();
        builder.Services.AddHostedService<HeartbeatService>();
        builder.Services.AddHostedService(services => services.GetRequiredService<JobAcquisitionLoop>());
        builder.Services.AddHostedService<StartupMemoryRelease>();
        return builder;
    }
}
