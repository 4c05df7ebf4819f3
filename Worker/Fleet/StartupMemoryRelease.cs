namespace AspireJobs.Worker.Fleet;

/// <summary>
/// Once the worker has started, one aggressive collection hands back to the OS what starting
/// left behind (configuration, the clients' setup, the first connections). The GC otherwise keeps
/// the regions it grew at start committed, as if that were the worker's working set. Its pause is
/// left out of the worker's health figures.
/// </summary>
public sealed class StartupMemoryRelease(IHostApplicationLifetime lifetime, WorkerMetrics metrics) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Release);
        return Task.CompletedTask;
    }

    private void Release()
    {
        var before = GC.GetTotalPauseDuration();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        metrics.ExcludeGcPause(GC.GetTotalPauseDuration() - before);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
