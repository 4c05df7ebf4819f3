using AspireJobs.Core.Recovery;
using AspireJobs.Core.Storage;
using AspireJobs.Core.Workflows;
using Npgsql;
using static AspireJobs.Core.Storage.NpgsqlParameters;

namespace AspireJobs.Core.Jobs;

/// <summary>
/// The dependency graph: dependents released or cancelled when their parents finish, effective
/// priorities raised and lowered, and the reads of the graph. The settling statements run inside
/// the transaction of the change that caused them.
/// </summary>
public sealed partial class JobStore
{
    private static readonly string JobSettleDependentsSql = EmbeddedFile.Core("JobSettleDependents.sql");
    private static readonly string JobLockAncestorsSql = EmbeddedFile.Core("JobLockAncestors.sql");
    private static readonly string JobSetEffectivePrioritySql = EmbeddedFile.Core("JobSetEffectivePriority.sql");
    private static readonly string JobGetFailedParentsSql = EmbeddedFile.Core("JobGetFailedParents.sql");
    private static readonly string JobHoldDependentsAgainSql = EmbeddedFile.Core("JobHoldDependentsAgain.sql");
    private static readonly string JobSetWaitingIfCancelledByDependencySql = EmbeddedFile.Core("JobSetWaitingIfCancelledByDependency.sql");
    private static readonly string JobGetGraphEdgesSql = EmbeddedFile.Core("JobGetGraphEdges.sql");
    private static readonly string JobGetGraphNodesSql = EmbeddedFile.Core("JobGetGraphNodes.sql");
    private static readonly string JobGetParentResultsSql = EmbeddedFile.Core("JobGetParentResults.sql");
    private static readonly string JobGetPrioritiesSql = EmbeddedFile.Core("JobGetPriorities.sql");

    /// <summary>Which of these jobs exist, with their own priorities.</summary>
    public async Task<IReadOnlyDictionary<Guid, int>> JobGetPrioritiesAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        var found = new Dictionary<Guid, int>();
        if (ids.Count == 0)
        {
            return found;
        }

        await using var command = db.CreateCommand(JobGetPrioritiesSql);
        command.Parameters.Add(Value(ids.ToArray()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found[reader.GetGuid(0)] = reader.GetInt16(1);
        }

        return found;
    }

    /// <summary>How the parents of these jobs ended, by job.</summary>
    public async Task<IReadOnlyDictionary<Guid, IReadOnlyList<ParentOutcome>>> JobGetParentResultsAsync(
        IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        var byJob = new Dictionary<Guid, IReadOnlyList<ParentOutcome>>();
        if (ids.Count == 0)
        {
            return byJob;
        }

        // Read as each dependent starts: by key, whatever the tables' size when the plan was made.
        await using var batch = ByKeyBatch.On(db);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(JobGetParentResultsSql) { Parameters = { Value(ids.ToArray()) } });
        await using var reader = await batch.ExecuteReaderPastSettingAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var jobId = reader.GetGuid(0);
            if (!byJob.TryGetValue(jobId, out var parents))
            {
                byJob[jobId] = parents = new List<ParentOutcome>();
            }

            ((List<ParentOutcome>)parents).Add(new ParentOutcome(
                reader.GetGuid(1), reader.GetString(2), JobStatusText.Parse(reader.GetString(3)),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return byJob;
    }

    /// <summary>A page of a job's ancestors, then its descendants, nearest first; null when there is no such job.</summary>
    public async Task<JobGraphPage?> JobGetGraphAsync(Guid id, JobGraphCursor after, int limit, CancellationToken cancellationToken)
    {
        if (await JobGetByIdAsync(id, cancellationToken) is not { } job)
        {
            return null;
        }

        var (above, below) = (new List<JobDependency>(), new List<JobDependency>());
        await using (var edges = db.CreateCommand(JobGetGraphEdgesSql))
        {
            edges.Parameters.Add(Value(id));
            await using var reader = await edges.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                (reader.GetInt32(0) == (int)JobRelation.Ancestor ? above : below).Add(new JobDependency(reader.GetGuid(1), reader.GetGuid(2)));
            }
        }

        var page = JobGraphPositions.Of(id, above, below).Where(position => position > after).Take(limit + 1).ToList();
        JobGraphCursor? next = null;
        if (page.Count > limit)
        {
            page.RemoveAt(limit);
            next = page[^1];
        }

        // A job purged between the two reads is left out; the cursor still leads past it.
        var placed = page.ToDictionary(position => position.Id);
        var nodes = new List<JobGraphNode>(page.Count);
        await using (var command = db.CreateCommand(JobGetGraphNodesSql))
        {
            command.Parameters.Add(Value(page.Select(position => position.Id).ToArray()));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var position = placed[reader.GetGuid(0)];
                nodes.Add(new JobGraphNode(
                    position.Relation, position.Depth, position.Id, reader.GetString(1), JobStatusText.Parse(reader.GetString(2)),
                    reader.GetInt16(3), reader.GetInt16(4), reader.GetFieldValue<Guid[]>(5)));
            }
        }

        return new JobGraphPage(job, nodes, next);
    }

    /// <summary>
    /// In the open transaction: settles the waiting dependents of parents that completed or failed
    /// (<see cref="SettleDependentsAsync"/>), then recomputes the effective priorities that
    /// depended on jobs that stopped waiting with parents still unfinished, and on
    /// <paramref name="priorityChanged"/>.
    /// </summary>
    private static async Task<WorkflowChanges> SettleAsync(
        NpgsqlConnection connection, List<Guid> completed, IReadOnlyList<Guid> failed,
        IReadOnlyList<Guid>? onlyDependents, IReadOnlyList<Guid> priorityChanged, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var settled = await SettleDependentsAsync(connection, completed, failed, onlyDependents, now, cancellationToken);
        List<Guid> boostSeeds = [.. priorityChanged, .. settled.BoostSeeds];
        var reprioritized = boostSeeds.Count > 0 ? await SetEffectivePriorityAsync(connection, boostSeeds, cancellationToken) : [];
        return Changes(settled.Released, reprioritized);
    }

    /// <summary>
    /// In the open transaction: settles the waiting dependents of parents that completed or failed
    /// (release, or their policy), level by level down the graph while the policy cancels.
    /// Returns the jobs released, and those whose leaving the wait may change effective priorities.
    /// </summary>
    private static async Task<SettledDependents> SettleDependentsAsync(
        NpgsqlConnection connection, List<Guid> completed, IReadOnlyList<Guid> failed,
        IReadOnlyList<Guid>? onlyDependents, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settled = new SettledDependents([], []);
        while (completed.Count > 0 || failed.Count > 0)
        {
            // Only the jobs this transaction itself cancelled pass the failure on: a concurrent
            // transaction that found them cancelled already settles nothing below them twice.
            var cancelled = new List<Guid>();
            await using (var command = new NpgsqlCommand(JobSettleDependentsSql, connection))
            {
                command.Parameters.Add(Value(completed.ToArray()));
                command.Parameters.Add(Value(failed.ToArray()));
                command.Parameters.Add(NullableIds(onlyDependents));
                command.Parameters.Add(Time(now));
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var id = reader.GetGuid(0);
                    switch (reader.GetString(1))
                    {
                        case "queued":
                            settled.Released.Add(new QueuedJob(id, reader.GetInt16(2)));
                            break;
                        case "cancelled":
                            cancelled.Add(id);
                            break;
                    }

                    if (reader.GetBoolean(3))
                    {
                        settled.BoostSeeds.Add(id);
                    }
                }
            }

            (completed, failed, onlyDependents) = ([], cancelled, null);
        }

        return settled;
    }

    /// <summary>
    /// After the commit of a transaction that settled dependents: recomputes the effective
    /// priorities its changes moved, in a transaction of its own. Inside the settling's own, this
    /// locked the other parents of a join it had cancelled, which their own finishes held while
    /// they waited for the join: parents of one join failing together deadlocked again and again,
    /// until a finish gave up. Whatever happens here, the settling is committed: a failure leaves
    /// a boost unlowered (an ancestor runs at the priority of a job that no longer waits for it),
    /// never an outcome unrecorded.
    /// </summary>
    private async Task<IReadOnlyList<QueuedJob>> SetEffectivePriorityAfterCommitAsync(List<Guid> boostSeeds)
    {
        if (boostSeeds.Count == 0)
        {
            return [];
        }

        try
        {
            return await PostgresTransaction.RunAsync(db, (connection, token) => SetEffectivePriorityAsync(connection, boostSeeds, token), CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Npgsql's failures, or its data source disposed as the process stops: the caller must
            // still hear of the commit, not of a failure that would read as the outcome's.
            return [];
        }
    }

    private static WorkflowChanges Changes(List<QueuedJob> released, IReadOnlyList<QueuedJob> reprioritized) =>
        released.Count == 0 && reprioritized.Count == 0 ? WorkflowChanges.None : new WorkflowChanges(released, reprioritized);

    /// <summary>What a settling changed: the dependents it released, and the jobs that left their wait with parents still unfinished.</summary>
    private sealed record SettledDependents(List<QueuedJob> Released, List<Guid> BoostSeeds);

    /// <summary>
    /// In the open transaction: locks the jobs around these whose effective priority may change,
    /// then recomputes it with a snapshot taken after the locks; returns the queued jobs whose changed.
    /// </summary>
    private static async Task<IReadOnlyList<QueuedJob>> SetEffectivePriorityAsync(
        NpgsqlConnection connection, IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        IReadOnlyList<Guid> locked;
        await using (var lockCommand = new NpgsqlCommand(JobLockAncestorsSql, connection))
        {
            lockCommand.Parameters.Add(Value(ids.ToArray()));
            locked = await ReadIdsAsync(lockCommand, cancellationToken);
        }

        if (locked.Count == 0)
        {
            return [];
        }

        await using var command = new NpgsqlCommand(JobSetEffectivePrioritySql, connection);
        command.Parameters.Add(Value(locked.ToArray()));
        var queued = new List<QueuedJob>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (reader.GetBoolean(2))
            {
                queued.Add(new QueuedJob(reader.GetGuid(0), reader.GetInt16(1)));
            }
        }

        return queued;
    }

    /// <summary>
    /// In the open transaction of a restore's batch, once its jobs are written: the jobs around
    /// them follow. Dependents that had counted done a parent the batch took out of a finished
    /// state wait for it again, and the jobs it put back to waiting (<paramref name="waiting"/>)
    /// follow their policy about parents that failed, as a new job does; the effective priorities
    /// around every job restored are computed afresh.
    /// <paramref name="restored"/>: every job the batch wrote, whose counts it took itself.
    /// </summary>
    internal static async Task<WorkflowChanges> FollowRestoredAsync(
        NpgsqlConnection connection, RestoredParents parents, IReadOnlyList<Guid> restored, IReadOnlyList<Guid> waiting,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (parents.Any)
        {
            await using var command = new NpgsqlCommand(JobHoldDependentsAgainSql, connection);
            command.Parameters.Add(Value(parents.FromCompleted.ToArray()));
            command.Parameters.Add(Value(parents.FromFailed.ToArray()));
            command.Parameters.Add(Value(restored.ToArray()));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        // The restored jobs took the snapshot's priorities, and began or stopped waiting: the boosts
        // around them are computed afresh, raised or lowered, whatever the snapshot held.
        var failedParents = waiting.Count == 0 ? [] : await FailedParentsAsync(connection, waiting, cancellationToken);
        return await SettleAsync(connection, [], failedParents, waiting, restored, now, cancellationToken);
    }

    private static NpgsqlParameter NullableIds(IReadOnlyList<Guid>? ids) =>
        ids is null
            ? new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid | NpgsqlTypes.NpgsqlDbType.Array, Value = DBNull.Value }
            : Value(ids.ToArray());

    /// <summary>In the open transaction: the parents of these jobs that ended dead_lettered or cancelled.</summary>
    private static async Task<IReadOnlyList<Guid>> FailedParentsAsync(
        NpgsqlConnection connection, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(JobGetFailedParentsSql, connection);
        command.Parameters.Add(Value(ids.ToArray()));
        return await ReadIdsAsync(command, cancellationToken);
    }

    /// <summary>In the open transaction: brings back the jobs a parent's failure cancelled; returns them.</summary>
    private static async Task<IReadOnlyList<Guid>> RestoreCancelledByAsync(
        NpgsqlConnection connection, Guid parent, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(JobSetWaitingIfCancelledByDependencySql, connection);
        command.Parameters.Add(Value(parent));
        command.Parameters.Add(Time(now));
        return await ReadIdsAsync(command, cancellationToken);
    }

    private static async Task<IReadOnlyList<Guid>> ReadIdsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }
}
