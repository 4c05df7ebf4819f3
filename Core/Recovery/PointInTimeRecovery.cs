using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Storage;
using Npgsql;
using static AspireJobs.Core.Storage.NpgsqlParameters;

namespace AspireJobs.Core.Recovery;

/// <summary>
/// Puts jobs back as they were at a moment: each job's state then is its state now with the
/// transitions logged since undone (<see cref="EventReplay"/>), and the jobs that were waiting,
/// scheduled, queued or running then (running ones run again) are restored by
/// <see cref="JobRestorer"/>, with its dry run, modes and guards. A job with no transition since
/// is as it was. Reaches back as far as the log is complete; before that,
/// <see cref="EventsNotKeptException"/>.
/// </summary>
public sealed class PointInTimeRecovery(NpgsqlDataSource db, JobRestorer restorer)
{
    private static readonly string EventsSinceSql = EmbeddedFile.Core("JobEventsSince.sql");
    private static readonly string HorizonSql = EmbeddedFile.Core("JobEventHorizonGet.sql");

    public async Task<RestoreReport> RecoverAsync(DateTimeOffset at, RestoreRequest request, CancellationToken cancellationToken)
    {
        await using (var horizon = db.CreateCommand(HorizonSql))
        {
            var keptSince = (DateTime)(await horizon.ExecuteScalarAsync(cancellationToken))!;
            if (keptSince != DateTime.MinValue && at < new DateTimeOffset(keptSince, TimeSpan.Zero))
            {
                throw new EventsNotKeptException(at, new DateTimeOffset(keptSince, TimeSpan.Zero));
            }
        }

        var why = new JsonObject { ["reason"] = "point-in-time recovery", ["at"] = at.UtcDateTime };
        return await restorer.RestoreAsync(TargetsAsync(at, request.Filter, cancellationToken), request, why, cancellationToken);
    }

    /// <summary>Every job's state at <paramref name="at"/> that differs from now, one job's events in memory at a time.</summary>
    private async IAsyncEnumerable<StagedRecord> TargetsAsync(DateTimeOffset at, RestoreFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(EventsSinceSql);
        command.Parameters.Add(Time(at));
        command.Parameters.Add(Text(filter.Type));
        command.Parameters.Add(JobRestorer.StatusArray(filter.StatusNow));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<JobEvent>();
        (Guid Id, JobState? Now) job = default;
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetGuid(0);
            if (id != job.Id && events.Count > 0 && Then(job.Id, job.Now, events, filter) is { } done)
            {
                yield return done;
            }

            if (id != job.Id)
            {
                events.Clear();
                job = (id, ReadNow(reader));
            }

            events.Add(ReadEvent(reader));
        }

        if (events.Count > 0 && Then(job.Id, job.Now, events, filter) is { } last)
        {
            yield return last;
        }
    }

    private static StagedRecord? Then(Guid id, JobState? now, List<JobEvent> since, RestoreFilter filter)
    {
        if (now is null || EventReplay.Undo(now, since) is not { } then)
        {
            return null;
        }

        var target = RestoreTarget.Of(id, then.Status, then.Priority, then.EffectivePriority, then.Attempts, then.Failures, then.Crashes, then.ScheduledAt);
        return target.Status is JobStatus.Waiting or JobStatus.Scheduled or JobStatus.Queued && filter.AdmitsThen(then.Status)
            ? new StagedRecord(0, true, target)
            : null;
    }

    private static JobState? ReadNow(NpgsqlDataReader reader)
    {
        if (reader.IsDBNull(11))
        {
            return null;
        }

        var status = JobStatusText.Parse(reader.GetString(12));
        return new JobState(status, reader.GetInt16(13), reader.GetInt16(14), reader.GetInt32(15), reader.GetInt32(16),
            reader.GetInt32(17), reader.GetInt32(18), reader.GetFieldValue<DateTimeOffset>(19));
    }

    private static JobEvent ReadEvent(NpgsqlDataReader reader)
    {
        JobStatus? from = null;
        if (!reader.IsDBNull(2) && JobStatusText.TryParse(reader.GetString(2), out var parsed))
        {
            from = parsed;
        }

        var to = JobStatusText.Parse(reader.GetString(3));
        return new JobEvent(
            reader.GetInt64(1), from, to,
            reader.IsDBNull(4) ? null : reader.GetInt32(4),
            reader.GetFieldValue<DateTimeOffset>(5),
            reader.IsDBNull(6) ? null : reader.GetString(6),
            reader.IsDBNull(7) ? null : reader.GetString(7),
            reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
            reader.IsDBNull(9) ? null : reader.GetInt32(9),
            reader.IsDBNull(10) ? null : reader.GetInt32(10),
            reader.IsDBNull(20) ? null : reader.GetFieldValue<DateTimeOffset>(20));
    }
}
