using Microsoft.Extensions.Options;

namespace AspireJobs.Worker.Execution;

/// <summary>
/// Keeps the thread pool from starving behind handlers that compute. Each holds a pool thread
/// while it works, and the pool adds threads for everything else (the heartbeat, the timers, the
/// I/O of starts and outcomes) only slowly: 64 CPU-bound handlers of 300 ms silenced a worker's
/// heartbeat for over ten seconds, and it was presumed dead. On a thread of its own, since the
/// pool's may all be held, it raises the pool's minimum every <see cref="CheckEvery"/>, so the
/// pool grows for the rest at once, and lowers it as the work passes:
/// <list type="bullet">
/// <item>by the handlers still in their call past the start window, counted by
/// <paramref name="callsHeldFor"/> (<see cref="Acquisition.JobAcquisitionLoop.CallsHeldFor"/>),
/// before the pool shows any wait;</item>
/// <item>by a <see cref="StarvationBoost"/> when a probe it queued to the pool at the last
/// check has not run yet, which also finds handlers computing after their first await.</item>
/// </list>
/// It stops after the acquisition loop and the heartbeat (registered before them), so it guards
/// their shutdown too.
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
        var boost = new StarvationBoost(options.Value.Concurrency);
        var probe = Probe.Queue();
        var raisedBy = 0;
        while (!_stopping)
        {
            Thread.Sleep(CheckEvery);
            var starved = !probe.Ran;
            boost.Observe(starved);
            if (!starved)
            {
                probe = Probe.Queue();
            }

            var raise = Math.Min(callsHeldFor(options.Value.StartWindow) + boost.Threads, maxWorkers - workers);
            if (raise != raisedBy && ThreadPool.SetMinThreads(workers + raise, io))
            {
                raisedBy = raise;
            }
        }

        if (raisedBy != 0)
        {
            ThreadPool.SetMinThreads(workers, io);
        }
    }

    /// <summary>A work item on the pool's global queue, where the heartbeat's and timers' wait too.</summary>
    private sealed class Probe
    {
        private volatile bool _ran;

        public bool Ran => _ran;

        public static Probe Queue()
        {
            var probe = new Probe();
            ThreadPool.UnsafeQueueUserWorkItem(static p => p._ran = true, probe, preferLocal: false);
            return probe;
        }
    }
}
