using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Telemetry;
using AspireJobs.Worker;
using AspireJobs.Worker.Drills;
using AspireJobs.Worker.Execution;
using AspireJobs.Worker.Fleet;
using AspireJobs.Worker.Handlers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>A worker's parts in the test process, on a test system's servers, with the handlers of <c>services</c>.</summary>
public static class InProcessWorker
{
    /// <summary>
    /// An executor; <paramref name="startStore"/> writes the starts the executor writes alone, and
    /// <paramref name="finishStore"/> the outcomes.
    /// </summary>
    public static JobExecutor Executor(
        TestSystem system, ServiceProvider services, WorkerOptions options, WorkerIdentity identity,
        JobStore? startStore = null, JobDispatcher? dispatcher = null, WorkerMetrics? metrics = null, JobStore? finishStore = null)
    {
        dispatcher ??= system.Dispatcher;
        return new(services.GetRequiredService<JobHandlerRegistry>(), services.GetRequiredService<IServiceScopeFactory>(),
            system.Store, dispatcher, new StartBatcher(startStore ?? system.Store),
            new FinishBatcher(finishStore ?? system.Store, dispatcher, identity, new RedisFollowUp(NullLogger<RedisFollowUp>.Instance)), identity, metrics ?? new WorkerMetrics(),
            new FaultDrill(Options.Create(options), NullLogger<FaultDrill>.Instance), new JobsMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            TimeProvider.System, Options.Create(options), NullLogger<JobExecutor>.Instance);
    }
}
