using AspireJobs.Core.Jobs;
using AspireJobs.Worker.Execution;
using Microsoft.Extensions.Time.Testing;

namespace AspireJobs.Tests.Worker;

public sealed class RunningJobTests
{
    private int _watches;

    private Task CountedWatch(Task<string?> handler)
    {
        _watches++;
        return Task.CompletedTask;
    }

    private static StartedJob Job() => new(Guid.NewGuid(), "t", "{}", 1, 0, 3, TimeSpan.FromMinutes(1), Guid.NewGuid()) { Fence = 1 };

    [Fact]
    public void TheSlotIsFreedOnce_WhenTheHandlerIsDone_BeforeTheOutcomeIsWritten()
    {
        var freed = 0;
        using var running = new RunningJob(Job(), () => freed++);

        running.MarkHandlerDone();
        Assert.Equal((1, false), (freed, running.Finished.IsCompleted));

        running.MarkHandlerDone();
        running.MarkFinished();
        Assert.Equal((1, true), (freed, running.Finished.IsCompleted));
    }

    [Fact]
    public void FinishingFreesTheSlot_WhenTheHandlerNeverReportedDone()
    {
        var freed = 0;
        using var running = new RunningJob(Job(), () => freed++);

        running.MarkFinished();

        Assert.Equal(1, freed);
    }

    [Fact]
    public async Task AHandlerStillInItsCallWhenTheWindowEnds_IsWatchedByTheTimer_AndItsCallerWaitsForThatWatch()
    {
        var clock = new FakeTimeProvider();
        using var running = new RunningJob(Job(), () => { }, clock);
        Task<string?>? watched = null;
        var watchEnds = new TaskCompletionSource();
        running.StartTimer(TimeSpan.FromMilliseconds(100), handler =>
        {
            watched = handler;
            return watchEnds.Task;
        });

        clock.Advance(TimeSpan.FromMilliseconds(99));
        Assert.Null(watched);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.NotNull(watched);
        Assert.False(watched.IsCompleted); // the call has not returned yet

        var takenOver = running.CallReturned(Task.FromResult<string?>("done"));
        Assert.Equal("done", await watched.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.NotNull(takenOver);
        Assert.False(takenOver.IsCompleted);
        watchEnds.SetResult();
        await takenOver.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public void AHandlerWhoseCallReturnedInsideTheWindow_IsLeftToItsCaller_AndStillTimesOut()
    {
        var clock = new FakeTimeProvider();
        using var running = new RunningJob(Job(), () => { }, clock);
        running.StartTimer(TimeSpan.FromMilliseconds(100), CountedWatch);

        Assert.Null(running.CallReturned(new TaskCompletionSource<string?>().Task));
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.False(running.Token.IsCancellationRequested);
        clock.Advance(TimeSpan.FromSeconds(1));

        // The timer that passed the window's end fired the job's one-minute timeout after it.
        Assert.Equal((0, true), (_watches, running.TimedOut));
    }

    [Fact]
    public void AHandlerDoneAtOnce_NeitherTimesOutNorIsTakenOver()
    {
        var clock = new FakeTimeProvider();
        using var running = new RunningJob(Job(), () => { }, clock);
        running.StartTimer(TimeSpan.FromMilliseconds(100), CountedWatch);

        Assert.Null(running.CallReturned(Task.FromResult<string?>("done")));
        clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal((0, false), (_watches, running.Token.IsCancellationRequested));
    }

    [Fact]
    public async Task AHandlerAbandonedInsideItsCall_KeepsItsSlot_UntilTheCallReturns()
    {
        var clock = new FakeTimeProvider();
        var freed = 0;
        using var running = new RunningJob(Job(), () => freed++, clock);
        // A window longer than the job's minute: the takeover comes at the timeout.
        running.StartTimer(TimeSpan.FromMinutes(2), _ => Task.CompletedTask);

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(running.TimedOut);
        running.MarkHandlerDone(); // what the watch does once it gives up on the handler
        Assert.Equal(0, freed);

        var takenOver = running.CallReturned(Task.FromResult<string?>("late"));
        await takenOver!.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        running.MarkHandlerDone();
        Assert.Equal(1, freed);
    }

    [Fact]
    public void ATimeout_StaysTheAttemptsOutcome_WhenAHandBackOrACancellationComesAfterIt()
    {
        var clock = new FakeTimeProvider();
        using var running = new RunningJob(Job(), () => { }, clock);
        running.StartTimer(TimeSpan.FromMilliseconds(100), CountedWatch);
        var handler = new TaskCompletionSource<string?>().Task; // ignores its token
        Assert.Null(running.CallReturned(handler));

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(running.Token.IsCancellationRequested);
        // The shutdown's grace ends, and a client cancels, while the timed-out handler hangs on.
        running.Stop(StopReason.HandedBack);
        running.Stop(StopReason.Cancelled);

        Assert.True(running.TimedOut);
        var failed = Assert.IsType<JobOutcome.Failed>(JobOutcome.Of(running, handler, abandoned: true));
        Assert.Equal(ExecutionStatus.TimedOut, failed.Status);
    }

    [Fact]
    public void AHandBack_StaysTheReason_WhenTheTimeoutComesAfterIt()
    {
        var clock = new FakeTimeProvider();
        using var running = new RunningJob(Job(), () => { }, clock);
        running.StartTimer(TimeSpan.FromMilliseconds(100), CountedWatch);
        var handler = new TaskCompletionSource<string?>().Task;
        Assert.Null(running.CallReturned(handler));

        running.Stop(StopReason.HandedBack);
        clock.Advance(TimeSpan.FromMinutes(1));

        Assert.False(running.TimedOut);
        Assert.IsType<JobOutcome.HandedBack>(JobOutcome.Of(running, handler, abandoned: true));
    }
}
