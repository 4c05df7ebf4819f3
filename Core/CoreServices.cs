using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Workers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AspireJobs.Core;

/// <summary>Registers the job stores and the dispatcher; the Npgsql and Redis clients come from ServiceDefaults.</summary>
public static class CoreServices
{
    public static IServiceCollection AddJobsCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new RedisKeys());
        services.TryAddSingleton<JobStore>();
        services.TryAddSingleton<WorkerStore>();
        services.TryAddSingleton<JobDispatcher>();
        return services;
    }
}
