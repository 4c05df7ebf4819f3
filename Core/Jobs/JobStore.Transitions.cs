using AspireJobs.Core.Storage;
using Npgsql;
using static AspireJobs.Core.Storage.NpgsqlParameters;

namespace AspireJobs.Core.Jobs;

/// <summary>The guarded state changes of a job (the arrows of the diagram in schema.md).</summary>
public sealed partial class JobStore
{
    private static readonly string JobSetRunningIfQueuedSql = EmbeddedFile.Core("JobSetRunningIfQueued.sql");
    private static readonly string JobSetCompletedIfRunningSql = EmbeddedFile.Core("JobSetCompletedIfRunning.sql");
    private static readonly string JobSetScheduledIfRunningSql = EmbeddedFile.Core("JobSetScheduledIfRunning.sql");
    private static readonly string JobSetDeadLetteredIfRunningSql = EmbeddedFile.Core("JobSetDeadLetteredIfRunning.sql");
    private static readonly string JobSetCancelledIfRunningSql = EmbeddedFile.Core("JobSetCancelledIfRunning.sql");
    private static readonly string JobSetQueuedIfRunningSql = EmbeddedFile.Core("JobSetQueuedIfRunning.sql");
    private static readonly string JobSetCancelledIfPendingSql = EmbeddedFile.Core("JobSetCancelledIfPending.sql");
    private static readonly string JobSetCancelRequestedIfRunningSql = EmbeddedFile.Core("JobSetCancelRequestedIfRunning.sql");
    private static readonly string JobSetQueuedIfDeadLetteredSql = EmbeddedFile.Core("JobSetQueuedIfDeadLettered.sql");
    private static readonly string JobSetScheduledIfQueuedSql = EmbeddedFile.Core("JobSetScheduledIfQueued.sql");
    private static readonly string JobSetParkedIfQueuedSql = EmbeddedFile.Core("JobSetParkedIfQueued.sql");
    private static readonly string JobSetUnparkedForTypesSql = EmbeddedFile.Core("JobSetUnparkedForTypes.sql");

    /// <summary>
    /// Starts the jobs Redis leased to a worker: each one still queued, and of a type the worker
    /// handles, becomes running under a new lease token. Queued jobs of other types come back
    /// unchanged in <see cref="StartResult.Unhandled"/>; any id in neither list was not startable.
    /// </summary>
    public async Task<StartResult> JobSetRunningIfQueuedAsync(
        IReadOnlyCollection<Guid> ids, Guid workerId, TimeSpan leaseGrace, IReadOnlyCollection<string> handledTypes,
        CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobSetRunningIfQueuedSql);
        command.Parameters.Add(Value(ids.ToArray()));
        command.Parameters.Add(Value(workerId));
        command.Parameters.Add(Interval(leaseGrace));
        command.Parameters.Add(Value(handledTypes.ToArray()));

        var started = new List<StartedJob>(ids.Count);
        var unhandled = new List<UnhandledJob>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!reader.GetBoolean(8))
            {
                unhandled.Add(new UnhandledJob(reader.GetGuid(0), reader.GetString(1)));
                continue;
            }

            started.Add(new StartedJob(
                Id: reader.GetGuid(0),
                Type: reader.GetString(1),
                PayloadJson: reader.GetString(2),
                Attempt: reader.GetInt32(3),
                Failures: reader.GetInt32(4),
                MaxRetries: reader.GetInt32(5),
                Timeout: TimeSpan.FromMilliseconds(reader.GetInt32(6)),
                LeaseToken: reader.GetGuid(7)));
        }

        return new StartResult(started, unhandled);
    }

    /// <summary>
    /// Completes attempts that succeeded, each only while its lease token is current. Returns the
    /// ids that completed; an id missing from the answer had lost its lease and changed nothing.
    /// </summary>
    public async Task<IReadOnlySet<Guid>> JobSetCompletedIfRunningAsync(
        IReadOnlyList<JobSuccess> successes, CancellationToken cancellationToken)
    {
        var ids = new Guid[successes.Count];
        var tokens = new Guid[successes.Count];
        var results = new string?[successes.Count];
        for (var i = 0; i < successes.Count; i++)
        {
            (ids[i], tokens[i], results[i]) = successes[i];
        }

        await using var command = db.CreateCommand(JobSetCompletedIfRunningSql);
        command.Parameters.Add(Value(ids));
        command.Parameters.Add(Value(tokens));
        command.Parameters.Add(JsonArray(results));

        var completed = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            completed.Add(reader.GetGuid(0));
        }

        return completed;
    }

    /// <summary>A failed attempt with retries left: scheduled again after <paramref name="delay"/>. False: lease lost or cancellation requested.</summary>
    public Task<bool> JobSetScheduledIfRunningAsync(Guid id, Guid leaseToken, ExecutionStatus outcome, string error, TimeSpan delay, CancellationToken cancellationToken) =>
        AnyRowAsync(JobSetScheduledIfRunningSql, cancellationToken,
            Value(id), Value(leaseToken), Value(ExecutionStatusText.Of(outcome)), Value(error), Interval(delay));

    /// <summary>A failed attempt with no retries left: dead-lettered. False: lease lost or cancellation requested.</summary>
    public Task<bool> JobSetDeadLetteredIfRunningAsync(Guid id, Guid leaseToken, ExecutionStatus outcome, string error, CancellationToken cancellationToken) =>
        AnyRowAsync(JobSetDeadLetteredIfRunningSql, cancellationToken,
            Value(id), Value(leaseToken), Value(ExecutionStatusText.Of(outcome)), Value(error));

    /// <summary>A running job stopped after its cancellation was requested. False: lease lost.</summary>
    public Task<bool> JobSetCancelledIfRunningAsync(Guid id, Guid leaseToken, CancellationToken cancellationToken) =>
        AnyRowAsync(JobSetCancelledIfRunningSql, cancellationToken, Value(id), Value(leaseToken));

    /// <summary>A worker hands a running job back, not as a failure. Returns its priority; null: lease lost or cancellation requested.</summary>
    public Task<int?> JobSetQueuedIfRunningAsync(Guid id, Guid leaseToken, string reason, CancellationToken cancellationToken) =>
        PriorityAsync(JobSetQueuedIfRunningSql, cancellationToken, Value(id), Value(leaseToken), Value(reason));

    /// <summary>Cancels a job that has not started; returns the status it had, or null when it was not pending.</summary>
    public async Task<JobStatus?> JobSetCancelledIfPendingAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobSetCancelledIfPendingSql);
        command.Parameters.Add(Value(id));
        return await command.ExecuteScalarAsync(cancellationToken) is string status ? JobStatusText.Parse(status) : null;
    }

    /// <summary>Records a client's request to cancel a running job. False: it is not running.</summary>
    public Task<bool> JobSetCancelRequestedIfRunningAsync(Guid id, CancellationToken cancellationToken) =>
        AnyRowAsync(JobSetCancelRequestedIfRunningSql, cancellationToken, Value(id));

    /// <summary>Requeues a dead letter with its retries restored. Returns its priority; null when it is not a dead letter.</summary>
    public Task<int?> JobSetQueuedIfDeadLetteredAsync(Guid id, CancellationToken cancellationToken) =>
        PriorityAsync(JobSetQueuedIfDeadLetteredSql, cancellationToken, Value(id));

    /// <summary>Defers a queued job this worker cannot run while another can. False: it was not queued.</summary>
    public Task<bool> JobSetScheduledIfQueuedAsync(Guid id, TimeSpan delay, string reason, CancellationToken cancellationToken) =>
        AnyRowAsync(JobSetScheduledIfQueuedSql, cancellationToken, Value(id), Interval(delay), Value(reason));

    /// <summary>Parks a queued job no live worker can run. False: it was not queued (or already parked).</summary>
    public Task<bool> JobSetParkedIfQueuedAsync(Guid id, string error, CancellationToken cancellationToken) =>
        AnyRowAsync(JobSetParkedIfQueuedSql, cancellationToken, Value(id), Value(error));

    /// <summary>Unparks the jobs of these types; returns them, to be put in their bands.</summary>
    public Task<IReadOnlyList<QueuedJob>> JobSetUnparkedForTypesAsync(IReadOnlyCollection<string> types, CancellationToken cancellationToken) =>
        DispatchableAsync(JobSetUnparkedForTypesSql, cancellationToken, Value(types.ToArray()));

    private async Task<bool> AnyRowAsync(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = db.CreateCommand(sql);
        command.Parameters.AddRange(parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken);
    }

    private async Task<int?> PriorityAsync(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = db.CreateCommand(sql);
        command.Parameters.AddRange(parameters);
        return await command.ExecuteScalarAsync(cancellationToken) is short priority ? priority : null;
    }

    private async Task<IReadOnlyList<QueuedJob>> DispatchableAsync(string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = db.CreateCommand(sql);
        command.Parameters.AddRange(parameters);
        var jobs = new List<QueuedJob>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(new QueuedJob(reader.GetGuid(0), reader.GetInt16(1)));
        }

        return jobs;
    }
}
