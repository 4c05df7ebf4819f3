using AspireJobs.Core.Jobs;
using AspireJobs.Core.Snapshots;
using AspireJobs.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace AspireJobs.Tests.Recovery;

/// <summary>
/// What an incremental snapshot reads of the changes since its base, on real PostgreSQL, with a
/// clock the test moves for the snapshots.
/// </summary>
public sealed class IncrementalSnapshotTests(TestServers servers) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow.AddHours(1));
    private TestSystem _system = null!;
    private SnapshotStore _snapshots = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _system = await TestSystem.CreateAsync(servers);
        _snapshots = new SnapshotStore(_system.Database.DataSource, _clock);
    }

    public ValueTask DisposeAsync() => _system.DisposeAsync();

    [Fact]
    public async Task HoldsAChange_ThatCommittedAfterTheBase_WithAnOlderIdAndStamp_ThanTheBaseSaw()
    {
        var slow = TestJobs.New();
        await _system.Store.JobInsertBatchAsync([slow], Token);

        // A transaction cancels the job, logs it (stamped as it runs) and stays open.
        await using var connection = await _system.Database.DataSource.OpenConnectionAsync(Token);
        await using var transaction = await connection.BeginTransactionAsync(Token);
        await using (var cancel = new NpgsqlCommand(
            """
            WITH cancelled AS (UPDATE jobs SET status = 'cancelled', completed_at = now() WHERE id = $1 RETURNING id)
            INSERT INTO job_events (job_id, from_status, to_status, at) SELECT id, 'queued', 'cancelled', now() FROM cancelled
            """, connection, transaction) { Parameters = { new() { Value = slow.Id } } })
        {
            await cancel.ExecuteNonQueryAsync(Token);
        }

        // A later event commits before the base is read, so the base's position is past the open one's id;
        // and the base is read an hour after that event was stamped (the snapshots' clock starts an hour ahead).
        await _system.Store.JobInsertBatchAsync([TestJobs.New()], Token);
        var full = await _snapshots.TakeAsync(SnapshotKind.Full, SnapshotReason.Manual, null, Token);
        await transaction.CommitAsync(Token);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var incremental = await _snapshots.TakeAsync(SnapshotKind.Incremental, SnapshotReason.Manual, null, Token);

        var states = new Dictionary<Guid, JobStatus>();
        await foreach (var record in _snapshots.ReadChainAsync(incremental.Id, Token))
        {
            states[record.Id] = record.Status;
        }

        Assert.Equal(2, full.JobCount); // both queued as the base saw them
        Assert.NotNull(full.OpenWritesSince);
        Assert.Equal(JobStatus.Cancelled, states[slow.Id]);
    }

    [Fact]
    public async Task OfAQuietSystem_RecordsNoOpenWrites()
    {
        await _system.Store.JobInsertBatchAsync([TestJobs.New()], Token);

        var full = await _snapshots.TakeAsync(SnapshotKind.Full, SnapshotReason.Manual, null, Token);

        Assert.Null(full.OpenWritesSince);
        Assert.Null((await _snapshots.LatestAsync(Token))!.OpenWritesSince);
    }
}
