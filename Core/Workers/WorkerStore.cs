using AspireJobs.Core.Storage;
using Npgsql;
using static AspireJobs.Core.Storage.NpgsqlParameters;

namespace AspireJobs.Core.Workers;

/// <summary>Worker processes in PostgreSQL. One method per statement in <c>Sql/</c>.</summary>
public sealed class WorkerStore(NpgsqlDataSource db)
{
    private static readonly string WorkerInsertSql = EmbeddedFile.Core("WorkerInsert.sql");
    private static readonly string WorkerSetStoppedIfLiveSql = EmbeddedFile.Core("WorkerSetStoppedIfLive.sql");
    private static readonly string WorkerAnyLiveHandlesTypeSql = EmbeddedFile.Core("WorkerAnyLiveHandlesType.sql");

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
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Marks a worker stopped unless the health monitor already declared it dead.</summary>
    public async Task<bool> WorkerSetStoppedIfLiveAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(WorkerSetStoppedIfLiveSql);
        command.Parameters.Add(Value(id));
        return await command.ExecuteScalarAsync(cancellationToken) is Guid;
    }

    /// <summary>Whether any live worker (active or draining) runs jobs of <paramref name="type"/>.</summary>
    public async Task<bool> WorkerAnyLiveHandlesTypeAsync(string type, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(WorkerAnyLiveHandlesTypeSql);
        command.Parameters.Add(Value(type));
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
