using System.Text.Json;
using AspireJobs.Core.Storage;
using Npgsql;
using static AspireJobs.Core.Storage.NpgsqlParameters;

namespace AspireJobs.Core.Workers;

/// <summary>Worker processes in PostgreSQL. One method per statement in <c>Sql/</c>.</summary>
public sealed class WorkerStore(NpgsqlDataSource db, TimeProvider clock)
{
    private static readonly string WorkerInsertSql = EmbeddedFile.Core("WorkerInsert.sql");
    private static readonly string WorkerSetStoppedIfLiveSql = EmbeddedFile.Core("WorkerSetStoppedIfLive.sql");
    private static readonly string WorkerAnyActiveHandlesTypeSql = EmbeddedFile.Core("WorkerAnyActiveHandlesType.sql");
    private static readonly string WorkerSetHeartbeatSql = EmbeddedFile.Core("WorkerSetHeartbeat.sql");
    private static readonly string WorkerListSql = EmbeddedFile.Core("WorkerList.sql");
    private static readonly string WorkerGetByIdSql = EmbeddedFile.Core("WorkerGetById.sql");
    private static readonly string WorkerGetLiveSql = EmbeddedFile.Core("WorkerGetLive.sql");
    private static readonly string WorkerSetDrainingIfActiveSql = EmbeddedFile.Core("WorkerSetDrainingIfActive.sql");
    private static readonly string WorkerSetExitOrderedIfLiveSql = EmbeddedFile.Core("WorkerSetExitOrderedIfLive.sql");
    private static readonly string WorkerSetDeadIfLiveSql = EmbeddedFile.Core("WorkerSetDeadIfLive.sql");
    private static readonly string WorkerDeleteStoppedBeforeSql = EmbeddedFile.Core("WorkerDeleteStoppedBefore.sql");

    public async Task WorkerInsertAsync(WorkerRegistration worker, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(WorkerInsertSql);
        command.Parameters.Add(Value(worker.Id));
        command.Parameters.Add(Value(worker.Name));
        command.Parameters.Add(Value(worker.Host));
        command.Parameters.Add(Value(worker.ProcessId));
        command.Parameters.Add(Value(worker.Version));
        command.Parameters.Add(Value(worker.JobTypes.ToArray()));
        command.Parameters.Add(Value(worker.Concurrency));
        command.Parameters.Add(Time(clock.GetUtcNow()));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Marks a worker stopped unless the health monitor already declared it dead.</summary>
    public Task<bool> WorkerSetStoppedIfLiveAsync(Guid id, CancellationToken cancellationToken) =>
        AnyRowAsync(WorkerSetStoppedIfLiveSql, cancellationToken, Value(id), Time(clock.GetUtcNow()));

    /// <summary>Drains an active worker, for an operator or for the health monitor. False: it was not active.</summary>
    public Task<bool> WorkerSetDrainingIfActiveAsync(Guid id, bool byMonitor, CancellationToken cancellationToken) =>
        AnyRowAsync(WorkerSetDrainingIfActiveSql, cancellationToken, Value(id), Value(byMonitor));

    /// <summary>Records the health monitor's order to a live worker to exit. False: it was not live, or was told already.</summary>
    public Task<bool> WorkerSetExitOrderedIfLiveAsync(Guid id, CancellationToken cancellationToken) =>
        AnyRowAsync(WorkerSetExitOrderedIfLiveSql, cancellationToken, Value(id), Time(clock.GetUtcNow()));

    /// <summary>Declares a live worker dead. False: it was not live.</summary>
    public Task<bool> WorkerSetDeadIfLiveAsync(Guid id, CancellationToken cancellationToken) =>
        AnyRowAsync(WorkerSetDeadIfLiveSql, cancellationToken, Value(id), Time(clock.GetUtcNow()));

    /// <summary>Whether any active worker runs jobs of <paramref name="type"/> (a draining one takes no new jobs).</summary>
    public async Task<bool> WorkerAnyActiveHandlesTypeAsync(string type, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(WorkerAnyActiveHandlesTypeSql);
        command.Parameters.Add(Value(type));
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// How long after its start a job running under a worker that does not hold it counts as a
    /// stray: far longer than a start's answer takes to arrive, far shorter than a lease deadline.
    /// </summary>
    public static readonly TimeSpan StrayAfter = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Records a worker's report; returns how the fleet sees it (which of <paramref name="runningJobs"/>
    /// a client asked to cancel, and its strays), or null when it is not registered.
    /// </summary>
    public async Task<WorkerStanding?> WorkerSetHeartbeatAsync(Guid id, WorkerMetricsReport report, IReadOnlyCollection<Guid> runningJobs, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(WorkerSetHeartbeatSql);
        command.Parameters.Add(Value(id));
        command.Parameters.Add(Value(report.CurrentLoad));
        command.Parameters.Add(Value(report.JobsCompleted));
        command.Parameters.Add(Value(report.JobsFailed));
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Jsonb, Value = JsonSerializer.Serialize(report, WorkerJson.Default.WorkerMetricsReport) });
        command.Parameters.Add(Value(runningJobs.ToArray()));
        command.Parameters.Add(Time(clock.GetUtcNow()));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = StrayAfter });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var strayIds = reader.GetFieldValue<Guid[]>(3);
        var strayTokens = reader.GetFieldValue<Guid[]>(4);
        var strayFences = reader.GetFieldValue<long[]>(5);
        return new WorkerStanding(WorkerStatusText.Parse(reader.GetString(0)), reader.IsDBNull(1) ? null : reader.GetFloat(1), reader.GetFieldValue<Guid[]>(2))
        {
            Strays = [.. strayIds.Select((jobId, i) => new StrayJob(jobId, strayTokens[i], strayFences[i]))],
            ExitOrdered = reader.GetBoolean(6),
        };
    }

    public Task<IReadOnlyList<WorkerInfo>> WorkerListAsync(int limit, CancellationToken cancellationToken) =>
        ReadAsync(WorkerListSql, cancellationToken, Value(limit));

    public Task<IReadOnlyList<WorkerInfo>> WorkerGetLiveAsync(CancellationToken cancellationToken) =>
        ReadAsync(WorkerGetLiveSql, cancellationToken);

    public async Task<WorkerInfo?> WorkerGetByIdAsync(Guid id, CancellationToken cancellationToken) =>
        (await ReadAsync(WorkerGetByIdSql, cancellationToken, Value(id))).SingleOrDefault();

    /// <summary>Deletes workers that stopped or died before <paramref name="cutoff"/>; returns how many.</summary>
    public async Task<int> WorkerDeleteStoppedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(WorkerDeleteStoppedBeforeSql);
        command.Parameters.Add(Time(cutoff));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<WorkerInfo>> ReadAsync(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = db.CreateCommand(sql);
        command.Parameters.AddRange(parameters);
        var workers = new List<WorkerInfo>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            workers.Add(WorkerRow.Read(reader));
        }

        return workers;
    }

    private async Task<bool> AnyRowAsync(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = db.CreateCommand(sql);
        command.Parameters.AddRange(parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken);
    }
}
