using AspireJobs.Core.Workers;
using AspireJobs.Worker.Handlers;
using Microsoft.Extensions.Options;

namespace AspireJobs.Worker.Registration;

/// <summary>
/// Registers this worker in PostgreSQL before it takes any job, and marks it stopped when it
/// exits cleanly. Registered before the acquisition loop, so it starts first and stops last.
/// </summary>
public sealed class WorkerRegistrationService(
    WorkerStore workers,
    WorkerIdentity identity,
    JobHandlerRegistry handlers,
    IOptions<WorkerOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        workers.WorkerInsertAsync(
            new WorkerRegistration(identity.Id, identity.Name, identity.Host, identity.ProcessId, identity.Version,
                handlers.Types.Order(StringComparer.Ordinal).ToList(), options.Value.Concurrency),
            cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) =>
        workers.WorkerSetStoppedIfLiveAsync(identity.Id, cancellationToken);
}
