using AspireJobs.Core.Storage;
using AspireJobs.Core.Workflows;
using Npgsql;
using static AspireJobs.Core.Storage.NpgsqlParameters;

namespace AspireJobs.Core.Jobs;

/// <summary>
/// Jobs in PostgreSQL, the system of record. One method per statement in <c>Sql/</c>, named
/// after it; a method whose name carries a guard (<c>IfQueued</c>, <c>IfRunning</c>) changes only
/// the rows for which the guard holds and tells the caller which those were. This file creates
/// and reads; JobStore.Transitions.cs moves jobs between states; JobStore.Workflows.cs settles
/// dependents in the same transactions (and priorities, in them or just after their commit), and
/// reads graphs; JobStore.Maintenance.cs
/// serves the health monitor's loops; JobStore.Counts.cs keeps the counts per state.
/// </summary>
public sealed partial class JobStore(NpgsqlDataSource db, TimeProvider clock)
{
    private static readonly string JobInsertBatchSql = EmbeddedFile.Core("JobInsertBatch.sql");
    private static readonly string JobInsertBatchWithoutDependenciesSql = EmbeddedFile.Core("JobInsertBatchWithoutDependencies.sql");
    private static readonly string JobGetByIdSql = EmbeddedFile.Core("JobGetById.sql");
    private static readonly string JobGetByIdempotencyKeySql = EmbeddedFile.Core("JobGetByIdempotencyKey.sql");
    private static readonly string JobGetIdsByIdempotencyKeysSql = EmbeddedFile.Core("JobGetIdsByIdempotencyKeys.sql");
    private static readonly string JobListSql = EmbeddedFile.Core("JobList.sql");
    private static readonly string JobExecutionListSql = EmbeddedFile.Core("JobExecutionList.sql");

    /// <summary>
    /// Creates a job. When its idempotency key is already taken, nothing is written and the job
    /// that holds the key is returned with <see cref="JobInsertResult.Created"/> false.
    /// </summary>
    /// <exception cref="UnknownDependencyException">A job in <see cref="NewJob.DependsOn"/> does not exist.</exception>
    public async Task<JobInsertResult> JobInsertAsync(NewJob job, CancellationToken cancellationToken)
    {
        var inserted = await JobInsertBatchAsync([job], cancellationToken);
        return inserted.Created[0] is { } created
            ? new JobInsertResult(
                // A job created under a failed parent may have been cancelled or released at once.
                created.DependsOn.Count > 0 ? (await JobGetByIdAsync(created.Id, cancellationToken))! : created,
                Created: true, inserted.Workflow)
            : new JobInsertResult((await JobGetByIdAsync(inserted.Ids[0], cancellationToken))!, Created: false, WorkflowChanges.None);
    }

    /// <summary>
    /// Creates many jobs atomically, with their dependency edges (which may name jobs of the same
    /// batch; the caller has checked they close no cycle). Returns every job's id in request order
    /// (for a repeated idempotency key, the id of the job that holds it), the jobs now queued, and
    /// what the new jobs changed around them: dependents of failed parents settled at once by
    /// their policy, and ancestors' effective priorities raised.
    /// </summary>
    /// <exception cref="UnknownDependencyException">A job named in a dependsOn does not exist; nothing was written.</exception>
    public async Task<BatchInsertResult> JobInsertBatchAsync(IReadOnlyList<NewJob> jobs, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var hasEdges = jobs.Any(job => job.DependsOn.Count > 0);
        return hasEdges
            ? await PostgresTransaction.RunAsync(db, (connection, token) => InsertWithEdgesAsync(connection, jobs, now, token), cancellationToken)
            : await InsertAsync(null, jobs, hasEdges: false, now, cancellationToken);
    }

    /// <summary>
    /// Runs the insert of <paramref name="jobs"/> (none naming a dependency) and rolls it back: a
    /// rehearsal of the create path, so a fresh process compiles it and plans its statement before
    /// the first real create. It leaves nothing but the event ids it took, a gap the log's readers
    /// pass like any rolled-back transaction's. It runs the insert's own statement
    /// (JobInsertBatchWithoutDependencies), so it has no file of its own.
    /// </summary>
    /// <exception cref="ArgumentException">A job names a dependency, which this statement would not write.</exception>
    public async Task<BatchInsertResult> JobInsertBatchRolledBackAsync(IReadOnlyList<NewJob> jobs, CancellationToken cancellationToken)
    {
        if (jobs.Any(job => job.DependsOn.Count > 0))
        {
            throw new ArgumentException("A rehearsed insert takes jobs that name no dependency.", nameof(jobs));
        }

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var inserted = await InsertAsync(connection, jobs, hasEdges: false, clock.GetUtcNow(), cancellationToken);
        await transaction.RollbackAsync(cancellationToken);
        return inserted;
    }

    private async Task<BatchInsertResult> InsertWithEdgesAsync(NpgsqlConnection connection, IReadOnlyList<NewJob> jobs, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var inserted = await InsertAsync(connection, jobs, hasEdges: true, now, cancellationToken);
        var withParents = inserted.Created.OfType<Job>().Where(job => job.DependsOn.Count > 0).Select(job => job.Id).ToList();
        if (withParents.Count == 0)
        {
            return inserted;
        }

        // A parent already dead-lettered or cancelled: each new dependent follows its policy now.
        var failedParents = await FailedParentsAsync(connection, withParents, cancellationToken);
        var workflow = await SettleAsync(connection, [], failedParents, withParents, withParents, now, cancellationToken);
        return inserted with
        {
            Queued = [.. inserted.Queued, .. workflow.Released],
            Workflow = new WorkflowChanges([], workflow.Reprioritized),
        };
    }

    /// <summary>
    /// Runs the insert, in the open transaction of <paramref name="connection"/> when one is given;
    /// with the statement that writes dependency edges when <paramref name="hasEdges"/> (some job names one).
    /// </summary>
    private async Task<BatchInsertResult> InsertAsync(
        NpgsqlConnection? connection, IReadOnlyList<NewJob> jobs, bool hasEdges, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var sql = hasEdges ? JobInsertBatchSql : JobInsertBatchWithoutDependenciesSql;
        await using var command = connection is null ? db.CreateCommand(sql) : new NpgsqlCommand(sql, connection);
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
        var policies = new string[count];
        var traceParents = new string?[count];
        var edgeJobs = new List<Guid>();
        var edgeParents = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var job = jobs[i];
            var status = job.ReadyStatus(now);
            ids[i] = job.Id;
            types[i] = job.Type;
            statuses[i] = JobStatusText.Of(status);
            priorities[i] = (short)job.Priority;
            payloads[i] = job.PayloadJson;
            maxRetries[i] = job.MaxRetries;
            timeouts[i] = (int)job.Timeout.TotalMilliseconds;
            scheduledAt[i] = job.RunAt is { } runAt && runAt > now ? runAt.ToUniversalTime() : null;
            keys[i] = job.IdempotencyKey;
            policies[i] = DependencyFailurePolicyText.Of(job.OnDependencyFailure);
            traceParents[i] = job.TraceParent;
            foreach (var parent in job.DependsOn)
            {
                edgeJobs.Add(job.Id);
                edgeParents.Add(parent);
            }
        }

        command.Parameters.Add(Value(ids));
        command.Parameters.Add(Value(types));
        command.Parameters.Add(Value(statuses));
        command.Parameters.Add(Value(priorities));
        command.Parameters.Add(JsonArray(payloads));
        command.Parameters.Add(Value(maxRetries));
        command.Parameters.Add(Value(timeouts));
        command.Parameters.Add(TimeArray(scheduledAt));
        command.Parameters.Add(TextArray(keys));
        command.Parameters.Add(Value(policies));
        if (hasEdges)
        {
            command.Parameters.Add(Value(edgeJobs.ToArray()));
            command.Parameters.Add(Value(edgeParents.ToArray()));
        }

        command.Parameters.Add(Time(now));
        command.Parameters.Add(TextArray(traceParents));

        var inserted = new Dictionary<Guid, (JobStatus Status, DateTimeOffset CreatedAt, DateTimeOffset ScheduledAt)>();
        await using (var reader = await ExecuteCreateAsync(command, [.. edgeParents.Distinct()], cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                inserted[reader.GetGuid(0)] = (JobStatusText.Parse(reader.GetString(1)), reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3));
            }
        }

        var created = new Job?[count];
        var queued = new List<QueuedJob>();
        for (var i = 0; i < count; i++)
        {
            if (inserted.TryGetValue(ids[i], out var row))
            {
                var job = jobs[i];
                created[i] = new Job(
                    job.Id, job.Type, row.Status, job.Priority, job.PayloadJson, ResultJson: null, Error: null,
                    Attempts: 0, job.MaxRetries, job.Timeout, job.DependsOn, WorkerId: null, row.CreatedAt, row.ScheduledAt,
                    StartedAt: null, CompletedAt: null, EffectivePriority: job.Priority, job.OnDependencyFailure);
                if (row.Status == JobStatus.Queued)
                {
                    queued.Add(new QueuedJob(ids[i], priorities[i]));
                }
            }
        }

        if (inserted.Count < count)
        {
            // Jobs not inserted repeated an idempotency key: answer with the job that holds it.
            var repeatedKeys = Enumerable.Range(0, count).Where(i => created[i] is null).Select(i => keys[i]!).Distinct().ToArray();
            var holders = await JobGetIdsByIdempotencyKeysAsync(connection, repeatedKeys, cancellationToken);
            for (var i = 0; i < count; i++)
            {
                if (created[i] is null)
                {
                    ids[i] = holders[keys[i]!];
                }
            }
        }

        return new BatchInsertResult(ids, created, queued, WorkflowChanges.None);
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

    /// <summary>
    /// A page of jobs, newest first; <paramref name="before"/> is the previous page's cursor. It
    /// holds <paramref name="limit"/> jobs, or fewer once the payloads, results and errors of the
    /// jobs before one reach <paramref name="maxBytes"/> (it always holds one).
    /// </summary>
    public async Task<JobPage> JobListAsync(JobStatus? status, string? type, Guid? before, int limit, long maxBytes, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobListSql);
        command.Parameters.Add(Text(status is { } s ? JobStatusText.Of(s) : null));
        command.Parameters.Add(Text(type));
        command.Parameters.Add(Nullable(before));
        command.Parameters.Add(Value(limit + 1));
        command.Parameters.Add(Value(maxBytes));

        var items = new List<Job>();
        var more = false;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            // A job of the next page, read (by its own limit or the page's bytes) to tell whether one follows.
            if (items.Count == limit || !reader.GetBoolean(JobRow.ColumnCount))
            {
                more = true;
                break;
            }

            items.Add(JobRow.Read(reader));
        }

        return new JobPage(items, more ? items[^1].Id : null);
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

    private async Task<Dictionary<string, Guid>> JobGetIdsByIdempotencyKeysAsync(NpgsqlConnection? connection, string[] keys, CancellationToken cancellationToken)
    {
        // In the insert's transaction when it has one: the key may be held by a job of the same batch.
        await using var command = connection is null ? db.CreateCommand(JobGetIdsByIdempotencyKeysSql) : new NpgsqlCommand(JobGetIdsByIdempotencyKeysSql, connection);
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

/// <summary>The job a create returned, whether this call created it, and what it changed around it.</summary>
public sealed record JobInsertResult(Job Job, bool Created, WorkflowChanges Workflow);

