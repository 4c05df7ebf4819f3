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

        var page = await _memory.FinishedAttemptGetAfterAsync(0, 100, DateTimeOffset.UtcNow.AddMinutes(1), _ => true, Token);

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

        var page = await _memory.FinishedAttemptGetAfterAsync(0, 100, DateTimeOffset.UtcNow.AddMinutes(1), job => job == ids[1], Token);

        Assert.Equal(6, page.EventsRead);
        Assert.Equal(await _db.ScalarAsync<long>("SELECT max(id) FROM job_events"), page.LastEventId);
        var attempt = Assert.Single(page.Attempts);
        Assert.Equal((ids[1], "echo", ExecutionStatus.Completed), (attempt.JobId, attempt.JobType, attempt.Status));
    }
}
