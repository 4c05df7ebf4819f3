using Microsoft.Extensions.Hosting;

namespace AspireJobs.AppHost.Lifecycle;

/// <summary>
/// A background service that runs from before Aspire's orchestrator starts anything. Hosted
/// services start one after another, the orchestrator (registered first) included, and its start
/// returns only once every resource exists, the migrations' run first; every service's
/// <see cref="StartingAsync"/> runs before that, so what such a service watches or does covers a
/// start, not only what follows it.
/// </summary>
public abstract class FromFirstMomentService : BackgroundService, IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => base.StartAsync(cancellationToken);

    public override Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
