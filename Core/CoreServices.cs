using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Health;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Recovery;
using AspireJobs.Core.Snapshots;
using AspireJobs.Core.Telemetry;
using AspireJobs.Core.Workers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AspireJobs.Core;

/// <summary>
/// Registers the job stores and the dispatcher; the Npgsql and Redis clients come from
/// ServiceDefaults. The dispatch options are read and checked here, at once.
/// </summary>
public static class CoreServices
{
    public static IHostApplicationBuilder AddJobsCore(this IHostApplicationBuilder builder)
    {
        DispatchOptions dispatch;
        try
        {
            // A key the section does not have is an error, not ignored: a misspelt KeyPrefix would
            // put this deployment in another's keys of a shared Redis, taking its jobs.
            dispatch = builder.Configuration.GetSection(DispatchOptions.Section).Get<DispatchOptions>(binder => binder.ErrorOnUnknownConfiguration = true) ?? new DispatchOptions();
        }
        catch (InvalidOperationException e)
        {
            throw new OptionsValidationException(DispatchOptions.Section, typeof(DispatchOptions), [$"Configuration section '{DispatchOptions.Section}': {e.Message}"]);
        }

        var failures = dispatch.Validate(DispatchOptions.Section).ToList();
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(DispatchOptions.Section, typeof(DispatchOptions), failures);
        }

        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new RedisKeys(dispatch.KeyPrefix));
        services.TryAddSingleton<JobStore>();
        services.TryAddSingleton<WorkerStore>();
        services.TryAddSingleton<HealthStore>();
        services.TryAddSingleton<JobDispatcher>();
        services.TryAddSingleton<RedisFollowUp>();
        services.TryAddSingleton<JobsMetrics>();
        services.TryAddSingleton<SnapshotStore>();
        services.TryAddSingleton<JobRestorer>();
        services.TryAddSingleton<PointInTimeRecovery>();
        services.TryAddSingleton<SnapshotRestore>();
        return builder;
    }
}
