using Microsoft.Extensions.DependencyInjection;

namespace AspireJobs.AppHost.Lifecycle;

/// <summary>What the AppHost adds to Aspire while it runs: crash restarts, apphost.json, the ready summary, an ordered stop.</summary>
public static class LifecycleServices
{
    public static IDistributedApplicationBuilder AddLifecycle(this IDistributedApplicationBuilder builder, AppHostRun run)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return builder;
        }

        StatusFile.ThrowIfInUse(run.DataDirectory);
        builder.Services.AddSingleton(run);
        builder.Services.AddSingleton<RestartCounts>();
        builder.Services.AddHostedService<CrashRestarter>();
        builder.Services.AddHostedService<StatusFileWriter>();
        builder.Services.AddHostedService<ReadySummary>();
        builder.Services.AddHostedService<OrderedShutdown>();
        return builder;
    }
}
