using Microsoft.Extensions.Options;

namespace AspireJobs.Worker.Execution;

/// <summary>
/// Keeps the thread pool from starving behind handlers that compute. Each holds a pool thread
/// while it works, inside its call or after its first await alike, and the pool adds threads for
/// everything else (the heartbeat, the timers, the I/O of starts and outcomes) only slowly: 64
/// CPU-bound handlers of 300 ms silenced a worker's heartbeat for over ten seconds, and it was
/// presumed dead. On a thread of its own, since the pool's may all be held, it looks every
/// <see cref="CheckEvery"/> at the <see cref="PoolProbe"/> it queued last (a new one once the last
/// has run), and raises the pool's minimum by a <see cref="StarvationBoost"/> of at most
/// <see cref="WorkerOptions.Concurrency"/> threads while the probe waits behind held threads: the
/// pool then grows for the rest at once (the minimum is a floor: the pool's threads come down
/// later, as they idle). It stops after the acquisition loop and the heartbeat (registered before
/// them), so it guards their shutdown too.
/// </summary>
public sealed partial class ThreadPoolGuard(IOptions<WorkerOptions> options, ILogger<ThreadPoolGuard> logger) : IHostedService
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromMilliseconds(100);

    private readonly int _concurrency = options.Value.Concurrency;
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
        var boost = new StarvationBoost(Math.Min(_concurrency, maxWorkers - workers));
        PoolProbe? probe = null;
        var completed = ThreadPool.CompletedWorkItemCount;
        var raisedBy = 0;
        var refused = false;
        while (!_stopping)
        {
            Thread.Sleep(CheckEvery);
            var completedNow = ThreadPool.CompletedWorkItemCount;
            if (probe is not null)
            {
                var check = new PoolCheck(probe.Ran, probe.Waited, completedNow - completed, ThreadPool.ThreadCount);
                if (boost.Observe(check))
                {
                    LogStarved(check.ProbeWaited.TotalMilliseconds, check.PoolThreads, check.ItemsCompleted);
                }
            }

            completed = completedNow;
            if (probe is null || probe.Ran)
            {
                probe = PoolProbe.Queue();
            }

            var raise = boost.Threads;
            if (raise == raisedBy)
            {
                continue;
            }

            if (ThreadPool.SetMinThreads(workers + raise, io))
            {
                raisedBy = raise;
            }
            else if (!refused)
            {
                refused = true;
                LogRefused(workers + raise);
            }
        }

        if (raisedBy != 0)
        {
            ThreadPool.SetMinThreads(workers, io);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The thread pool's work waited {WaitedMs:F0} ms for a thread while its {Threads} threads finished {Completed} items: something holds them, most often handlers that compute or block. Raising the pool's minimum; handlers that compute for long run better on threads of their own.")]
    private partial void LogStarved(double waitedMs, int threads, long completed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The runtime refused to raise the thread pool's minimum to {Minimum} threads (it may be fixed by configuration); handlers that compute may starve this worker's heartbeat.")]
    private partial void LogRefused(int minimum);
}
