using AspireJobs.Core.Dispatch;
using AspireJobs.Core.Storage;
using static AspireJobs.Core.Storage.NpgsqlParameters;

namespace AspireJobs.Core.Jobs;

/// <summary>What the health monitor's loops ask of the jobs: promotion, rescue, reconciliation, retention.</summary>
public sealed partial class JobStore
{
    private static readonly string JobSetQueuedIfDueSql = EmbeddedFile.Core("JobSetQueuedIfDue.sql");
    private static readonly string JobGetLeaseExpiredSql = EmbeddedFile.Core("JobGetLeaseExpired.sql");
    private static readonly string JobGetOrphanedSql = EmbeddedFile.Core("JobGetOrphaned.sql");
    private static readonly string JobGetUnrecordedLeasedSql = EmbeddedFile.Core("JobGetUnrecordedLeased.sql");
    private static readonly string JobCountDispatchStateSql = EmbeddedFile.Core("JobCountDispatchState.sql");
    private static readonly string JobGetQueuedPageSql = EmbeddedFile.Core("JobGetQueuedPage.sql");
    private static readonly string JobGetDispatchableSql = EmbeddedFile.Core("JobGetDispatchable.sql");
    private static readonly string JobGetRunningSql = EmbeddedFile.Core("JobGetRunning.sql");
    private static readonly string JobDeleteFinishedBeforeSql = EmbeddedFile.Core("JobDeleteFinishedBefore.sql");
    private static readonly string JobEventDeleteBeforeSql = EmbeddedFile.Core("JobEventDeleteBefore.sql");

    /// <summary>Queues up to <paramref name="limit"/> scheduled jobs that are due; each exactly once across promoters.</summary>
    public Task<IReadOnlyList<QueuedJob>> JobSetQueuedIfDueAsync(int limit, CancellationToken cancellationToken) =>
        DispatchableAsync(JobSetQueuedIfDueSql, cancellationToken, Value(limit), Time(clock.GetUtcNow()));

    /// <summary>Running jobs whose lease deadline passed, to finish as <see cref="JobFinish.LeaseExpired"/>.</summary>
    public Task<IReadOnlyList<RescueCandidate>> JobGetLeaseExpiredAsync(int limit, CancellationToken cancellationToken) =>
        RescueReadAsync(JobGetLeaseExpiredSql, row => new RescueCandidate(row.GetGuid(0), row.GetGuid(1), row.GetInt32(2)), cancellationToken, Time(clock.GetUtcNow()), Value(limit));

    /// <summary>Running jobs of workers declared dead or stopped, to finish as <see cref="OrphanedJob.Finish"/> says.</summary>
    public Task<IReadOnlyList<OrphanedJob>> JobGetOrphanedAsync(int limit, CancellationToken cancellationToken) =>
        RescueReadAsync(JobGetOrphanedSql, row => new OrphanedJob(row.GetGuid(0), row.GetGuid(1), row.GetInt32(2), row.GetBoolean(3)), cancellationToken, Value(limit));

    /// <summary>
    /// Of jobs under abandoned Redis leases, those the lease may have started unrecorded (see
    /// <c>JobGetUnrecordedLeased.sql</c>): each with its crashes so far, the number its attempt
    /// would have, and a new lease token under which to record it.
    /// </summary>
    public async Task<IReadOnlyList<UnrecordedAttempt>> JobGetUnrecordedLeasedAsync(IReadOnlyList<JobLease> leases, CancellationToken cancellationToken)
    {
        if (leases.Count == 0)
        {
            return [];
        }

        await using var command = db.CreateCommand(JobGetUnrecordedLeasedSql);
        command.Parameters.Add(Value(leases.Select(lease => lease.JobId).ToArray()));
        command.Parameters.Add(Value(leases.Select(lease => lease.Fence).ToArray()));
        var unrecorded = new List<UnrecordedAttempt>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            unrecorded.Add(new UnrecordedAttempt(reader.GetGuid(0), Guid.CreateVersion7(), reader.GetInt32(1), reader.GetInt32(2) + 1));
        }

        return unrecorded;
    }

    private async Task<IReadOnlyList<T>> RescueReadAsync<T>(string sql, Func<Npgsql.NpgsqlDataReader, T> read, CancellationToken cancellationToken, params Npgsql.NpgsqlParameter[] parameters)
    {
        await using var command = db.CreateCommand(sql);
        command.Parameters.AddRange(parameters);
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>How many jobs belong in a band, and how many run.</summary>
    public async Task<(long Queued, long Running)> JobCountDispatchStateAsync(CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobCountDispatchStateSql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>A page of the jobs that belong in a band and were created before <paramref name="createdBefore"/>, in id order after <paramref name="afterId"/>.</summary>
    public Task<IReadOnlyList<QueuedJob>> JobGetQueuedPageAsync(Guid afterId, int limit, DateTimeOffset createdBefore, CancellationToken cancellationToken) =>
        DispatchableAsync(JobGetQueuedPageSql, cancellationToken, Value(afterId), Value(limit), Time(createdBefore));

    /// <summary>Which of these ids belong in a band (queued, not parked), with the priority they are dispatched at.</summary>
    public async Task<IReadOnlyList<QueuedJob>> JobGetDispatchableAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken) =>
        await DispatchableAsync(JobGetDispatchableSql, cancellationToken, Value(ids.ToArray()), Time(null));

    /// <summary>Which of these ids are jobs that belong in a band and were created before <paramref name="createdBefore"/>.</summary>
    public async Task<IReadOnlyList<QueuedJob>> JobGetDispatchableCreatedBeforeAsync(IReadOnlyCollection<Guid> ids, DateTimeOffset createdBefore, CancellationToken cancellationToken) =>
        await DispatchableAsync(JobGetDispatchableSql, cancellationToken, Value(ids.ToArray()), Time(createdBefore));

    /// <summary>Which of these ids are running.</summary>
    public Task<IReadOnlySet<Guid>> JobGetRunningAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken) =>
        IdsAsync(JobGetRunningSql, ids, cancellationToken);

    /// <summary>Deletes up to <paramref name="limit"/> jobs that finished before <paramref name="cutoff"/>; returns how many.</summary>
    public async Task<int> JobDeleteFinishedBeforeAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobDeleteFinishedBeforeSql);
        command.Parameters.Add(Time(cutoff));
        command.Parameters.Add(Value(limit));
        command.Parameters.Add(Value(UuidV7.FirstAt(cutoff)));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes up to <paramref name="limit"/> transition events older than <paramref name="cutoff"/>; returns how many.</summary>
    public async Task<int> JobEventDeleteBeforeAsync(DateTimeOffset cutoff, int limit, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobEventDeleteBeforeSql);
        command.Parameters.Add(Time(cutoff));
        command.Parameters.Add(Value(limit));
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task<IReadOnlySet<Guid>> IdsAsync(string sql, IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(sql);
        command.Parameters.Add(Value(ids.ToArray()));
        var found = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add(reader.GetGuid(0));
        }

        return found;
    }
}
