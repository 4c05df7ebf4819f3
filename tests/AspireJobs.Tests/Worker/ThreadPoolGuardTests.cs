using System.Diagnostics;
using AspireJobs.Worker;
using AspireJobs.Worker.Execution;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AspireJobs.Tests.Worker;

/// <summary>
/// Alone, not beside other tests: a guard sets the process's one thread-pool minimum, as does the
/// guard of any worker another test starts, and these tests starve the pool on purpose.
/// </summary>
[Collection(nameof(ThreadPoolGuardTests))]
public sealed class ThreadPoolGuardTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WorkQueuedBehindThreadsHeldElsewhere_IsServedWithinAFewChecks_AndTheMinimumFallsBackAfter()
    {
        // Held as handlers that compute hold them, inside their call or after their first await.
        // More holders than the pool has threads, and room under the guard's cap for them all.
        ThreadPool.GetMinThreads(out var baseline, out _);
        var holders = ThreadPool.ThreadCount + 48;
        var guard = new ThreadPoolGuard(Options.Create(new WorkerOptions { Concurrency = holders + 16 }), NullLogger<ThreadPoolGuard>.Instance);
        // Not disposed: should the test fail early, holders still queued will wait on it.
        var release = new ManualResetEventSlim();
        await guard.StartAsync(Token);
        try
        {
            try
            {
                for (var i = 0; i < holders; i++)
                {
                    ThreadPool.UnsafeQueueUserWorkItem(_ => release.Wait(), null);
                }

                // Behind them in the pool's queue, as a heartbeat's timer is. Without the guard the
                // pool adds about a thread a second on a busy machine: it would wait far longer.
                var served = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                ThreadPool.UnsafeQueueUserWorkItem(_ => served.SetResult(), null);
                var waited = Stopwatch.StartNew();
                var first = await Task.WhenAny(served.Task, Task.Delay(TimeSpan.FromSeconds(30), Token));
                Assert.True(first == served.Task && waited.Elapsed < TimeSpan.FromSeconds(8), $"the queued work waited {waited.Elapsed.TotalSeconds:F1} s");
                ThreadPool.GetMinThreads(out var raised, out _);
                Assert.True(raised > baseline, "the guard served the work without raising the minimum");
            }
            finally
            {
                release.Set();
            }

            Assert.True(await MinimumBecomesAsync(baseline, TimeSpan.FromSeconds(60)), "the minimum did not fall back once the threads were let go");
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

[CollectionDefinition(nameof(ThreadPoolGuardTests), DisableParallelization = true)]
public sealed class ThreadPoolGuardTestsAlone;
