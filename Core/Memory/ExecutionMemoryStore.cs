using AspireJobs.Core.Jobs;
using AspireJobs.Core.Storage;
using Npgsql;
using static AspireJobs.Core.Storage.NpgsqlParameters;

namespace AspireJobs.Core.Memory;

/// <summary>An attempt that just finished, as the indexer reads it from the log.</summary>
public sealed record FinishedAttempt(
    long EventId, Guid JobId, int Attempt, string JobType, JobStatus JobStatusAfter, ExecutionStatus Status,
    string? Error, TimeSpan? Duration);

/// <summary>
/// A page of the log: the finished attempts in it, the id to read on from, and the log as it
/// stood just after the page was read (for <see cref="JobEventLogSettling"/>).
/// </summary>
public sealed record FinishedAttemptPage(IReadOnlyList<FinishedAttempt> Attempts, long LastEventId, int EventsRead, JobEventLogMark Mark);

/// <summary>What a search shows of an attempt it found.</summary>
public sealed record ExecutionMatchDetail(Guid JobId, int Attempt, string JobType, JobStatus JobStatus, int JobAttempts, string? Error);

/// <summary>A job and its latest attempt that ran to an end, if any.</summary>
public sealed record LatestFinishedExecution(
    string JobType, JobStatus JobStatus, int JobAttempts, int? Attempt, ExecutionStatus? Status, string? Error, TimeSpan? Duration)
{
    /// <summary>The attempt's outcome as memory names it (a failed last attempt of a dead letter is dead-lettered).</summary>
    public ExecutionOutcome? Outcome => (Attempt, Status) switch
    {
        (null, _) or (_, null) => null,
        (_, ExecutionStatus.Completed) => ExecutionOutcome.Completed,
        (var attempt, _) when attempt == JobAttempts && JobStatus == JobStatus.DeadLettered => ExecutionOutcome.DeadLettered,
        (_, ExecutionStatus.TimedOut) => ExecutionOutcome.TimedOut,
        _ => ExecutionOutcome.Failed,
    };
}

/// <summary>
/// What execution memory reads from and writes to PostgreSQL besides the vectors themselves:
/// the indexer's cursor over <c>job_events</c>, the finished attempts after it, and the details
/// a search shows. One method per statement in <c>Sql/</c>.
/// </summary>
public sealed class ExecutionMemoryStore(NpgsqlDataSource db)
{
    private static readonly string JobEventCursorGetSql = EmbeddedFile.Core("JobEventCursorGet.sql");
    private static readonly string JobEventCursorSetSql = EmbeddedFile.Core("JobEventCursorSet.sql");
    private static readonly string JobEventGetAfterSql = EmbeddedFile.Core("JobEventGetAfter.sql");
    private static readonly string FinishedAttemptGetSql = EmbeddedFile.Core("FinishedAttemptGet.sql");
    private static readonly string ExecutionMatchGetSql = EmbeddedFile.Core("ExecutionMatchGet.sql");
    private static readonly string ExecutionGetLatestFinishedSql = EmbeddedFile.Core("ExecutionGetLatestFinished.sql");

    public async Task<long> JobEventCursorGetAsync(string name, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobEventCursorGetSql);
        command.Parameters.Add(Text(name));
        return await command.ExecuteScalarAsync(cancellationToken) is long id ? id : 0;
    }

    public async Task JobEventCursorSetAsync(string name, long lastEventId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobEventCursorSetSql);
        command.Parameters.Add(Text(name));
        command.Parameters.Add(Value(lastEventId));
        command.Parameters.Add(Time(now));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> events after <paramref name="afterEventId"/>, and the attempts
    /// that finished in them, in log order. The page ends before a gap in the ids (a transaction
    /// that may still commit) unless the ids missing there are at or below
    /// <paramref name="settledThrough"/>, or the event after the gap was stamped before
    /// <paramref name="gapsBefore"/>. A mark of the log is read in the same round trip, after the
    /// page.
    /// A completed attempt is looked up only if <paramref name="mayRememberCompleted"/> says its
    /// job may be remembered (most are not, and the lookup is most of the read's cost).
    /// </summary>
    public async Task<FinishedAttemptPage> FinishedAttemptGetAfterAsync(
        long afterEventId, int limit, DateTimeOffset gapsBefore, long settledThrough, Func<Guid, bool> mayRememberCompleted, CancellationToken cancellationToken)
    {
        var finishes = new List<(long EventId, Guid JobId, int Attempt, JobStatus After)>();
        var last = afterEventId;
        var read = 0;
        JobEventLogMark mark;
        await using (var batch = ByKeyBatch.On(db))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(JobEventGetAfterSql)
            {
                Parameters = { Value(afterEventId), Value(limit), Time(gapsBefore), Value(settledThrough) },
            });
            batch.BatchCommands.Add(new NpgsqlBatchCommand(JobEventLogMark.Sql));
            await using var reader = await batch.ExecuteReaderPastSettingAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                read++;
                last = reader.GetInt64(0);
                if (reader.IsDBNull(2) || !reader.GetBoolean(3))
                {
                    continue; // not a finish
                }

                var after = JobStatusText.Parse(reader.GetString(4));
                var jobId = reader.GetGuid(1);
                if (after != JobStatus.Completed || mayRememberCompleted(jobId))
                {
                    finishes.Add((last, jobId, reader.GetInt32(2), after));
                }
            }

            await reader.NextResultAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            mark = JobEventLogMark.Read(reader);
        }

        return new FinishedAttemptPage(await FinishedAttemptGetAsync(finishes, cancellationToken), last, read, mark);
    }

    private async Task<IReadOnlyList<FinishedAttempt>> FinishedAttemptGetAsync(
        List<(long EventId, Guid JobId, int Attempt, JobStatus After)> finishes, CancellationToken cancellationToken)
    {
        if (finishes.Count == 0)
        {
            return [];
        }

        await using var batch = ByKeyBatch.On(db);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(FinishedAttemptGetSql)
        {
            Parameters = { Value(finishes.Select(finish => finish.JobId).ToArray()), Value(finishes.Select(finish => finish.Attempt).ToArray()) },
        });
        var found = new Dictionary<(Guid, int), (ExecutionStatus Status, string? Error, TimeSpan? Duration, string Type)>(finishes.Count);
        await using (var reader = await batch.ExecuteReaderPastSettingAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var started = reader.GetFieldValue<DateTimeOffset>(4);
                DateTimeOffset? finished = reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5);
                found[(reader.GetGuid(0), reader.GetInt32(1))] = (
                    ExecutionStatusText.Parse(reader.GetString(2)), reader.IsDBNull(3) ? null : reader.GetString(3), finished - started, reader.GetString(6));
            }
        }

        // In log order; an attempt whose job is gone is left out.
        var attempts = new List<FinishedAttempt>(found.Count);
        foreach (var (eventId, jobId, attempt, after) in finishes)
        {
            if (found.TryGetValue((jobId, attempt), out var f))
            {
                attempts.Add(new FinishedAttempt(eventId, jobId, attempt, f.Type, after, f.Status, f.Error, f.Duration));
            }
        }

        return attempts;
    }

    public async Task<IReadOnlyList<ExecutionMatchDetail>> ExecutionMatchGetAsync(IReadOnlyList<(Guid JobId, int Attempt)> attempts, CancellationToken cancellationToken)
    {
        if (attempts.Count == 0)
        {
            return [];
        }

        await using var command = db.CreateCommand(ExecutionMatchGetSql);
        command.Parameters.Add(Value(attempts.Select(a => a.JobId).ToArray()));
        command.Parameters.Add(Value(attempts.Select(a => a.Attempt).ToArray()));
        var details = new List<ExecutionMatchDetail>(attempts.Count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            details.Add(new ExecutionMatchDetail(
                reader.GetGuid(0), reader.GetInt32(1), reader.GetString(2), JobStatusText.Parse(reader.GetString(3)),
                reader.GetInt32(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return details;
    }

    /// <summary>The job and its latest attempt that ran to an end; null when there is no such job.</summary>
    public async Task<LatestFinishedExecution?> ExecutionGetLatestFinishedAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(ExecutionGetLatestFinishedSql);
        command.Parameters.Add(Value(jobId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var ran = reader.IsDBNull(3) ? (int?)null : reader.GetInt32(3);
        TimeSpan? duration = ran is null || reader.IsDBNull(7)
            ? null
            : reader.GetFieldValue<DateTimeOffset>(7) - reader.GetFieldValue<DateTimeOffset>(6);
        return new LatestFinishedExecution(
            reader.GetString(0), JobStatusText.Parse(reader.GetString(1)), reader.GetInt32(2),
            ran, ran is null ? null : ExecutionStatusText.Parse(reader.GetString(4)),
            ran is null || reader.IsDBNull(5) ? null : reader.GetString(5), duration);
    }
}
