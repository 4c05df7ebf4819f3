using AspireJobs.Worker.Fleet;

namespace AspireJobs.Tests.Worker;

public sealed class RunQueueWaitTests
{
    [Fact]
    public void ThreadsThatWantMoreCpusThanThereAre_WaitForThem()
    {
        Assert.SkipUnless(File.Exists("/proc/self/schedstat"), "the kernel keeps no scheduler statistics here");
        var wait = new RunQueueWait();
        Assert.Null(wait.TakeWindow()); // the first call only sets the start

        // Twice as many spinning threads as CPUs, for 400 ms: half of them wait at any moment,
        // about 400 ms × the CPU count in all, whatever else the machine runs. Read while they
        // still spin: a thread's statistics go with it.
        using var stop = new CancellationTokenSource();
        var threads = Enumerable.Range(0, Environment.ProcessorCount * 2).Select(_ => new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Thread.SpinWait(1000);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        Thread.Sleep(400);
        var waited = wait.TakeWindow();
        stop.Cancel();
        threads.ForEach(t => t.Join());

        Assert.NotNull(waited);
        Assert.InRange(waited.Value.TotalMilliseconds, 100 * Environment.ProcessorCount, double.MaxValue);
    }
}
