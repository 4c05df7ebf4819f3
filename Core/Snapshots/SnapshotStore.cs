using System.Runtime.CompilerServices;
using System.Text.Json;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Storage;
using Npgsql;
using NpgsqlTypes;
using static AspireJobs.Core.Storage.NpgsqlParameters;

namespace AspireJobs.Core.Snapshots;

/// <summary>
/// Takes, lists and reads snapshots. Taking one reads the jobs on one connection, inside a
/// REPEATABLE READ transaction (one consistent moment, and the position in the transition log it
/// reflects), and writes compressed chunks on a second as the rows arrive: memory holds one chunk
/// whatever the number of jobs, and live traffic is never locked out (the read takes no locks).
/// </summary>
public sealed class SnapshotStore(NpgsqlDataSource db, TimeProvider clock)
{
    /// <summary>
    /// How far before its base, or before the oldest transaction then writing, an incremental
    /// snapshot looks for events: transactions open when the base was read may commit events
    /// with older ids after it. Each statement that logs an event stamps it with its service's
    /// clock as it runs, after its transaction began; ten seconds leave room for clocks that
    /// differ a little between machines, and for a writer unseen in the database's activity.
    /// </summary>
    public static readonly TimeSpan IncrementalOverlap = TimeSpan.FromSeconds(10);

    private static readonly string PositionSql = EmbeddedFile.Core("SnapshotPosition.sql");
    private static readonly string ReadJobsSql = EmbeddedFile.Core("SnapshotReadJobs.sql");
    private static readonly string ReadChangedJobsSql = EmbeddedFile.Core("SnapshotReadChangedJobs.sql");
    private static readonly string FleetSql = EmbeddedFile.Core("SnapshotFleet.sql");
    private static readonly string ChunkInsertSql = EmbeddedFile.Core("SnapshotChunkInsert.sql");
    private static readonly string InsertSql = EmbeddedFile.Core("SnapshotInsert.sql");
    private static readonly string ListSql = EmbeddedFile.Core("SnapshotList.sql");
    private static readonly string GetByIdSql = EmbeddedFile.Core("SnapshotGetById.sql");
    private static readonly string GetLatestSql = EmbeddedFile.Core("SnapshotGetLatest.sql");
    private static readonly string GetChainSql = EmbeddedFile.Core("SnapshotGetChain.sql");
    private static readonly string ChunkListSql = EmbeddedFile.Core("SnapshotChunkList.sql");
    private static readonly string DeleteBeforeSql = EmbeddedFile.Core("SnapshotDeleteBefore.sql");

    /// <summary>
    /// Takes a snapshot. An incremental one builds on the newest snapshot; with none to build on,
    /// <see cref="NoBaseSnapshotException"/>.
    /// </summary>
    public async Task<Snapshot> TakeAsync(SnapshotKind kind, SnapshotReason reason, string? label, CancellationToken cancellationToken)
    {
        var takenAt = clock.GetUtcNow();
        var id = Guid.CreateVersion7(takenAt);
        var baseSnapshot = kind == SnapshotKind.Incremental
            ? await LatestAsync(cancellationToken) ?? throw new NoBaseSnapshotException()
            : null;

        await using var source = await db.OpenConnectionAsync(cancellationToken);
        // Before the snapshot's moment: a writer that commits between the two reads is then
        // counted, never missed.
        DateTimeOffset? openWritesSince;
        await using (var mark = new NpgsqlCommand(JobEventLogMark.Sql, source))
        await using (var row = await mark.ExecuteReaderAsync(cancellationToken))
        {
            await row.ReadAsync(cancellationToken);
            openWritesSince = JobEventLogMark.Read(row).OpenWritesSince;
        }

        await using var read = await source.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        long lastEventId;
        await using (var position = new NpgsqlCommand(PositionSql, source))
        {
            lastEventId = (long)(await position.ExecuteScalarAsync(cancellationToken))!;
        }

        string fleet;
        await using (var workers = new NpgsqlCommand(FleetSql, source))
        {
            fleet = (string)(await workers.ExecuteScalarAsync(cancellationToken))!;
        }

        await using var target = await db.OpenConnectionAsync(cancellationToken);
        await using var write = await target.BeginTransactionAsync(cancellationToken);
        var totals = new SnapshotTotals();
        await using (var jobs = baseSnapshot is null
            ? new NpgsqlCommand(ReadJobsSql, source)
            : new NpgsqlCommand(ReadChangedJobsSql, source)
            {
                Parameters = { Value(baseSnapshot.LastEventId), Time(ChangesSince(baseSnapshot)) },
            })
        {
            var chunk = new List<SnapshotRecord>(SnapshotFormat.ChunkRecords);
            await using var reader = await jobs.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var record = ReadRecord(reader);
                chunk.Add(record);
                totals.Add(record);
                if (chunk.Count == SnapshotFormat.ChunkRecords)
                {
                    await WriteChunkAsync(target, id, totals, chunk, cancellationToken);
                }
            }

            if (chunk.Count > 0)
            {
                await WriteChunkAsync(target, id, totals, chunk, cancellationToken);
            }
        }

        var snapshot = new Snapshot(
            id, kind, reason, label, baseSnapshot?.Id, SnapshotFormat.Version, takenAt, lastEventId,
            totals.Records, totals.Edges, totals.Bytes, totals.ByStatus, fleet, openWritesSince);
        await using (var insert = new NpgsqlCommand(InsertSql, target))
        {
            insert.Parameters.Add(Value(id));
            insert.Parameters.Add(Text(SnapshotText.Of(kind)));
            insert.Parameters.Add(Text(SnapshotText.Of(reason)));
            insert.Parameters.Add(Text(label));
            insert.Parameters.Add(Nullable(baseSnapshot?.Id));
            insert.Parameters.Add(Value(SnapshotFormat.Version));
            insert.Parameters.Add(Time(takenAt));
            insert.Parameters.Add(Value(lastEventId));
            insert.Parameters.Add(Value(totals.Records));
            insert.Parameters.Add(Value(totals.Edges));
            insert.Parameters.Add(Value(totals.Bytes));
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = JsonSerializer.Serialize(totals.ByStatus, ColumnJson.Default.DictionaryStringInt32) });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = fleet });
            insert.Parameters.Add(Time(openWritesSince));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await write.CommitAsync(cancellationToken);
        await read.CommitAsync(cancellationToken);
        return snapshot;
    }

    public async Task<IReadOnlyList<Snapshot>> ListAsync(Guid? cursor, int limit, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(ListSql);
        command.Parameters.Add(Nullable(cursor));
        command.Parameters.Add(Value(limit));
        return await ReadSnapshotsAsync(command, cancellationToken);
    }

    public async Task<Snapshot?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(GetByIdSql);
        command.Parameters.Add(Value(id));
        return (await ReadSnapshotsAsync(command, cancellationToken)).SingleOrDefault();
    }

    /// <summary>The newest snapshot, or the newest of <paramref name="kind"/>.</summary>
    public async Task<Snapshot?> LatestAsync(CancellationToken cancellationToken, SnapshotKind? kind = null)
    {
        await using var command = db.CreateCommand(GetLatestSql);
        command.Parameters.Add(Text(kind is { } k ? SnapshotText.Of(k) : null));
        return (await ReadSnapshotsAsync(command, cancellationToken)).SingleOrDefault();
    }

    /// <summary>
    /// The records of a snapshot's whole chain, oldest snapshot first, one chunk in memory at a
    /// time. Replayed in order (a later record of a job replaces an earlier one), they give the
    /// jobs as the snapshot saw them.
    /// </summary>
    public async IAsyncEnumerable<SnapshotRecord> ReadChainAsync(Guid id, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var chain = new List<(Guid Id, short Format)>();
        await using (var command = db.CreateCommand(GetChainSql))
        {
            command.Parameters.Add(Value(id));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                chain.Add((reader.GetGuid(0), reader.GetInt16(1)));
            }
        }

        foreach (var (snapshotId, format) in chain)
        {
            await using var command = db.CreateCommand(ChunkListSql);
            command.Parameters.Add(Value(snapshotId));
            await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                foreach (var record in SnapshotFormat.Decode(format, await reader.GetFieldValueAsync<byte[]>(0, cancellationToken)))
                {
                    yield return record;
                }
            }
        }
    }

    /// <summary>Deletes automatic and before-restore snapshots taken before <paramref name="cutoff"/>; returns how many.</summary>
    public async Task<int> DeleteBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(DeleteBeforeSql);
        command.Parameters.Add(Time(cutoff));
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// From when an incremental snapshot reads events by their stamps, besides every event after
    /// its base's position: the base's moment, or the start of the oldest transaction then
    /// writing if earlier, less <see cref="IncrementalOverlap"/>.
    /// </summary>
    private static DateTimeOffset ChangesSince(Snapshot baseSnapshot) =>
        (baseSnapshot.OpenWritesSince is { } since && since < baseSnapshot.TakenAt ? since : baseSnapshot.TakenAt) - IncrementalOverlap;

    private static SnapshotRecord ReadRecord(NpgsqlDataReader reader)
    {
        var status = JobStatusText.Parse(reader.GetString(2));
        return new SnapshotRecord(
            reader.GetGuid(0), reader.GetString(1), status, reader.GetInt16(3), reader.GetInt16(4),
            reader.GetInt32(5), reader.GetInt32(6), reader.GetInt32(7), reader.GetInt32(8),
            reader.GetFieldValue<DateTime>(9) is var runAt && runAt == DateTime.MinValue ? DateTimeOffset.UnixEpoch : new DateTimeOffset(runAt, TimeSpan.Zero),
            reader.GetFieldValue<Guid[]>(10), reader.GetBoolean(11));
    }

    private static async Task WriteChunkAsync(NpgsqlConnection target, Guid id, SnapshotTotals totals, List<SnapshotRecord> chunk, CancellationToken cancellationToken)
    {
        var data = SnapshotFormat.Encode(chunk);
        await using var insert = new NpgsqlCommand(ChunkInsertSql, target);
        insert.Parameters.Add(Value(id));
        insert.Parameters.Add(Value(totals.Chunks));
        insert.Parameters.Add(Value(chunk.Count));
        insert.Parameters.Add(Value(data));
        await insert.ExecuteNonQueryAsync(cancellationToken);
        totals.Chunks++;
        totals.Bytes += data.Length;
        chunk.Clear();
    }

    private static async Task<IReadOnlyList<Snapshot>> ReadSnapshotsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var snapshots = new List<Snapshot>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            snapshots.Add(new Snapshot(
                reader.GetGuid(0),
                reader.GetString(1) == "full" ? SnapshotKind.Full : SnapshotKind.Incremental,
                SnapshotText.ReasonOf(reader.GetString(2)),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetGuid(4),
                reader.GetInt16(5),
                reader.GetFieldValue<DateTimeOffset>(6),
                reader.GetInt64(7),
                reader.GetInt32(8),
                reader.GetInt32(9),
                reader.GetInt64(10),
                JsonSerializer.Deserialize(reader.GetString(11), ColumnJson.Default.DictionaryStringInt32)!,
                reader.GetString(12),
                reader.IsDBNull(13) ? null : reader.GetFieldValue<DateTimeOffset>(13)));
        }

        return snapshots;
    }

    /// <summary>What a snapshot being written has added up so far.</summary>
    private sealed class SnapshotTotals
    {
        public int Records { get; private set; }

        public int Edges { get; private set; }

        public int Chunks { get; set; }

        public long Bytes { get; set; }

        public Dictionary<string, int> ByStatus { get; } = new(StringComparer.Ordinal);

        public void Add(SnapshotRecord record)
        {
            Records++;
            Edges += record.DependsOn.Count;
            var status = record.Deleted ? "deleted" : JobStatusText.Of(record.Status);
            ByStatus[status] = ByStatus.GetValueOrDefault(status) + 1;
        }
    }
}
