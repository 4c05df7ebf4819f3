using AspireJobs.Core.Storage;
using Npgsql;
using static AspireJobs.Core.Storage.NpgsqlParameters;

namespace AspireJobs.Core.Jobs;

/// <summary>
/// Jobs in PostgreSQL, the system of record. One method per statement in <c>Sql/</c>, named
/// after it; a method whose name carries a guard (<c>IfQueued</c>, <c>IfRunning</c>) changes only
/// the rows for which the guard holds and tells the caller which those were.
/// </summary>
public sealed class JobStore(NpgsqlDataSource db)
{
    private static readonly string JobInsertSql = EmbeddedFile.Core("JobInsert.sql");
    private static readonly string JobGetByIdSql = EmbeddedFile.Core("JobGetById.sql");
    private static readonly string JobGetByIdempotencyKeySql = EmbeddedFile.Core("JobGetByIdempotencyKey.sql");
    private static readonly string JobSetRunningIfQueuedSql = EmbeddedFile.Core("JobSetRunningIfQueued.sql");
    private static readonly string JobSetCompletedIfRunningSql = EmbeddedFile.Core("JobSetCompletedIfRunning.sql");

    /// <summary>
    /// Creates a job. When its idempotency key is already taken, nothing is written and the job
    /// that holds the key is returned with <see cref="JobInsertResult.Created"/> false.
    /// </summary>
    /// <exception cref="UnknownDependencyException">A job in <see cref="NewJob.DependsOn"/> does not exist.</exception>
    public async Task<JobInsertResult> JobInsertAsync(NewJob job, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var status = job.InitialStatus(now);
        await using var command = db.CreateCommand(JobInsertSql);
        command.Parameters.Add(Value(job.Id));
        command.Parameters.Add(Value(job.Type));
        command.Parameters.Add(Value(JobStatusText.Of(status)));
        command.Parameters.Add(Value((short)job.Priority));
        command.Parameters.Add(Json(job.PayloadJson));
        command.Parameters.Add(Value(job.MaxRetries));
        command.Parameters.Add(Value((int)job.Timeout.TotalMilliseconds));
        command.Parameters.Add(Time(status == JobStatus.Scheduled ? job.RunAt : null));
        command.Parameters.Add(Text(job.IdempotencyKey));
        command.Parameters.Add(Value(job.DependsOn.ToArray()));

        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                var created = new Job(
                    job.Id, job.Type, status, job.Priority, job.PayloadJson, ResultJson: null, Error: null,
                    Attempts: 0, job.MaxRetries, job.Timeout, job.DependsOn, WorkerId: null,
                    CreatedAt: reader.GetFieldValue<DateTimeOffset>(0),
                    ScheduledAt: reader.GetFieldValue<DateTimeOffset>(1),
                    StartedAt: null, CompletedAt: null);
                return new JobInsertResult(created, Created: true);
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation
                                          && e.ConstraintName == "job_dependencies_depends_on_id_fkey")
        {
            throw new UnknownDependencyException(job.DependsOn, e);
        }

        // The key belongs to an earlier job. It cannot have been deleted in between: retention
        // only removes finished jobs, and a key is only repeated by a client that saw it created.
        var existing = await JobGetByIdempotencyKeyAsync(job.IdempotencyKey!, cancellationToken)
            ?? throw new InvalidOperationException($"Idempotency key '{job.IdempotencyKey}' conflicted but holds no job.");
        return new JobInsertResult(existing, Created: false);
    }

    public async Task<Job?> JobGetByIdAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobGetByIdSql);
        command.Parameters.Add(Value(id));
        return await ReadSingleJobAsync(command, cancellationToken);
    }

    public async Task<Job?> JobGetByIdempotencyKeyAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobGetByIdempotencyKeySql);
        command.Parameters.Add(Value(idempotencyKey));
        return await ReadSingleJobAsync(command, cancellationToken);
    }

    /// <summary>
    /// Starts the jobs Redis leased to a worker: each one still queued becomes running under a
    /// new lease token. Jobs not returned were not startable and must be dropped by the caller.
    /// </summary>
    public async Task<IReadOnlyList<StartedJob>> JobSetRunningIfQueuedAsync(
        IReadOnlyCollection<Guid> ids, Guid workerId, TimeSpan leaseGrace, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobSetRunningIfQueuedSql);
        command.Parameters.Add(Value(ids.ToArray()));
        command.Parameters.Add(Value(workerId));
        command.Parameters.Add(Value(leaseGrace));

        var started = new List<StartedJob>(ids.Count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            started.Add(new StartedJob(
                Id: reader.GetGuid(0),
                Type: reader.GetString(1),
                PayloadJson: reader.GetString(2),
                Attempt: reader.GetInt32(3),
                MaxRetries: reader.GetInt32(4),
                Timeout: TimeSpan.FromMilliseconds(reader.GetInt32(5)),
                LeaseToken: reader.GetGuid(6)));
        }

        return started;
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

    private static async Task<Job?> ReadSingleJobAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? JobRow.Read(reader) : null;
    }
}

/// <summary>The job a create returned, and whether this call created it.</summary>
public sealed record JobInsertResult(Job Job, bool Created);

/// <summary>A successful attempt: the job, the lease token it ran under, and its result as JSON.</summary>
public readonly record struct JobSuccess(Guid JobId, Guid LeaseToken, string? ResultJson);
