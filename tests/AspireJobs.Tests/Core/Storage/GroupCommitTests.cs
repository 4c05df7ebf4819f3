using AspireJobs.Core.Storage;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Core.Storage;

public sealed class GroupCommitTests
{
    [Fact]
    public async Task ItemsArrivingDuringAWrite_GoTogetherInTheNext_EachAnsweredWithItsOwnResult()
    {
        var writes = new List<IReadOnlyList<int>>();
        var firstWriteHeld = new TaskCompletionSource();
        await using var commit = new GroupCommit<int, string>(maxBatch: 100, async items =>
        {
            writes.Add(items);
            if (writes.Count == 1)
            {
                await firstWriteHeld.Task;
            }

            return items.Select(item => $"#{item}").ToList();
        }, "closed");

        var first = commit.WriteAsync(0);
        await WaitUntilAsync(() => writes.Count == 1);
        var later = Enumerable.Range(1, 5).Select(commit.WriteAsync).ToList();
        firstWriteHeld.SetResult();

        Assert.Equal("#0", await first);
        Assert.Equal(["#1", "#2", "#3", "#4", "#5"], await Task.WhenAll(later));
        Assert.Equal([[0], [1, 2, 3, 4, 5]], writes);
    }

    [Fact]
    public async Task AnItemArrivingWhenNoWriteIsInFlight_IsWrittenByItsOwnCaller_AtOnce()
    {
        var callerThread = Environment.CurrentManagedThreadId;
        int? writerThread = null;
        await using var commit = new GroupCommit<int, int>(maxBatch: 10, items =>
        {
            writerThread = Environment.CurrentManagedThreadId;
            return Task.FromResult<IReadOnlyList<int>>(items);
        }, "closed");

        var written = commit.WriteAsync(7);

        Assert.True(written.IsCompletedSuccessfully); // no hand-off to another thread and back
        Assert.Equal(callerThread, writerThread);
        Assert.Equal(7, await written);
    }

    [Fact]
    public async Task TheCallerWhoseItemLedAWrite_IsAnswered_WhileTheItemsThatArrivedMeanwhileAreWritten()
    {
        var secondWriteHeld = new TaskCompletionSource();
        var firstWriteHeld = new TaskCompletionSource();
        var writes = 0;
        await using var commit = new GroupCommit<int, int>(maxBatch: 10, async items =>
        {
            await (Interlocked.Increment(ref writes) == 1 ? firstWriteHeld.Task : secondWriteHeld.Task);
            return items;
        }, "closed");

        var first = commit.WriteAsync(0);
        var second = commit.WriteAsync(1);
        firstWriteHeld.SetResult();

        Assert.Equal(0, await first.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.False(second.IsCompleted);
        secondWriteHeld.SetResult();
        Assert.Equal(1, await second);
    }

    [Theory]
    [InlineData(true, new[] { 5 })]
    [InlineData(false, new[] { 1, 1, 1, 1, 1 })]
    public async Task ALeaderGatheringQueuedWork_WritesTheItemsThatWorkHandsIn_WithItsOwn(bool gatherQueuedWork, int[] expectedSizes)
    {
        var sizes = new List<int>();
        await using var commit = new GroupCommit<int, int>(maxBatch: 100, items =>
        {
            sizes.Add(items.Count);
            return Task.FromResult<IReadOnlyList<int>>(items);
        }, "closed", gatherQueuedWork);
        var loop = new QueuedWorkLoop();
        var answers = new List<Task<int>>();

        // A burst, as a worker's jobs of one acquisition finish: the first hands in its item while
        // the others are still queued behind it.
        foreach (var item in Enumerable.Range(0, 5))
        {
            loop.Queue(() => answers.Add(commit.WriteAsync(item)));
        }

        loop.Run();

        Assert.Equal(expectedSizes, sizes);
        var written = await Task.WhenAll(answers);
        Assert.Equal([0, 1, 2, 3, 4], written);
    }

    [Fact]
    public async Task Disposal_WaitsForTheItemsHandedInBefore()
    {
        var held = new TaskCompletionSource();
        var written = new List<int>();
        var commit = new GroupCommit<int, int>(maxBatch: 1, async items =>
        {
            await held.Task;
            lock (written)
            {
                written.AddRange(items);
            }

            return items;
        }, "closed");
        var first = commit.WriteAsync(1);
        var second = commit.WriteAsync(2);

        var disposed = commit.DisposeAsync().AsTask();
        Assert.False(disposed.IsCompleted);
        held.SetResult();
        await disposed.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal([1, 2], written); // both written, in two writes, before disposal ended
        var answers = await Task.WhenAll(first, second);
        Assert.Equal([1, 2], answers);
    }

    [Fact]
    public async Task AWriteCarriesNoMoreThanTheMaximum()
    {
        var sizes = new List<int>();
        var held = new TaskCompletionSource();
        await using var commit = new GroupCommit<int, int>(maxBatch: 3, async items =>
        {
            sizes.Add(items.Count);
            await held.Task;
            return items;
        }, "closed");

        var first = commit.WriteAsync(0);
        await WaitUntilAsync(() => sizes.Count == 1);
        var rest = Enumerable.Range(1, 7).Select(commit.WriteAsync).ToList();
        held.SetResult();
        await Task.WhenAll(rest.Append(first));

        Assert.Equal([1, 3, 3, 1], sizes);
    }

    [Fact]
    public async Task AFailedWrite_FailsItsOwnBatchOnly()
    {
        var calls = 0;
        await using var commit = new GroupCommit<int, int>(maxBatch: 10, items =>
            Interlocked.Increment(ref calls) == 1 ? throw new TimeoutException("the database is away") : Task.FromResult<IReadOnlyList<int>>(items), "closed");

        var failed = await Assert.ThrowsAsync<TimeoutException>(() => commit.WriteAsync(1));
        Assert.Equal("the database is away", failed.Message);
        Assert.Equal(2, await commit.WriteAsync(2));
    }

    [Fact]
    public async Task AfterDisposal_AnItemIsRefusedWithTheGivenMessage()
    {
        var commit = new GroupCommit<int, int>(maxBatch: 10, items => Task.FromResult<IReadOnlyList<int>>(items), "The worker is shutting down.");
        await commit.DisposeAsync();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => commit.WriteAsync(1));
        Assert.Equal("The worker is shutting down.", refused.Message);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the write did not start");
            await Task.Delay(5);
        }
    }
}
