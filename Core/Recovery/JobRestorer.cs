using System.Text.Json.Nodes;
using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Snapshots;
using AspireJobs.Core.Storage;
using AspireJobs.Core.Workflows;
using Npgsql;
using NpgsqlTypes;
using static AspireJobs.Core.Storage.NpgsqlParameters;

namespace AspireJobs.Core.Recovery;

/// <summary>
/// Puts jobs back in earlier states, for snapshot restores and point-in-time recovery alike. The
/// targets are copied into a temporary table and compared with the jobs in one ordered read; each
/// job's fate is <see cref="RestoreDecision"/>'s. A dry run stops at the diff. Applied, a full
/// snapshot is taken first (the restore's undo), then jobs are written in batches of
/// <see cref="BatchSize"/>, each batch one short transaction whose every row is guarded by the
/// state the plan saw: live traffic waits for at most one batch, and a job that moved meanwhile
/// stays as it moved. The dependents of the jobs a batch takes out of a finished state follow in
/// its transaction, and a job put back to waiting that depends on others of the restore comes
/// after them. Restored queued jobs go back to their Redis bands after each batch.
/// </summary>
public sealed class JobRestorer(NpgsqlDataSource db, SnapshotStore snapshots, JobDispatcher dispatcher, RedisFollowUp followUp, TimeProvider clock)
{
    public const int BatchSize = 1_000;

    private static readonly string RecordsCreateSql = EmbeddedFile.Core("RestoreRecordsCreate.sql");
    private static readonly string PlanSql = EmbeddedFile.Core("RestorePlan.sql");
    private static readonly string ApplySql = EmbeddedFile.Core("RestoreApply.sql");
    private static readonly string EdgesAmongSql = EmbeddedFile.Core("RestoreEdgesAmong.sql");
    private static readonly string LockParentsSql = EmbeddedFile.Core("RestoreLockParents.sql");

    /// <summary>Plans, and with <see cref="RestoreRequest.Apply"/> applies, a restore to <paramref name="records"/>; <paramref name="why"/> goes into every restored job's event.</summary>
    public async Task<RestoreReport> RestoreAsync(IAsyncEnumerable<StagedRecord> records, RestoreRequest request, JsonObject why, CancellationToken cancellationToken)
    {
        var report = new RestoreReport(request.Mode, request.ExampleLimit);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand(RecordsCreateSql, connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await StageAsync(connection, records, cancellationToken);
        if (request.Apply)
        {
            var undo = await snapshots.TakeAsync(SnapshotKind.Full, SnapshotReason.BeforeRestore, "before restore", cancellationToken);
            report.UndoSnapshotId = undo.Id;
            report.Applied = true;
        }

        why["mode"] = RestoreModeText.Of(request.Mode);
        var batch = new List<(RestoreTarget Target, JobNow Now)>(BatchSize);
        var dependents = new List<(RestoreTarget Target, JobNow Now)>();
        var dependentsQueued = new List<Guid>();
        await using (var plan = new NpgsqlCommand(PlanSql, connection))
        {
            plan.Parameters.Add(Text(request.Filter.Type));
            plan.Parameters.Add(StatusArray(request.Filter.StatusNow));

            await using var reader = await plan.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var (target, now, underATarget) = ReadPlanRow(reader);
                var action = RestoreDecision.Decide(request.Mode, target, now);
                report.Add(target, now, action);
                if (request.Apply && action == RestoreAction.Restore)
                {
                    (underATarget ? dependents : batch).Add((target, now!));
                    if (underATarget && now!.Status == JobStatus.Queued)
                    {
                        dependentsQueued.Add(target.Id);
                    }

                    if (batch.Count == BatchSize)
                    {
                        await TakeOutOfBandsAsync(dependentsQueued);
                        await ApplyAsync(batch, why, report, cancellationToken);
                    }
                }
            }
        }

        await TakeOutOfBandsAsync(dependentsQueued);
        if (batch.Count > 0)
        {
            await ApplyAsync(batch, why, report, cancellationToken);
        }

        // Then the jobs that wait for others of the restore, each after its parents among them.
        foreach (var job in await ParentsFirstAsync(connection, dependents, cancellationToken))
        {
            batch.Add(job);
            if (batch.Count == BatchSize)
            {
                await ApplyAsync(batch, why, report, cancellationToken);
            }
        }

        if (batch.Count > 0)
        {
            await ApplyAsync(batch, why, report, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return report;
    }

    /// <summary>A text[] of states, or null for any.</summary>
    internal static NpgsqlParameter StatusArray(IReadOnlyList<JobStatus>? statuses) =>
        new() { NpgsqlDbType = NpgsqlDbType.Text | NpgsqlDbType.Array, Value = (object?)statuses?.Select(JobStatusText.Of).ToArray() ?? DBNull.Value };

    private static async Task StageAsync(NpgsqlConnection connection, IAsyncEnumerable<StagedRecord> records, CancellationToken cancellationToken)
    {
        await using var import = await connection.BeginBinaryImportAsync(
            "COPY restore_records (seq, job_id, pending, status, priority, effective_priority, attempts, failures, crashes, run_at) FROM STDIN (FORMAT BINARY)",
            cancellationToken);
        await foreach (var (seq, pending, target) in records.WithCancellation(cancellationToken))
        {
            await import.StartRowAsync(cancellationToken);
            await import.WriteAsync(seq, NpgsqlDbType.Integer, cancellationToken);
            await import.WriteAsync(target.Id, NpgsqlDbType.Uuid, cancellationToken);
            await import.WriteAsync(pending, NpgsqlDbType.Boolean, cancellationToken);
            await import.WriteAsync(JobStatusText.Of(target.Status), NpgsqlDbType.Text, cancellationToken);
            await import.WriteAsync((short)target.Priority, NpgsqlDbType.Smallint, cancellationToken);
            await import.WriteAsync((short)target.EffectivePriority, NpgsqlDbType.Smallint, cancellationToken);
            await import.WriteAsync(target.Attempts, NpgsqlDbType.Integer, cancellationToken);
            await import.WriteAsync(target.Failures, NpgsqlDbType.Integer, cancellationToken);
            await import.WriteAsync(target.Crashes, NpgsqlDbType.Integer, cancellationToken);
            await import.WriteAsync(target.RunAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
        }

        await import.CompleteAsync(cancellationToken);
    }

    /// <summary>
    /// Queued jobs that the restore puts back to waiting after the rest, taken out of their bands
    /// before the batches ahead of them, so that no worker runs one meanwhile, before a parent put
    /// back (one a worker holds already is left to it, as <see cref="LeaveLeasedJobsAsync"/> says).
    /// Any the restore leaves queued after all is pushed again by the reconciler.
    /// </summary>
    private async Task TakeOutOfBandsAsync(List<Guid> jobs)
    {
        if (jobs.Count > 0)
        {
            await followUp.TryAsync(() => dispatcher.DequeueAsync(jobs), $"{jobs.Count} restored jobs out of their bands");
            jobs.Clear();
        }
    }

    /// <summary>These jobs, each after its parents among them (read from their edges).</summary>
    private static async Task<IEnumerable<(RestoreTarget Target, JobNow Now)>> ParentsFirstAsync(
        NpgsqlConnection connection, List<(RestoreTarget Target, JobNow Now)> jobs, CancellationToken cancellationToken)
    {
        if (jobs.Count < 2)
        {
            return jobs;
        }

        var places = new Dictionary<Guid, int>(jobs.Count);
        for (var i = 0; i < jobs.Count; i++)
        {
            places[jobs[i].Target.Id] = i;
        }

        var parents = jobs.Select(_ => new List<int>()).ToArray();
        await using var command = new NpgsqlCommand(EdgesAmongSql, connection);
        command.Parameters.Add(Value(places.Keys.ToArray()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            parents[places[reader.GetGuid(0)]].Add(places[reader.GetGuid(1)]);
        }

        return BatchGraph.Order(parents).Select(place => jobs[place]);
    }

    private static (RestoreTarget Target, JobNow? Now, bool UnderATarget) ReadPlanRow(NpgsqlDataReader reader)
    {
        var status = JobStatusText.Parse(reader.GetString(1));
        var target = new RestoreTarget(
            reader.GetGuid(0), status, reader.GetInt16(2), reader.GetInt16(3), reader.GetInt32(4),
            reader.GetInt32(5), reader.GetInt32(6), reader.GetFieldValue<DateTimeOffset>(7));
        var underATarget = reader.GetBoolean(13);
        if (reader.IsDBNull(8))
        {
            return (target, null, underATarget);
        }

        var statusNow = JobStatusText.Parse(reader.GetString(9));
        var now = new JobNow(
            reader.GetString(8), statusNow, reader.GetInt16(10), reader.GetInt32(11), reader.GetFieldValue<DateTimeOffset>(12),
            reader.GetInt32(14), reader.GetInt32(15), reader.GetBoolean(16));
        return (target, now, underATarget);
    }

    private async Task ApplyAsync(List<(RestoreTarget Target, JobNow Now)> batch, JsonObject why, RestoreReport report, CancellationToken cancellationToken)
    {
        report.ChangedMeanwhile += await LeaveLeasedJobsAsync(batch);
        var (restored, workflow) = await PostgresTransaction.RunAsync(db, (connection, token) => WriteAsync(connection, batch, why, token), cancellationToken);

        report.Restored += restored.Count;
        report.ChangedMeanwhile += batch.Count - restored.Count;
        batch.Clear();
        // The jobs restored to queued, and those their dependents' policies released, in one
        // follow-up, each in the band of its priority as recomputed: a job restored to queued may
        // still sit in the band of the priority it had before, so it is moved as well as pushed.
        var recomputed = workflow.Reprioritized.ToDictionary(job => job.Id, job => job.Priority);
        var queued = restored.Where(job => job.Status == JobStatus.Queued)
            .Select(job => new QueuedJob(job.Id, recomputed.GetValueOrDefault(job.Id, job.EffectivePriority))).ToList();
        var queuedIds = queued.Select(job => job.Id).ToHashSet();
        var changes = new WorkflowChanges(
            [.. queued, .. workflow.Released],
            [.. queued, .. workflow.Reprioritized.Where(job => !queuedIds.Contains(job.Id))]);
        if (changes.Released.Count > 0 || changes.Reprioritized.Count > 0)
        {
            await followUp.TryAsync(() => dispatcher.ApplyAsync(changes), $"{changes.Released.Count} restored or released jobs back in their bands");
        }
    }

    /// <summary>In one transaction: the batch's jobs put back, and the jobs around them following (<see cref="JobStore.FollowRestoredAsync"/>).</summary>
    private async Task<(List<RestoredJob> Restored, WorkflowChanges Workflow)> WriteAsync(
        NpgsqlConnection connection, List<(RestoreTarget Target, JobNow Now)> batch, JsonObject why, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var toPending = batch.Where(b => b.Target.Status is JobStatus.Waiting or JobStatus.Queued or JobStatus.Scheduled).Select(b => b.Target.Id).ToArray();
        if (toPending.Length > 0)
        {
            await using var lockParents = new NpgsqlCommand(LockParentsSql, connection);
            lockParents.Parameters.Add(Value(toPending));
            await lockParents.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = new NpgsqlCommand(ApplySql, connection);
        command.Parameters.Add(Value(batch.Select(b => b.Target.Id).ToArray()));
        command.Parameters.Add(TextArray([.. batch.Select(b => JobStatusText.Of(b.Now.Status))]));
        command.Parameters.Add(Value(batch.Select(b => b.Now.Attempts).ToArray()));
        command.Parameters.Add(TextArray([.. batch.Select(b => JobStatusText.Of(b.Target.Status))]));
        command.Parameters.Add(Value(batch.Select(b => (short)b.Target.Priority).ToArray()));
        command.Parameters.Add(Value(batch.Select(b => (short)b.Target.EffectivePriority).ToArray()));
        command.Parameters.Add(Value(batch.Select(b => b.Target.Failures).ToArray()));
        command.Parameters.Add(Value(batch.Select(b => b.Target.Crashes).ToArray()));
        command.Parameters.Add(TimeArray([.. batch.Select(b => (DateTimeOffset?)b.Target.RunAt)]));
        command.Parameters.Add(Time(now));
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = why.ToJsonString() });

        var restored = new List<RestoredJob>();
        var parents = new RestoredParents();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var job = new RestoredJob(reader.GetGuid(0), JobStatusText.Parse(reader.GetString(1)), reader.GetInt16(2));
                restored.Add(job);
                if (reader.GetBoolean(4))
                {
                    parents.Add(job.Id, JobStatusText.Parse(reader.GetString(3)), job.Status);
                }
            }
        }

        var waiting = restored.Where(job => job.Status == JobStatus.Waiting).Select(job => job.Id).ToList();
        var workflow = await JobStore.FollowRestoredAsync(connection, parents, [.. restored.Select(job => job.Id)], waiting, now, cancellationToken);
        return (restored, workflow);
    }

    private readonly record struct RestoredJob(Guid Id, JobStatus Status, short EffectivePriority);

    /// <summary>
    /// A queued job that a worker leased a moment ago runs on its lease alone, its start not yet
    /// written (<c>Worker:StartWindow</c>): PostgreSQL still says queued, and its guard cannot see
    /// the run. Jobs leaving <c>queued</c> are taken out of their bands first, so that no worker can
    /// take them now; those a worker already holds are then left to it, as running jobs are. A job
    /// with parents may leave <c>queued</c> for <c>waiting</c> though put back to queued (a parent
    /// unfinished now), so it is taken out too; one that stays queued is pushed again.
    /// Returns how many were left. Without Redis no lease can be seen, and the fence tokens keep a
    /// run that lost its job from writing anything.
    /// </summary>
    private async Task<int> LeaveLeasedJobsAsync(List<(RestoreTarget Target, JobNow Now)> batch)
    {
        var leaving = batch.Where(b => b.Now.Status == JobStatus.Queued && (b.Target.Status != JobStatus.Queued || b.Now.HasParents)).Select(b => b.Target.Id).ToList();
        IReadOnlyList<HeldLease> held = [];
        if (leaving.Count == 0
            || !await followUp.TryAsync(async () => { await dispatcher.DequeueAsync(leaving); held = await dispatcher.LeasesOfAsync(leaving); }, $"{leaving.Count} restored jobs out of their bands"))
        {
            return 0;
        }

        var leased = held.Select(h => h.Lease.JobId).ToHashSet();
        return batch.RemoveAll(b => leased.Contains(b.Target.Id));
    }
}
