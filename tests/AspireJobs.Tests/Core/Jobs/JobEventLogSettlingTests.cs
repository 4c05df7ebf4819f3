using AspireJobs.Core.Jobs;

namespace AspireJobs.Tests.Core.Jobs;

public sealed class JobEventLogSettlingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 20, 0, 0, TimeSpan.Zero);

    private static JobEventLogMark Mark(long lastEventId, double readAtMs, double? openSinceMs) =>
        new(lastEventId, T0.AddMilliseconds(readAtMs), openSinceMs is { } since ? T0.AddMilliseconds(since) : null);

    [Fact]
    public void NothingIsSettled_BeforeAnyMark()
    {
        Assert.Equal(0, new JobEventLogSettling().SettledThrough);
    }

    [Fact]
    public void AMarkWithNothingOpen_SettlesItsOwnIds()
    {
        var settling = new JobEventLogSettling();

        settling.Observe(Mark(40, readAtMs: 0, openSinceMs: null));

        Assert.Equal(40, settling.SettledThrough);
    }

    [Fact]
    public void AMarkWithATransactionOpen_SettlesNothingOfItsOwn()
    {
        var settling = new JobEventLogSettling();

        // The open transaction began after the mark looked, yet the mark cannot tell whether it
        // looked at the activity before or after its clock: it waits for a later mark.
        settling.Observe(Mark(40, readAtMs: 0, openSinceMs: 5));

        Assert.Equal(0, settling.SettledThrough);
    }

    [Fact]
    public void ALaterMark_SettlesTheEarlierOnesReadBeforeItsOldestOpenTransactionBegan()
    {
        var settling = new JobEventLogSettling();
        settling.Observe(Mark(10, readAtMs: 0, openSinceMs: -50));
        settling.Observe(Mark(20, readAtMs: 250, openSinceMs: -50));
        settling.Observe(Mark(30, readAtMs: 500, openSinceMs: 300));

        // The transaction open since -50 ended; the one open now began after the second mark
        // (read at 250) but before the third (500): the first two are settled, not the third.
        Assert.Equal(20, settling.SettledThrough);
    }

    [Fact]
    public void WhileOneTransactionStaysOpen_NothingAfterItsStartIsSettled()
    {
        var settling = new JobEventLogSettling();
        settling.Observe(Mark(5, readAtMs: 0, openSinceMs: null));
        for (var i = 1; i <= 10; i++)
        {
            settling.Observe(Mark(5 + i, readAtMs: i * 250, openSinceMs: 100));
        }

        Assert.Equal(5, settling.SettledThrough);
    }

    [Fact]
    public void AMarkReadAtTheVeryMomentTheOldestOpenTransactionBegan_IsNotSettled()
    {
        var settling = new JobEventLogSettling();
        settling.Observe(Mark(10, readAtMs: 100, openSinceMs: 0));
        settling.Observe(Mark(12, readAtMs: 200, openSinceMs: 100));

        Assert.Equal(0, settling.SettledThrough);
    }

    [Fact]
    public void WhenMarksPileUpBehindAnOpenTransaction_ALaterQuietMarkStillSettlesEverything()
    {
        var settling = new JobEventLogSettling();
        for (var i = 0; i < JobEventLogSettling.MaxPendingMarks * 2; i++)
        {
            settling.Observe(Mark(i + 1, readAtMs: i, openSinceMs: -1));
        }

        Assert.Equal(0, settling.SettledThrough);

        // The oldest marks went to keep memory bounded; the open transaction ends, and a later
        // mark settles the newest of those kept.
        settling.Observe(Mark(1_000, readAtMs: 10_000, openSinceMs: 9_999));
        Assert.Equal(JobEventLogSettling.MaxPendingMarks * 2, settling.SettledThrough);
    }

    [Fact]
    public void TheSettledPositionNeverMovesBack()
    {
        var settling = new JobEventLogSettling();
        settling.Observe(Mark(50, readAtMs: 0, openSinceMs: null));
        settling.Observe(Mark(0, readAtMs: 10, openSinceMs: null)); // retention emptied the log: max(id) reads 0

        Assert.Equal(50, settling.SettledThrough);
    }
}
