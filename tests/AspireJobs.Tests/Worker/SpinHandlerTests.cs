using System.Diagnostics;
using AspireJobs.Worker.Handlers;

namespace AspireJobs.Tests.Worker;

public sealed class SpinHandlerTests
{
    private static readonly JobContext Context = new(Guid.NewGuid(), "spin", 1, 0, TimeSpan.FromSeconds(30), Guid.NewGuid());

    [Fact]
    public async Task SpinsForCpuTime_SoJobsThatShareTooFewCoresTakeLonger()
    {
        Assert.SkipUnless(File.Exists("/proc/thread-self/schedstat"), "the kernel keeps no scheduler statistics here");
        var handler = new BuiltInJobHandlers.SpinHandler();

        // Three spins of 100 ms of CPU per core, all at once: they need 300 ms of every core, so
        // they cannot all be done in much under 300 ms of wall time (a wall-time spin would be).
        var perCore = 3;
        var threads = Environment.ProcessorCount * perCore;
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, threads).Select(_ => Task.Factory.StartNew(
            () => handler.HandleAsync(new BuiltInJobHandlers.SpinHandler.Payload(100), Context, TestContext.Current.CancellationToken),
            TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()));

        Assert.InRange(wall.ElapsedMilliseconds, perCore * 100 * 0.8, double.MaxValue);
    }

    [Fact]
    public async Task AfterAwait_ItsCallReturnsBeforeItSpins_WhileWithoutItTheCallSpins()
    {
        var handler = new BuiltInJobHandlers.SpinHandler();

        var wall = Stopwatch.StartNew();
        var afterAwait = handler.HandleAsync(new BuiltInJobHandlers.SpinHandler.Payload(200, AfterAwait: true), Context, TestContext.Current.CancellationToken);
        Assert.False(afterAwait.IsCompleted, "the call spun before it returned");
        await afterAwait;
        Assert.InRange(wall.ElapsedMilliseconds, 190, long.MaxValue);

        var inline = handler.HandleAsync(new BuiltInJobHandlers.SpinHandler.Payload(20), Context, TestContext.Current.CancellationToken);
        Assert.True(inline.IsCompleted, "the call returned before it spun");
    }

    [Fact]
    public async Task StopsWhenCancelled()
    {
        using var cancelled = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        var wall = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new BuiltInJobHandlers.SpinHandler().HandleAsync(new BuiltInJobHandlers.SpinHandler.Payload(60_000), Context, cancelled.Token));
        Assert.InRange(wall.ElapsedMilliseconds, 0, 10_000);
    }
}
