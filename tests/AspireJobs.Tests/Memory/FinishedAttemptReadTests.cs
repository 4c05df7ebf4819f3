using AspireJobs.Core.Jobs;
using AspireJobs.Core.Memory;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Memory;

/// <summary>The indexer's read of the log (<c>JobEventGetAfter.sql</c>, then <c>FinishedAttemptGet.sql</c>) against a real database; its plan is in HistoryReadPlanTests.</summary>
public sealed class FinishedAttemptReadTests(TestServers servers) : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private JobStore _jobs = null!;
    private ExecutionMemoryStore _memory = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await servers.CreateDatabaseAsync();
        _jobs = new JobStore(_db.DataSource, TimeProvider.System);
        _memory = new ExecutionMemoryStore(_db.DataSource);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task ReturnsEachFinishWithItsAttemptAndType_AndReadsPastTheOtherEvents()
    {
        var ids = (await _jobs.CompletedJobsAsync(3, "echo", Token)).ToList();
        // One more whose start was written alone (it outlived the start window), then its finish.
        var longer = (await _jobs.JobInsertAsync(TestJobs.New(type: "echo"), Token)).Job;
        var started = Assert.Single((await _jobs.StartNowAsync([longer.Id], Guid.NewGuid(), TimeSpan.FromMinutes(1), ["echo"], Token)).Started);
        Assert.True(await _jobs.FinishAsync(JobFinish.Completed(longer.Id, started.LeaseToken, null), Token));
        ids.Add(longer.Id);

        var page = await _memory.FinishedAttemptGetAfterAsync(0, 100, DateTimeOffset.UtcNow.AddMinutes(1), 0, _ => true, Token);

        // The first three logged their creation and their whole attempt in one event, the last its
        // creation, its start and its finish: only the ends of attempts come back.
        Assert.Equal(9, page.EventsRead);
        Assert.Equal(await _db.ScalarAsync<long>("SELECT max(id) FROM job_events"), page.LastEventId);
        Assert.Equal(ids.Order(), page.Attempts.Select(attempt => attempt.JobId).Order());
        Assert.All(page.Attempts, attempt =>
        {
            Assert.Equal(("echo", 1, ExecutionStatus.Completed, JobStatus.Completed), (attempt.JobType, attempt.Attempt, attempt.Status, attempt.JobStatusAfter));
            Assert.NotNull(attempt.Duration);
        });
    }

    [Fact]
    public async Task LooksUpOnlyTheCompletedAttemptsThatMayBeRemembered_AndStillReadsPastTheRest()
    {
        var ids = await _jobs.CompletedJobsAsync(3, "echo", Token);

        var page = await _memory.FinishedAttemptGetAfterAsync(0, 100, DateTimeOffset.UtcNow.AddMinutes(1), 0, job => job == ids[1], Token);

        Assert.Equal(6, page.EventsRead);
        Assert.Equal(await _db.ScalarAsync<long>("SELECT max(id) FROM job_events"), page.LastEventId);
        var attempt = Assert.Single(page.Attempts);
        Assert.Equal((ids[1], "echo", ExecutionStatus.Completed), (attempt.JobId, attempt.JobType, attempt.Status));
    }

    [Fact]
    public async Task StopsBeforeAGapInTheIds_UntilItsTransactionCommits_OrTheEventAfterItHasSettled()
    {
        await _jobs.CompletedJobsAsync(1, "echo", Token); // events 1 and 2
        await using var connection = await _db.DataSource.OpenConnectionAsync(Token);
        await using var transaction = await connection.BeginTransactionAsync(Token);
        await TestEvents.LogInAsync(transaction, Token); // event 3, not visible yet

        var later = Assert.Single(await _jobs.CompletedJobsAsync(1, "echo", Token)); // events 4 and 5
        var recent = DateTimeOffset.UtcNow.AddMinutes(-1); // every event here is newer: no gap is passed

        var stopped = await _memory.FinishedAttemptGetAfterAsync(0, 100, recent, 0, _ => true, Token);
        var passed = await _memory.FinishedAttemptGetAfterAsync(0, 100, DateTimeOffset.UtcNow.AddMinutes(1), 0, _ => true, Token);
        await transaction.CommitAsync(Token);
        var filled = await _memory.FinishedAttemptGetAfterAsync(0, 100, recent, 0, _ => true, Token);

        Assert.Equal((2, 2L), (stopped.EventsRead, stopped.LastEventId));
        Assert.DoesNotContain(later, stopped.Attempts.Select(attempt => attempt.JobId));
        Assert.Equal((4, 5L), (passed.EventsRead, passed.LastEventId));
        Assert.Contains(later, passed.Attempts.Select(attempt => attempt.JobId));
        Assert.Equal((5, 5L), (filled.EventsRead, filled.LastEventId));
    }

    [Fact]
    public async Task PassesAGap_OnceTheLogShowsItsTransactionRolledBack_WithoutWaitingForTheSettleDelay()
    {
        await _jobs.CompletedJobsAsync(1, "echo", Token); // events 1 and 2
        var settling = new JobEventLogSettling();
        var recent = DateTimeOffset.UtcNow.AddMinutes(-1); // the settle delay never passes a gap here
        FinishedAttemptPage whileOpen;
        await using (var connection = await _db.DataSource.OpenConnectionAsync(Token))
        await using (var transaction = await connection.BeginTransactionAsync(Token))
        {
            await TestEvents.LogInAsync(transaction, Token); // event 3, not visible yet

            await _jobs.CompletedJobsAsync(1, "echo", Token); // events 4 and 5
            whileOpen = await ReadAsync(settling, recent);
            await ReadAsync(settling, recent); // the transaction still open: nothing settles
            Assert.Equal(0, settling.SettledThrough);
            await transaction.RollbackAsync(Token);
        }

        var afterRollback = await ReadAsync(settling, recent); // its mark sees nothing open
        var passed = await ReadAsync(settling, recent);

        Assert.Equal((0, 2L), (whileOpen.EventsRead, whileOpen.LastEventId));
        Assert.Equal(5, whileOpen.Mark.LastEventId); // the log's end, past the gap
        Assert.NotNull(whileOpen.Mark.OpenWritesSince);
        Assert.Equal((0, 2L), (afterRollback.EventsRead, afterRollback.LastEventId));
        Assert.Null(afterRollback.Mark.OpenWritesSince);
        Assert.Equal(5, settling.SettledThrough);
        Assert.Equal((2, 5L), (passed.EventsRead, passed.LastEventId));
        Assert.Single(passed.Attempts);
    }

    [Fact]
    public async Task WaitsAtAGap_WhileItsTransactionIsOpen_AndReadsItsEventOnceCommitted()
    {
        await _jobs.CompletedJobsAsync(1, "echo", Token); // events 1 and 2
        var settling = new JobEventLogSettling();
        var recent = DateTimeOffset.UtcNow.AddMinutes(-1);
        await using var connection = await _db.DataSource.OpenConnectionAsync(Token);
        await using var transaction = await connection.BeginTransactionAsync(Token);
        await TestEvents.LogInAsync(transaction, Token); // event 3

        await _jobs.CompletedJobsAsync(1, "echo", Token); // events 4 and 5
        for (var i = 0; i < 3; i++)
        {
            var stopped = await ReadAsync(settling, recent);
            Assert.Equal((0, 2L), (stopped.EventsRead, stopped.LastEventId));
            Assert.Equal(0, settling.SettledThrough);
        }

        await transaction.CommitAsync(Token);
        var filled = await ReadAsync(settling, recent);

        Assert.Equal((3, 5L), (filled.EventsRead, filled.LastEventId));
    }

    /// <summary>One read of the indexer's loop: the page from the cursor at 2, then its mark observed.</summary>
    private async Task<FinishedAttemptPage> ReadAsync(JobEventLogSettling settling, DateTimeOffset gapsBefore)
    {
        var page = await _memory.FinishedAttemptGetAfterAsync(2, 100, gapsBefore, settling.SettledThrough, _ => true, Token);
        settling.Observe(page.Mark);
        return page;
    }
}
