using AspireJobs.Core.Jobs;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Core.Storage;

/// <summary>
/// Statements that read a slice of the history (a page of the log, the jobs changed since a
/// snapshot, the events since a time) look its jobs and attempts up by key, whatever the
/// history's size. Checked on the generic plan, which PostgreSQL may settle
/// on for a prepared statement (Npgsql prepares those run often): it guesses how many rows a
/// range on a parameter matches, and a plain join then hashed the whole of jobs or job_events.
/// </summary>
public sealed class HistoryReadPlanTests(TestServers servers) : IAsyncLifetime
{
    private TestDatabase _db = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await servers.CreateDatabaseAsync();
        // Enough history that hashing all of it looks cheap to the planner next to a guessed third of it.
        await new JobStore(_db.DataSource, TimeProvider.System).CompletedJobsAsync(2_000, "noop", Token);
        await _db.ExecuteAsync("ANALYZE jobs, job_executions, job_events");
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    /// <param name="lookedUp">The tables the statement reads by key: none may be scanned whole.</param>
    [Theory]
    [InlineData("JobEventGetAfter.sql", "bigint, integer, timestamptz, bigint", "0, 256, now(), 0", "job_events")]
    [InlineData("FinishedAttemptGet.sql", "uuid[], integer[]", "ARRAY[gen_random_uuid(), gen_random_uuid()], ARRAY[1, 1]", "jobs job_executions")]
    [InlineData("SnapshotReadChangedJobs.sql", "bigint, timestamptz", "0, now() - interval '1 minute'", "jobs")]
    [InlineData("JobEventsSince.sql", "timestamptz, text, text[]", "now() - interval '1 minute', NULL, NULL", "jobs")]
    public async Task TheGenericPlanLooksUpByKey(string statement, string parameterTypes, string arguments, string lookedUp)
    {
        var nodes = await GenericPlan.NodesAsync(_db, statement, parameterTypes, arguments, Token);

        Assert.Empty(GenericPlan.ScannedWhole(nodes).Intersect(lookedUp.Split(' ')));
    }
}
