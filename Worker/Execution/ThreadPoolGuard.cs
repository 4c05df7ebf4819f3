using Microsoft.Extensions.Options;

namespace AspireJobs.Worker.Execution;

/// <summary>
/// Keeps the thread pool from starving behind handlers that work synchronously. Each holds a pool
/// thread while it works, and the pool adds threads for everything else (the heartbeat, the
/// timers, the I/O of starts and outcomes) only slowly: 64 CPU-bound handlers of 300 ms silenced
/// a worker's heartbeat for over ten seconds, and it was presumed dead. On a thread of its own,
/// since the pool's may all be held, it counts every <see cref="CheckEvery"/> the handlers still
/// in their call past the start window, and raises the pool's minimum by that many, so the pool
/// grows for the rest at once; it lowers it again as they return. It stops after the
/// acquisition loop and the heartbeat (registered before them), so it guards their shutdown too.
/// <paramref name="callsHeldFor"/> counts the calls held for at least the span it is given
/// (<see cref="Acquisition.JobAcquisitionLoop.CallsHeldFor"/>).
/// </summary>
public sealed class ThreadPoolGuard(Func<TimeSpan, int> callsHeldFor, IOptions<WorkerOptions> options) : IHostedService
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromMilliseconds(100);

    private volatile bool _stopping;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        new Thread(Guard) { IsBackground = true, Name = "Thread-pool guard" }.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        return Task.CompletedTask;
    }

    private void Guard()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.GetMaxThreads(out var maxWorkers, out _);
        var raisedBy = 0;
        while (!_stopping)
        {
            Thread.Sleep(CheckEvery);
            var held = Math.Min(callsHeldFor(options.Value.StartWindow), maxWorkers - workers);
            if (held != raisedBy && ThreadPool.SetMinThreads(workers + held, io))
            {
                raisedBy = held;
            }
        }

        if (raisedBy != 0)
        {
            ThreadPool.SetMinThreads(workers, io);
        }
    }
}
