using System.Diagnostics;
using AspireJobs.Worker;
using AspireJobs.Worker.Execution;
using Microsoft.Extensions.Options;

namespace AspireJobs.Tests.Worker;

public sealed class ThreadPoolGuardTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThePoolsMinimum_RisesByTheCallsHeld_AndComesBack()
    {
        ThreadPool.GetMinThreads(out var baseline, out _);
        var held = 0;
        var window = TimeSpan.Zero;
        var guard = new ThreadPoolGuard(span => { window = span; return Volatile.Read(ref held); }, Options.Create(new WorkerOptions()));
        await guard.StartAsync(Token);
        try
        {
            Volatile.Write(ref held, 3);
            Assert.True(await MinimumBecomesAsync(baseline + 3), "the minimum did not rise by the three calls held");
            Assert.Equal(new WorkerOptions().StartWindow, window);

            Volatile.Write(ref held, 1);
            Assert.True(await MinimumBecomesAsync(baseline + 1), "the minimum did not come down as calls returned");
        }
        finally
        {
            await guard.StopAsync(Token);
        }

        Assert.True(await MinimumBecomesAsync(baseline), "the minimum was not put back when the guard stopped");
    }

    [Fact]
    public async Task WorkQueuedBehindThreadsHeldElsewhere_IsServedWithinAFewChecks_AndTheMinimumFallsBackAfter()
    {
        // Held as handlers that compute after their first await hold them: no call counts them.
        ThreadPool.GetMinThreads(out var baseline, out _);
        var guard = new ThreadPoolGuard(_ => 0, Options.Create(new WorkerOptions { Concurrency = 64 }));
        var released = false;
        var holders = ThreadPool.ThreadCount + 48;
        await guard.StartAsync(Token);
        try
        {
            for (var i = 0; i < holders; i++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(_ => { while (!Volatile.Read(ref released)) { Thread.Sleep(5); } }, null);
            }

            // Behind them in the pool's queue, as a heartbeat's timer is. Without the guard the pool
            // adds about one thread every half second, so it would wait some 24 s.
            var served = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ThreadPool.UnsafeQueueUserWorkItem(_ => served.SetResult(), null);
            var waited = Stopwatch.StartNew();
            var first = await Task.WhenAny(served.Task, Task.Delay(TimeSpan.FromSeconds(30), Token));
            Assert.True(first == served.Task && waited.Elapsed < TimeSpan.FromSeconds(8), $"the queued work waited {waited.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            Volatile.Write(ref released, true);
        }

        try
        {
            Assert.True(await MinimumBecomesAsync(baseline, TimeSpan.FromSeconds(20)), "the minimum did not fall back once the threads were let go");
        }
        finally
        {
            await guard.StopAsync(Token);
        }
    }

    private static async Task<bool> MinimumBecomesAsync(int expected, TimeSpan? within = null)
    {
        for (var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10)); DateTime.UtcNow < deadline; await Task.Delay(20, Token))
        {
            ThreadPool.GetMinThreads(out var workers, out _);
            if (workers == expected)
            {
                return true;
            }
        }

        return false;
    }
}
