namespace AspireJobs.Worker.Fleet;

/// <summary>
/// Once the worker has started, one aggressive collection hands back to the OS what starting
/// left behind (configuration, the clients' setup, the first connections). The GC otherwise keeps
/// the regions it grew at start committed, as if that were the worker's working set.
/// </summary>
public sealed class StartupMemoryRelease(IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(static () => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
