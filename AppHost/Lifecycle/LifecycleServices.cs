using Microsoft.Extensions.DependencyInjection;

namespace AspireJobs.AppHost.Lifecycle;

/// <summary>What the AppHost adds to Aspire while it runs: crash restarts, apphost.json, the ready summary, an ordered stop.</summary>
public static class LifecycleServices
{
    /// <summary>
    /// Adds them for a run (nothing when publishing), once the data directory's lock is taken;
    /// returns the lock, for the caller to release if the rest of the model cannot be made.
    /// </summary>
    /// <exception cref="DataDirectoryInUseException">Another AppHost runs with the directory.</exception>
    public static DataDirectoryLock? AddLifecycle(this IDistributedApplicationBuilder builder, AppHostRun run)
    {
        if (!builder.ExecutionContext.IsRunMode)
        {
            return null;
        }

        // Held for the run: StatusFileWriter, its owner, releases it when the application is
        // disposed; the kernel, when the process ends.
        var dataDirectoryLock = DataDirectoryLock.Acquire(run.DataDirectory);
        builder.Services.AddSingleton(dataDirectoryLock);
        builder.Services.AddSingleton(run);
        builder.Services.AddSingleton<RestartCounts>();
        builder.Services.AddHostedService<CrashRestarter>();
        builder.Services.AddHostedService<StatusFileWriter>();
        builder.Services.AddHostedService<ReadySummary>();
        builder.Services.AddHostedService<OrderedShutdown>();
        return dataDirectoryLock;
    }
}
