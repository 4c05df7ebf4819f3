using Microsoft.Extensions.Options;

namespace AspireJobs.Worker.Execution;

/// <summary>
/// Keeps the thread pool from starving behind handlers that compute. Each holds a pool thread
/// while it works, and the pool adds threads for everything else (the heartbeat, the timers, the
/// I/O of starts and outcomes) only slowly: 64 CPU-bound handlers of 300 ms silenced a worker's
/// heartbeat for over ten seconds, and it was presumed dead. On a thread of its own, since the
/// pool's may all be held, it raises the pool's minimum every <see cref="CheckEvery"/>, so the
/// pool grows for the rest at once (the minimum is a floor: the pool's threads come down
/// later, as they idle):
/// <list type="bullet">
/// <item>by the handlers still in their call past the start window, counted by
/// <paramref name="callsHeldFor"/> (<see cref="Acquisition.JobAcquisitionLoop.CallsHeldFor"/>),
/// before the pool shows any wait;</item>
/// <item>by a <see cref="StarvationBoost"/> when the <see cref="PoolProbe"/> it queued last (a
/// new one once the last has run) still waits and the pool's threads are held, which finds
/// handlers computing after their first await too.</item>
/// </list>
/// Together they add at most <see cref="WorkerOptions.Concurrency"/> threads, since both may
/// count the same handlers. It stops after the acquisition loop and the heartbeat (registered
/// before them), so it guards their shutdown too.
/// </summary>
public sealed partial class ThreadPoolGuard(Func<TimeSpan, int> callsHeldFor, IOptions<WorkerOptions> options, ILogger<ThreadPoolGuard> logger) : IHostedService
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromMilliseconds(100);

    private readonly TimeSpan _startWindow = options.Value.StartWindow;
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
        var cap = Math.Min(_concurrency, maxWorkers - workers);
        var boost = new StarvationBoost(cap);
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

            var raise = Math.Min(callsHeldFor(_startWindow) + boost.Threads, cap);
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
