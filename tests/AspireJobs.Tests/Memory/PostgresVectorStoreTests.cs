using AspireJobs.Core.Memory;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Memory;

/// <summary>The vector store contract on the PostgreSQL store, on a fresh database per test.</summary>
public sealed class PostgresVectorStoreTests(TestServers servers) : VectorStoreContractTests
{
    private TestDatabase _db = null!;

    public override async ValueTask InitializeAsync() => _db = await servers.CreateDatabaseAsync();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }

    protected override Task<IVectorStore> CreateStoreAsync() => Task.FromResult<IVectorStore>(new PostgresVectorStore(_db.DataSource, TimeProvider.System));

    /// <summary>A dead-lettered job per attempt, with its executions up to that attempt (the vectors' foreign key).</summary>
    protected override async Task PrepareAttemptsAsync(IReadOnlyList<ExecutionVector> vectors)
    {
        foreach (var vector in vectors)
        {
            await _db.ExecuteAsync(
                """
                INSERT INTO jobs (id, type, status, priority, effective_priority, max_retries, timeout_ms, attempts, failures, completed_at)
                VALUES ($1, $2, 'dead_lettered', 3, 3, 25, 1000, $3, $3, now())
                ON CONFLICT (id) DO NOTHING
                """, vector.JobId, vector.JobType, vector.Attempt);
            await _db.ExecuteAsync(
                """
                INSERT INTO job_executions (job_id, attempt, worker_id, status, started_at, finished_at, error)
                SELECT $1, a, $2, 'failed', now(), now(), 'IOException: disk full'
                FROM generate_series(1, $3) a
                ON CONFLICT DO NOTHING
                """, vector.JobId, Guid.NewGuid(), vector.Attempt);
        }
    }

    [Fact]
    public async Task Upsert_SkipsAnAttemptWhoseJobIsGone_InsteadOfFailingTheBatch()
    {
        using var store = new PostgresVectorStore(_db.DataSource, TimeProvider.System);
        var random = new Random(6);
        var kept = new ExecutionVector(Guid.CreateVersion7(), 1, "t", ExecutionOutcome.Failed, UnitVector(random));
        var gone = new ExecutionVector(Guid.CreateVersion7(), 1, "t", ExecutionOutcome.Failed, UnitVector(random));
        await PrepareAttemptsAsync([kept]);

        await store.UpsertAsync([kept, gone], Token);

        Assert.Equal(1L, await _db.ScalarAsync<long>("SELECT count(*) FROM execution_vectors"));
        Assert.Equal(kept.JobId, Assert.Single(await store.SearchAsync(gone.Vector, null, null, null, 10, Token)).JobId);
    }
}
