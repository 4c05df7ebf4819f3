using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Storage;
using AspireJobs.Core.Workflows;
using Npgsql;
using static AspireJobs.Core.Storage.NpgsqlParameters;

namespace AspireJobs.Core.Jobs;

/// <summary>The guarded state changes of a job (the arrows of the diagram in schema.md).</summary>
public sealed partial class JobStore
{
    private static readonly string JobGetStartableSql = EmbeddedFile.Core("JobGetStartable.sql");
    private static readonly string JobSetRunningIfQueuedSql = EmbeddedFile.Core("JobSetRunningIfQueued.sql");
    private static readonly string JobFinishIfRunningSql = EmbeddedFile.Core("JobFinishIfRunning.sql");
    private static readonly string JobStartAndFinishIfQueuedSql = EmbeddedFile.Core("JobStartAndFinishIfQueued.sql");
    private static readonly string JobSetCancelledIfPendingSql = EmbeddedFile.Core("JobSetCancelledIfPending.sql");
    private static readonly string JobSetCancelRequestedIfRunningSql = EmbeddedFile.Core("JobSetCancelRequestedIfRunning.sql");
    private static readonly string JobSetQueuedIfDeadLetteredSql = EmbeddedFile.Core("JobSetQueuedIfDeadLettered.sql");
    private static readonly string JobSetScheduledIfQueuedSql = EmbeddedFile.Core("JobSetScheduledIfQueued.sql");
    private static readonly string JobSetParkedIfQueuedSql = EmbeddedFile.Core("JobSetParkedIfQueued.sql");
    private static readonly string JobSetUnparkedForTypesSql = EmbeddedFile.Core("JobSetUnparkedForTypes.sql");
    private static readonly string JobSetPriorityIfUnfinishedSql = EmbeddedFile.Core("JobSetPriorityIfUnfinished.sql");

    /// <summary>
    /// Reads what a worker needs to run the jobs Redis leased to it, without writing: each one
    /// still queued, not parked, and older than its lease (<see cref="JobLease.Fence"/>). Those of
    /// a type the worker handles come back started under a new lease token, their start to be
    /// written later (<see cref="StartedJob.Start"/>); queued jobs of other types come back in
    /// <see cref="StartResult.Unhandled"/>. Any lease in neither list is not startable.
    /// </summary>
    public async Task<StartResult> JobGetStartableAsync(
        IReadOnlyList<JobLease> leases, Guid workerId, TimeSpan leaseGrace, IReadOnlySet<string> handledTypes,
        CancellationToken cancellationToken)
    {
        await using var batch = ByKeyBatch.On(db);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(JobGetStartableSql)
        {
            Parameters = { Value(leases.Select(lease => lease.JobId).ToArray()), Value(leases.Select(lease => lease.Fence).ToArray()) },
        });
        var byId = leases.ToDictionary(lease => lease.JobId);
        var now = clock.GetUtcNow();

        var started = new List<StartedJob>(leases.Count);
        var unhandled = new List<UnhandledJob>();
        await using var reader = await batch.ExecuteReaderPastSettingAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetGuid(0);
            var type = reader.GetString(1);
            if (!handledTypes.Contains(type))
            {
                unhandled.Add(new UnhandledJob(id, type));
                continue;
            }

            var start = byId[id].StartBy(workerId, attempt: reader.GetInt32(3) + 1, now, leaseGrace);
            started.Add(new StartedJob(
                Id: id,
                Type: type,
                PayloadJson: reader.GetString(2),
                Attempt: start.Attempt,
                Failures: reader.GetInt32(4),
                MaxRetries: reader.GetInt32(5),
                Timeout: TimeSpan.FromMilliseconds(reader.GetInt32(6)),
                LeaseToken: start.LeaseToken,
                HasDependents: reader.GetBoolean(7))
            {
                Wait = now - reader.GetFieldValue<DateTimeOffset>(8),
                TraceParent = reader.IsDBNull(9) ? null : reader.GetString(9),
                Fence = start.Fence,
                Start = start,
            });
        }

        return new StartResult(started, unhandled);
    }

    /// <summary>
    /// Writes starts on their own: of jobs a worker still runs after the start window. Returns
    /// the lease tokens of the starts written; a start missing was cancelled, or its lease was
    /// lost, and its job must not run on.
    /// </summary>
    public async Task<IReadOnlySet<Guid>> JobSetRunningIfQueuedAsync(IReadOnlyList<JobStart> starts, CancellationToken cancellationToken)
    {
        if (starts.Count == 0)
        {
            return new HashSet<Guid>();
        }

        return await PostgresTransaction.RunAsync(db, async (connection, token) =>
        {
            await using var batch = ByKeyBatch.On(connection);
            batch.BatchCommands.Add(StartCommand(starts));
            var started = new HashSet<Guid>();
            await using var reader = await batch.ExecuteReaderPastSettingAsync(token);
            while (await reader.ReadAsync(token))
            {
                started.Add(reader.GetGuid(1));
            }

            return (IReadOnlySet<Guid>)started;
        }, inTransaction: false, cancellationToken);
    }

    private static NpgsqlBatchCommand StartCommand(IReadOnlyCollection<JobStart> starts)
    {
        var ordered = starts.OrderBy(start => start.JobId).ToList();
        var command = new NpgsqlBatchCommand(JobSetRunningIfQueuedSql);
        command.Parameters.Add(Value(ordered.Select(start => start.JobId).ToArray()));
        command.Parameters.Add(Value(ordered.Select(start => start.WorkerId).ToArray()));
        command.Parameters.Add(Value(ordered.Select(start => start.Fence).ToArray()));
        command.Parameters.Add(Value(ordered.Select(start => start.LeaseToken).ToArray()));
        command.Parameters.Add(TimeArray(ordered.Select(start => (DateTimeOffset?)start.StartedAt.ToUniversalTime()).ToArray()));
        command.Parameters.Add(Value(ordered.Select(start => start.LeaseGrace).ToArray()));
        command.Parameters.Add(Value(ordered.Select(start => start.Attempt).ToArray()));
        return command;
    }

    /// <summary>
    /// Finishes attempts, whatever their outcome, each only while its lease token is current; an
    /// attempt whose start was never written (<see cref="JobFinish.Start"/>) is recorded whole,
    /// start and outcome, only while its job is queued behind an older fence. In the same
    /// transaction the dependents of the jobs that finished are released or cancelled by their
    /// policy. An attempt missing from <see cref="JobFinishResult.Finished"/> had lost its lease
    /// (or its job was cancelled before its start was written) and changed nothing.
    /// </summary>
    public async Task<JobFinishResult> JobFinishIfRunningAsync(IReadOnlyList<JobFinish> finishes, CancellationToken cancellationToken)
    {
        if (finishes.Count == 0)
        {
            return new JobFinishResult([], WorkflowChanges.None);
        }

        // Most jobs have no dependents: one implicit transaction finishes them. Those that have (or lost
        // their lease) are left; the ones still running are finished with their dependents.
        // In id order, so two batches never lock each other's rows crosswise.
        var now = clock.GetUtcNow();
        var ordered = finishes.OrderBy(finish => finish.JobId).ToList();
        // Those known to have dependents go straight to the transaction (the flag is never unset).
        var unknown = ordered.Where(finish => !finish.HasDependents).ToList();
        var alone = unknown.Count == 0 ? [] : await PostgresTransaction.RunAsync(
            db, (connection, token) => FinishAsync(connection, unknown, now, onlyWithoutDependents: true, token), inTransaction: false, cancellationToken);
        if (alone.Count == ordered.Count)
        {
            return new JobFinishResult(alone, WorkflowChanges.None);
        }

        var done = alone.Select(job => job.Id).ToHashSet();
        var rest = ordered.Where(finish => !done.Contains(finish.JobId)).ToList();
        var (finished, settled) = await PostgresTransaction.RunAsync(db, async (transaction, token) =>
        {
            // FinishAsync's setting (ByKeyBatch) holds to the commit: the settling's walks go by key too.
            var finished = await FinishAsync(transaction, rest, now, onlyWithoutDependents: false, token);
            var completed = finished.Where(job => job.Status == JobStatus.Completed).Select(job => job.Id).ToList();
            var failed = finished.Where(job => job.Status is JobStatus.DeadLettered or JobStatus.Cancelled).Select(job => job.Id).ToList();
            return (finished, await SettleDependentsAsync(transaction, completed, failed, null, now, token));
        }, inTransaction: true, cancellationToken, idempotent: true);
        var reprioritized = await SetEffectivePriorityAfterCommitAsync(settled.BoostSeeds);
        return new JobFinishResult([.. alone, .. finished], Changes(settled.Released, reprioritized));
    }

    private static async Task<List<FinishedJob>> FinishAsync(
        NpgsqlConnection connection, List<JobFinish> finishes, DateTimeOffset now, bool onlyWithoutDependents, CancellationToken cancellationToken)
    {
        // Attempts whose starts were never written are recorded whole, start and outcome in one
        // statement: one write for a short job. The others were running in PostgreSQL already.
        await using var batch = ByKeyBatch.On(connection);
        var unstarted = finishes.Where(finish => finish.Start is not null).ToList();
        var running = finishes.Where(finish => finish.Start is null).ToList();
        if (unstarted.Count > 0)
        {
            var command = OutcomeCommand(JobStartAndFinishIfQueuedSql, unstarted, now, onlyWithoutDependents);
            command.Parameters.Insert(1, Value(unstarted.Select(finish => finish.Start!.Value.WorkerId).ToArray()));
            command.Parameters.Insert(2, Value(unstarted.Select(finish => finish.Start!.Value.Fence).ToArray()));
            command.Parameters.Insert(3, TimeArray(unstarted.Select(finish => (DateTimeOffset?)finish.Start!.Value.StartedAt.ToUniversalTime()).ToArray()));
            command.Parameters.Insert(4, Value(unstarted.Select(finish => finish.Start!.Value.Attempt).ToArray()));
            batch.BatchCommands.Add(command);
        }

        if (running.Count > 0)
        {
            var command = OutcomeCommand(JobFinishIfRunningSql, running, now, onlyWithoutDependents);
            command.Parameters.Insert(1, Value(running.Select(finish => finish.LeaseToken).ToArray()));
            batch.BatchCommands.Add(command);
        }

        var finished = new List<FinishedJob>(finishes.Count);
        await using (var reader = await batch.ExecuteReaderPastSettingAsync(cancellationToken))
        {
            do
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    finished.Add(new FinishedJob(reader.GetGuid(0), JobStatusText.Parse(reader.GetString(1)), reader.GetInt16(2), reader.GetInt64(3)));
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
        }

        return finished;
    }

    /// <summary>
    /// The parameters the two finishing statements share: the ids first, then (after the
    /// statement's own, inserted by the caller) each outcome, now, and only_without_dependents.
    /// </summary>
    private static NpgsqlBatchCommand OutcomeCommand(string sql, List<JobFinish> finishes, DateTimeOffset now, bool onlyWithoutDependents)
    {
        var count = finishes.Count;
        var ids = new Guid[count];
        var statuses = new string[count];
        var executions = new string[count];
        var results = new string?[count];
        var errors = new string?[count];
        var retryAt = new DateTimeOffset?[count];
        var failures = new int[count];
        var crashes = new int[count];
        var reasons = new string?[count];
        for (var i = 0; i < count; i++)
        {
            var finish = finishes[i];
            ids[i] = finish.JobId;
            statuses[i] = JobStatusText.Of(finish.Status);
            executions[i] = ExecutionStatusText.Of(finish.Execution);
            results[i] = finish.ResultJson;
            errors[i] = finish.Error;
            retryAt[i] = finish.RetryAt?.ToUniversalTime();
            failures[i] = finish.CountsFailure ? 1 : 0;
            crashes[i] = finish.CountsCrash ? 1 : 0;
            reasons[i] = finish.Reason;
        }

        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(Value(ids));
        command.Parameters.Add(Value(statuses));
        command.Parameters.Add(Value(executions));
        command.Parameters.Add(JsonArray(results));
        command.Parameters.Add(TextArray(errors));
        command.Parameters.Add(TimeArray(retryAt));
        command.Parameters.Add(Value(failures));
        command.Parameters.Add(Value(crashes));
        command.Parameters.Add(TextArray(reasons));
        command.Parameters.Add(Time(now));
        command.Parameters.Add(Value(onlyWithoutDependents));
        return command;
    }

    /// <summary>
    /// Cancels a job that has not started, and (in the same transaction) its dependents by their
    /// policy. Returns the status and type it had, or null when it was not pending.
    /// </summary>
    public async Task<PendingCancelResult?> JobSetCancelledIfPendingAsync(Guid id, CancellationToken cancellationToken)
    {
        var cancelled = await PostgresTransaction.RunAsync<(string Previous, string Type, SettledDependents Settled)?>(db, async (connection, token) =>
        {
            var now = clock.GetUtcNow();
            await using var command = new NpgsqlCommand(JobSetCancelledIfPendingSql, connection);
            command.Parameters.Add(Value(id));
            command.Parameters.Add(Time(now));
            string previous, type;
            await using (var reader = await command.ExecuteReaderAsync(token))
            {
                if (!await reader.ReadAsync(token))
                {
                    return null;
                }

                (previous, type) = (reader.GetString(0), reader.GetString(1));
            }

            return (previous, type, await SettleDependentsAsync(connection, [], [id], null, now, token));
        }, cancellationToken);
        if (cancelled is not { } done)
        {
            return null;
        }

        var (previous, type, settled) = done;

        // A waiting job no longer lifts its ancestors, nor do the dependents its cancellation cancelled.
        var reprioritized = await SetEffectivePriorityAfterCommitAsync([id, .. settled.BoostSeeds]);
        return new PendingCancelResult(JobStatusText.Parse(previous), type, Changes(settled.Released, reprioritized));
    }

    /// <summary>Records a client's request to cancel a running job. False: it is not running.</summary>
    public Task<bool> JobSetCancelRequestedIfRunningAsync(Guid id, CancellationToken cancellationToken) =>
        AnyRowAsync(JobSetCancelRequestedIfRunningSql, cancellationToken, Value(id), Time(clock.GetUtcNow()));

    /// <summary>
    /// Requeues a dead letter with its retries restored, and brings back (waiting again) the jobs
    /// its failure cancelled. Returns its priority; null when it is not a dead letter.
    /// </summary>
    public Task<RequeueResult?> JobSetQueuedIfDeadLetteredAsync(Guid id, CancellationToken cancellationToken) =>
        PostgresTransaction.RunAsync(db, async (connection, token) =>
        {
            var now = clock.GetUtcNow();
            await using var command = new NpgsqlCommand(JobSetQueuedIfDeadLetteredSql, connection);
            command.Parameters.Add(Value(id));
            command.Parameters.Add(Time(now));
            if (await command.ExecuteScalarAsync(token) is not short priority)
            {
                return null;
            }

            var restored = await RestoreCancelledByAsync(connection, id, now, token);
            // A restored job with another parent that failed meanwhile follows its policy about it;
            // the requeued job's effective priority is computed afresh either way, as what lifted it
            // before it failed (a dependent that ran regardless) may wait for it no longer.
            var failedParents = restored.Count == 0 ? [] : await FailedParentsAsync(connection, restored, token);
            var workflow = await SettleAsync(connection, [], failedParents, restored, [.. restored, id], now, token);
            var lifted = workflow.Reprioritized.FirstOrDefault(job => job.Id == id);
            return new RequeueResult(lifted.Id == id ? lifted.Priority : priority, workflow);
        }, cancellationToken);

    /// <summary>
    /// Changes the priority of a job that has not finished, and recomputes, in the same
    /// transaction, its effective priority and those of the unfinished jobs it lifts (up or down).
    /// Returns what moved; null when the job is finished or unknown.
    /// </summary>
    public Task<WorkflowChanges?> JobSetPriorityIfUnfinishedAsync(Guid id, int priority, CancellationToken cancellationToken) =>
        PostgresTransaction.RunAsync(db, async (connection, token) =>
        {
            // The job and the jobs it lifts, locked in id order before it changes.
            await using (var lockCommand = new NpgsqlCommand(JobLockAncestorsSql, connection))
            {
                lockCommand.Parameters.Add(Value(new[] { id }));
                await lockCommand.ExecuteNonQueryAsync(token);
            }

            await using var command = new NpgsqlCommand(JobSetPriorityIfUnfinishedSql, connection);
            command.Parameters.Add(Value(id));
            command.Parameters.Add(Value((short)priority));
            command.Parameters.Add(Time(clock.GetUtcNow()));
            bool dispatchable;
            await using (var reader = await command.ExecuteReaderAsync(token))
            {
                if (!await reader.ReadAsync(token))
                {
                    return null;
                }

                dispatchable = reader.GetString(0) == "queued" && reader.GetBoolean(1);
            }

            var reprioritized = await SetEffectivePriorityAsync(connection, [id], token);
            if (dispatchable && reprioritized.All(job => job.Id != id))
            {
                // Its effective priority is now its new priority: its band may still have changed.
                reprioritized = [.. reprioritized, new QueuedJob(id, priority)];
            }

            return (WorkflowChanges?)new WorkflowChanges([], reprioritized);
        }, cancellationToken);

    /// <summary>
    /// Defers a queued job, read under <paramref name="lease"/>, that this worker cannot run while
    /// another can. False: it was not queued, or the lease is behind the job's fence.
    /// </summary>
    public Task<bool> JobSetScheduledIfQueuedAsync(JobLease lease, TimeSpan delay, string reason, CancellationToken cancellationToken) =>
        AnyRowAsync(JobSetScheduledIfQueuedSql, cancellationToken, Value(lease.JobId), Interval(delay), Value(reason), Time(clock.GetUtcNow()), Value(lease.Fence));

    /// <summary>
    /// Parks a queued job, read under <paramref name="lease"/>, that no live worker can run. False:
    /// it was not queued, was parked already, or the lease is behind the job's fence.
    /// </summary>
    public Task<bool> JobSetParkedIfQueuedAsync(JobLease lease, string error, CancellationToken cancellationToken) =>
        AnyRowAsync(JobSetParkedIfQueuedSql, cancellationToken, Value(lease.JobId), Value(error), Time(clock.GetUtcNow()), Value(lease.Fence));

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

/// <summary>What a finishing write did: the jobs it finished (a job missing lost its lease), and what followed in the graph.</summary>
public sealed record JobFinishResult(IReadOnlyList<FinishedJob> Finished, WorkflowChanges Workflow);

/// <summary>A pending job cancelled: the status it had, and what followed in the graph.</summary>
public sealed record PendingCancelResult(JobStatus Previous, string Type, WorkflowChanges Workflow);

/// <summary>A dead letter requeued: the priority it is dispatched at, and the jobs its failure had cancelled, now back.</summary>
public sealed record RequeueResult(int Priority, WorkflowChanges Workflow);
