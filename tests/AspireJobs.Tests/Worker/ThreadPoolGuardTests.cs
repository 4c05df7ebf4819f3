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

    private static async Task<bool> MinimumBecomesAsync(int expected)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(20, Token))
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
