using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Memory;
using AspireJobs.Tests.Infrastructure;
using Npgsql;

namespace AspireJobs.Tests.Core.Storage;

/// <summary>
/// A worker's starts and finishes, and the indexer's writes of vectors, keep finding rows by key
/// after the tables have grown, though PostgreSQL settled on their plans while the tables held a
/// few hundred rows: a plan costed for a small table reads it whole, and a session keeps its plan
/// until the table is next analyzed. Read from the tables' own counters of sequential scans, on one
/// session with the services' automatic preparation, autovacuum kept off the tables as between two
/// of its analyses.
/// </summary>
public sealed class PlansMadeOnASmallTableTests(TestServers servers) : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private NpgsqlDataSource _session = null!;
    private JobStore _store = null!;
    private PostgresVectorStore _vectors = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await servers.CreateDatabaseAsync();
        await _db.ExecuteAsync("ALTER TABLE jobs SET (autovacuum_enabled = false)");
        await _db.ExecuteAsync("ALTER TABLE job_executions SET (autovacuum_enabled = false)");
        // One session, prepared as the services prepare (ServiceDefaults' NpgsqlClient).
        _session = NpgsqlDataSource.Create(_db.ConnectionString + ";Maximum Pool Size=1;Max Auto Prepare=64;Auto Prepare Min Usages=2");
        _store = new JobStore(_session, TimeProvider.System);
        _vectors = new PostgresVectorStore(_session, TimeProvider.System);

        // Past the point where PostgreSQL settles on a generic plan, with jobs still small.
        for (var round = 0; round < 12; round++)
        {
            await _vectors.UpsertAsync(Vectors(await _store.CompletedJobsAsync(40, "noop", Token)), Token);
            await _store.StartNowAsync(await QueuedJobsAsync(10), Guid.NewGuid(), TimeSpan.FromSeconds(30), ["noop"], Token);
        }

        await QueuedJobsAsync(5_000);
        await _store.CompletedJobsAsync(3_000, "noop", Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _session.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Finishes_ReadNoJobsWhole()
    {
        var finishes = TestHistory.WholeAttempts(await QueuedJobsAsync(64));

        var before = await SequentialScansAsync();
        var finished = await _store.JobFinishIfRunningAsync(finishes, Token);

        Assert.Equal(64, finished.Finished.Count);
        Assert.Equal(before, await SequentialScansAsync());
        Assert.True(await GenericPlansAsync("-- JobStartAndFinishIfQueued:") > 0, "the finishes ran on no plan made on the small table");
    }

    [Fact]
    public async Task Starts_ReadNoJobsWhole()
    {
        var leases = (await QueuedJobsAsync(64)).Select(id => new JobLease(id, JobStoreStarts.NextFence())).ToList();

        var before = await SequentialScansAsync();
        var read = await _store.JobGetStartableAsync(leases, Guid.NewGuid(), TimeSpan.FromSeconds(30), new HashSet<string> { "noop" }, Token);
        var written = await _store.JobSetRunningIfQueuedAsync([.. read.Started.Select(job => job.Start!.Value)], Token);

        Assert.Equal(64, written.Count);
        Assert.Equal(before, await SequentialScansAsync());
        Assert.True(await GenericPlansAsync("-- JobGetStartable:") > 0, "the reads ran on no plan made on the small table");
        Assert.True(await GenericPlansAsync("-- JobSetRunningIfQueued:") > 0, "the starts ran on no plan made on the small table");
    }

    [Fact]
    public async Task VectorWrites_ReadNoExecutionsWhole()
    {
        var vectors = Vectors(await _store.CompletedJobsAsync(10, "noop", Token));

        var before = await SequentialScansAsync("job_executions");
        await _vectors.UpsertAsync(vectors, Token);

        Assert.Equal(10, await _db.ScalarAsync<long>("SELECT count(*) FROM execution_vectors WHERE job_id = ANY($1)", vectors.Select(v => v.JobId).ToArray()));
        Assert.Equal(before, await SequentialScansAsync("job_executions"));
        Assert.True(await GenericPlansAsync("-- ExecutionVectorInsertIfMissing:") > 0, "the vector writes ran on no plan made on the small table");
    }

    private static List<ExecutionVector> Vectors(IEnumerable<Guid> jobIds) =>
        [.. jobIds.Select(id => new ExecutionVector(id, 1, "noop", ExecutionOutcome.Completed, [0.6f, 0.8f]))];

    private async Task<IReadOnlyList<Guid>> QueuedJobsAsync(int count)
    {
        var jobs = Enumerable.Range(0, count).Select(_ => TestJobs.New()).ToList();
        await _store.JobInsertBatchAsync(jobs, Token);
        return [.. jobs.Select(job => job.Id)];
    }

    /// <summary>
    /// A table's sequential scans so far, the stores' session included: asked to report its
    /// counts, it does so before it answers (a session otherwise reports them at most once a second).
    /// </summary>
    private async Task<long> SequentialScansAsync(string table = "jobs")
    {
        await using (var flush = _session.CreateCommand("SELECT pg_stat_force_next_flush()"))
        {
            await flush.ExecuteNonQueryAsync(Token);
        }

        return await _db.ScalarAsync<long>("SELECT seq_scan FROM pg_stat_user_tables WHERE relname = $1", table);
    }

    /// <summary>
    /// How often the stores' session ran a statement on its generic plan, the one PostgreSQL
    /// settled on while the tables were small; 0 would leave the test nothing to check.
    /// </summary>
    private async Task<long> GenericPlansAsync(string statementStart)
    {
        await using var command = _session.CreateCommand("SELECT coalesce(sum(generic_plans), 0)::bigint FROM pg_prepared_statements WHERE starts_with(statement, $1)");
        command.Parameters.Add(new NpgsqlParameter { Value = statementStart });
        return (long)(await command.ExecuteScalarAsync(Token))!;
    }
}
