using AspireJobs.Core.Storage;
using Npgsql;
using static AspireJobs.Core.Storage.NpgsqlParameters;

namespace AspireJobs.Core.Jobs;

/// <summary>
/// Jobs in PostgreSQL, the system of record. One method per statement in <c>Sql/</c>, named
/// after it; a method whose name carries a guard (<c>IfQueued</c>, <c>IfRunning</c>) changes only
/// the rows for which the guard holds and tells the caller which those were. This file creates
/// and reads; JobStore.Transitions.cs moves jobs between states; JobStore.Maintenance.cs serves
/// the health monitor's loops.
/// </summary>
public sealed partial class JobStore(NpgsqlDataSource db)
{
    private static readonly string JobInsertSql = EmbeddedFile.Core("JobInsert.sql");
    private static readonly string JobInsertBatchSql = EmbeddedFile.Core("JobInsertBatch.sql");
    private static readonly string JobGetByIdSql = EmbeddedFile.Core("JobGetById.sql");
    private static readonly string JobGetByIdempotencyKeySql = EmbeddedFile.Core("JobGetByIdempotencyKey.sql");
    private static readonly string JobGetIdsByIdempotencyKeysSql = EmbeddedFile.Core("JobGetIdsByIdempotencyKeys.sql");
    private static readonly string JobListSql = EmbeddedFile.Core("JobList.sql");
    private static readonly string JobExecutionListSql = EmbeddedFile.Core("JobExecutionList.sql");
    private static readonly string JobCountByStateSql = EmbeddedFile.Core("JobCountByState.sql");

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

        await using (var reader = await ExecuteCreateAsync(command, job.DependsOn, cancellationToken))
        {
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

        // The key belongs to an earlier job. It cannot have vanished in between: retention only
        // removes jobs finished long ago, and a key is only repeated by a client that saw it created.
        var existing = await JobGetByIdempotencyKeyAsync(job.IdempotencyKey!, cancellationToken)
            ?? throw new InvalidOperationException($"Idempotency key '{job.IdempotencyKey}' conflicted but holds no job.");
        return new JobInsertResult(existing, Created: false);
    }

    /// <summary>
    /// Creates many jobs atomically in one round trip. Returns every job's id in request order
    /// (for a repeated idempotency key, the id of the job that holds it) and the jobs now queued.
    /// </summary>
    /// <exception cref="UnknownDependencyException">A job named in a dependsOn does not exist; nothing was written.</exception>
    public async Task<BatchInsertResult> JobInsertBatchAsync(IReadOnlyList<NewJob> jobs, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var count = jobs.Count;
        var ids = new Guid[count];
        var types = new string[count];
        var statuses = new string[count];
        var priorities = new short[count];
        var payloads = new string?[count];
        var maxRetries = new int[count];
        var timeouts = new int[count];
        var scheduledAt = new DateTimeOffset?[count];
        var keys = new string?[count];
        var edgeJobs = new List<Guid>();
        var edgeParents = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var job = jobs[i];
            var status = job.InitialStatus(now);
            ids[i] = job.Id;
            types[i] = job.Type;
            statuses[i] = JobStatusText.Of(status);
            priorities[i] = (short)job.Priority;
            payloads[i] = job.PayloadJson;
            maxRetries[i] = job.MaxRetries;
            timeouts[i] = (int)job.Timeout.TotalMilliseconds;
            scheduledAt[i] = status == JobStatus.Scheduled ? job.RunAt!.Value.ToUniversalTime() : null;
            keys[i] = job.IdempotencyKey;
            foreach (var parent in job.DependsOn)
            {
                edgeJobs.Add(job.Id);
                edgeParents.Add(parent);
            }
        }

        await using var command = db.CreateCommand(JobInsertBatchSql);
        command.Parameters.Add(Value(ids));
        command.Parameters.Add(Value(types));
        command.Parameters.Add(Value(statuses));
        command.Parameters.Add(Value(priorities));
        command.Parameters.Add(JsonArray(payloads));
        command.Parameters.Add(Value(maxRetries));
        command.Parameters.Add(Value(timeouts));
        command.Parameters.Add(TimeArray(scheduledAt));
        command.Parameters.Add(TextArray(keys));
        command.Parameters.Add(Value(edgeJobs.ToArray()));
        command.Parameters.Add(Value(edgeParents.ToArray()));

        var inserted = new Dictionary<Guid, (DateTimeOffset CreatedAt, DateTimeOffset ScheduledAt)>();
        await using (var reader = await ExecuteCreateAsync(command, [.. edgeParents.Distinct()], cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                inserted[reader.GetGuid(0)] = (reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2));
            }
        }

        var created = new Job?[count];
        for (var i = 0; i < count; i++)
        {
            if (inserted.TryGetValue(ids[i], out var times))
            {
                var job = jobs[i];
                created[i] = new Job(
                    job.Id, job.Type, JobStatusText.Parse(statuses[i]), job.Priority, job.PayloadJson, ResultJson: null, Error: null,
                    Attempts: 0, job.MaxRetries, job.Timeout, job.DependsOn, WorkerId: null, times.CreatedAt, times.ScheduledAt,
                    StartedAt: null, CompletedAt: null);
            }
        }

        var queued = new List<QueuedJob>();
        for (var i = 0; i < count; i++)
        {
            if (created[i] is not null && statuses[i] == "queued")
            {
                queued.Add(new QueuedJob(ids[i], priorities[i]));
            }
        }

        if (inserted.Count < count)
        {
            // Jobs not inserted repeated an idempotency key: answer with the job that holds it.
            var repeatedKeys = Enumerable.Range(0, count).Where(i => created[i] is null).Select(i => keys[i]!).Distinct().ToArray();
            var holders = await JobGetIdsByIdempotencyKeysAsync(repeatedKeys, cancellationToken);
            for (var i = 0; i < count; i++)
            {
                if (created[i] is null)
                {
                    ids[i] = holders[keys[i]!];
                }
            }
        }

        return new BatchInsertResult(ids, created, queued);
    }

    public async Task<Job?> JobGetByIdAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobGetByIdSql);
        command.Parameters.Add(Value(id));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? JobRow.Read(reader) : null;
    }

    public async Task<Job?> JobGetByIdempotencyKeyAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobGetByIdempotencyKeySql);
        command.Parameters.Add(Value(idempotencyKey));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? JobRow.Read(reader) : null;
    }

    /// <summary>A page of jobs, newest first; <paramref name="before"/> is the previous page's cursor.</summary>
    public async Task<JobPage> JobListAsync(JobStatus? status, string? type, Guid? before, int limit, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobListSql);
        command.Parameters.Add(Text(status is { } s ? JobStatusText.Of(s) : null));
        command.Parameters.Add(Text(type));
        command.Parameters.Add(Nullable(before));
        command.Parameters.Add(Value(limit + 1));

        var items = new List<Job>(limit + 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(JobRow.Read(reader));
        }

        // One row more than asked tells whether another page follows.
        if (items.Count <= limit)
        {
            return new JobPage(items, null);
        }

        items.RemoveAt(limit);
        return new JobPage(items, items[^1].Id);
    }

    /// <summary>A job's attempts in order; null when there is no such job.</summary>
    public async Task<IReadOnlyList<JobExecution>?> JobExecutionListAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobExecutionListSql);
        command.Parameters.Add(Value(jobId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var executions = new List<JobExecution>();
        var jobExists = false;
        while (await reader.ReadAsync(cancellationToken))
        {
            jobExists = true;
            if (!reader.IsDBNull(0))
            {
                executions.Add(new JobExecution(
                    reader.GetInt32(0), reader.GetGuid(1), ExecutionStatusText.Parse(reader.GetString(2)),
                    reader.GetFieldValue<DateTimeOffset>(3),
                    reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                    reader.IsDBNull(5) ? null : reader.GetInt64(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6)));
            }
        }

        return jobExists ? executions : null;
    }

    public async Task<JobCounts> JobCountByStateAsync(CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobCountByStateSql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new JobCounts(
            reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
            reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8));
    }

    private async Task<Dictionary<string, Guid>> JobGetIdsByIdempotencyKeysAsync(string[] keys, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobGetIdsByIdempotencyKeysSql);
        command.Parameters.Add(Value(keys));
        var holders = new Dictionary<string, Guid>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            holders[reader.GetString(0)] = reader.GetGuid(1);
        }

        return holders;
    }

    /// <summary>Runs a create, turning a missing dependency into <see cref="UnknownDependencyException"/>.</summary>
    private static async Task<NpgsqlDataReader> ExecuteCreateAsync(NpgsqlCommand command, IReadOnlyList<Guid> dependsOn, CancellationToken cancellationToken)
    {
        try
        {
            return await command.ExecuteReaderAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation
                                          && e.ConstraintName == "job_dependencies_depends_on_id_fkey")
        {
            throw new UnknownDependencyException(dependsOn, e);
        }
    }
}

/// <summary>The job a create returned, and whether this call created it.</summary>
public sealed record JobInsertResult(Job Job, bool Created);

/// <summary>A successful attempt: the job, the lease token it ran under, and its result as JSON.</summary>
public readonly record struct JobSuccess(Guid JobId, Guid LeaseToken, string? ResultJson);
