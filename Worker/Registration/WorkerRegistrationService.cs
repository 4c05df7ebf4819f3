using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Workers;
using AspireJobs.Worker.Acquisition;
using AspireJobs.Worker.Handlers;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AspireJobs.Worker.Registration;

/// <summary>
/// Registers this worker in PostgreSQL before it takes any job, releases jobs that were parked
/// for want of a worker running its types, and marks it stopped (and forgotten by the dispatch
/// index) when it exits cleanly. The health monitor puts back at once any job a stopped worker
/// left running, so a worker whose shutdown ran out of time with outcomes still being written is
/// not marked: it is judged dead once its heartbeat expires, after this process is gone.
/// Registered before the acquisition loop, so it starts first and stops last.
/// </summary>
public sealed class WorkerRegistrationService(
    WorkerStore workers,
    JobStore jobs,
    JobDispatcher dispatcher,
    RedisFollowUp followUp,
    JobAcquisitionLoop loop,
    WorkerIdentity identity,
    JobHandlerRegistry handlers,
    IOptions<WorkerOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var types = handlers.Types.Order(StringComparer.Ordinal).ToList();
        // The first heartbeat comes before the row: the health monitor never sees a registered
        // worker without one.
        await dispatcher.HeartbeatAsync(identity.Id, options.Value.HeartbeatTimeout, options.Value.LeaseLength, []);
        await workers.WorkerInsertAsync(
            new WorkerRegistration(identity.Id, identity.Name, identity.Host, identity.ProcessId, identity.Version, types, options.Value.Concurrency),
            cancellationToken);

        var unparked = await jobs.JobSetUnparkedForTypesAsync(types, cancellationToken);
        await followUp.TryAsync(() => dispatcher.EnqueueAsync(unparked), "jobs unparked for this worker's types");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (loop.InFlight == 0)
        {
            await workers.WorkerSetStoppedIfLiveAsync(identity.Id, cancellationToken);
        }

        // What a failure leaves is a set member under an id no process will use again.
        await followUp.TryAsync(() => dispatcher.ForgetWorkerAsync(identity.Id), "this stopped worker forgotten");
    }
}
