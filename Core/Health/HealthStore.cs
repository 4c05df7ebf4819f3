using System.Text.Json;
using AspireJobs.Core.Storage;
using Npgsql;
using NpgsqlTypes;
using static AspireJobs.Core.Storage.NpgsqlParameters;

namespace AspireJobs.Core.Health;

/// <summary>Workers' health history and anomalies in PostgreSQL. One method per statement in <c>Sql/</c>.</summary>
public sealed class HealthStore(NpgsqlDataSource db)
{
    private static readonly string WorkerHealthLogInsertSql = EmbeddedFile.Core("WorkerHealthLogInsert.sql");
    private static readonly string WorkerHealthLogGetSinceSql = EmbeddedFile.Core("WorkerHealthLogGetSince.sql");
    private static readonly string WorkerHealthLogDeleteBeforeSql = EmbeddedFile.Core("WorkerHealthLogDeleteBefore.sql");
    private static readonly string HealthAnomalyInsertSql = EmbeddedFile.Core("HealthAnomalyInsert.sql");
    private static readonly string HealthAnomalyListSql = EmbeddedFile.Core("HealthAnomalyList.sql");
    private static readonly string HealthAnomalyGetLastingSql = EmbeddedFile.Core("HealthAnomalyGetLasting.sql");
    private static readonly string HealthAnomalySetEndedSql = EmbeddedFile.Core("HealthAnomalySetEnded.sql");

    public async Task WorkerHealthLogInsertAsync(HealthSample sample, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(WorkerHealthLogInsertSql);
        command.Parameters.Add(Value(sample.WorkerId));
        command.Parameters.Add(Value((float)sample.HealthScore));
        command.Parameters.Add(Real(sample.SuccessRate));
        command.Parameters.Add(Real(sample.DurationRatio));
        command.Parameters.Add(Real(sample.HeartbeatDeviationMs));
        command.Parameters.Add(Value(sample.CurrentLoad));
        command.Parameters.Add(Value(sample.JobsCompleted));
        command.Parameters.Add(Value(sample.JobsFailed));
        command.Parameters.Add(Value(sample.MemoryBytes));
        command.Parameters.Add(Value((float)sample.CpuPercent));
        command.Parameters.Add(Value((float)sample.GcPauseMs));
        command.Parameters.Add(Real(sample.ErrorRate));
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = JsonSerializer.Serialize(sample.RunDurationsMs, ColumnJson.Default.IReadOnlyDictionaryStringDouble) });
        command.Parameters.Add(Real(sample.Prediction.SlopePerMinute));
        command.Parameters.Add(Value((float)sample.Prediction.FailureProbability));
        command.Parameters.Add(Real(sample.Prediction.TimeToFailure?.TotalSeconds));
        command.Parameters.Add(Value(RecommendedActionText.Of(sample.Prediction.RecommendedAction)));
        command.Parameters.Add(Real(sample.GcPauseShare));
        command.Parameters.Add(Real(sample.CpuWaitShare));
        command.Parameters.Add(Text(sample.Prediction.Reason));
        command.Parameters.Add(Time(sample.ReportAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A worker's samples since <paramref name="since"/>, oldest first, at most the newest <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<HealthHistoryPoint>> WorkerHealthLogGetSinceAsync(Guid workerId, DateTimeOffset since, int limit, CancellationToken cancellationToken) =>
        (await WorkerHealthLogGetSinceAsync([workerId], since, limit, cancellationToken)).GetValueOrDefault(workerId) ?? [];

    /// <summary>Each worker's samples since <paramref name="since"/>, oldest first, at most the newest <paramref name="limit"/> of each; workers without any are left out.</summary>
    public async Task<IReadOnlyDictionary<Guid, IReadOnlyList<HealthHistoryPoint>>> WorkerHealthLogGetSinceAsync(
        IReadOnlyCollection<Guid> workerIds, DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(WorkerHealthLogGetSinceSql);
        command.Parameters.Add(Value(workerIds.ToArray()));
        command.Parameters.Add(Time(since));
        command.Parameters.Add(Value(limit));
        var history = new Dictionary<Guid, List<HealthHistoryPoint>>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var workerId = reader.GetGuid(0);
            if (!history.TryGetValue(workerId, out var points))
            {
                history[workerId] = points = [];
            }

            points.Add(new HealthHistoryPoint(
                reader.GetFieldValue<DateTimeOffset>(1),
                reader.GetFloat(2),
                reader.IsDBNull(3) ? null : reader.GetFloat(3),
                reader.IsDBNull(4) ? null : reader.GetInt64(4),
                reader.IsDBNull(5) ? null : reader.GetFloat(5),
                JsonSerializer.Deserialize(reader.GetString(6), ColumnJson.Default.DictionaryStringDouble) ?? [],
                new Prediction(
                    reader.GetFloat(2),
                    reader.IsDBNull(7) ? null : reader.GetFloat(7),
                    reader.IsDBNull(9) ? null : TimeSpan.FromSeconds(reader.GetFloat(9)),
                    reader.GetFloat(8),
                    RecommendedActionText.Parse(reader.GetString(10)))
                {
                    Reason = reader.IsDBNull(13) ? null : reader.GetString(13),
                })
            {
                GcPauseShare = reader.IsDBNull(11) ? null : reader.GetFloat(11),
                CpuWaitShare = reader.IsDBNull(12) ? null : reader.GetFloat(12),
                ReportAt = reader.IsDBNull(14) ? null : reader.GetFieldValue<DateTimeOffset>(14),
            });
        }

        return history.ToDictionary(worker => worker.Key, worker => (IReadOnlyList<HealthHistoryPoint>)worker.Value);
    }

    /// <summary>Deletes health samples and anomalies older than <paramref name="cutoff"/>.</summary>
    public async Task WorkerHealthLogDeleteBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(WorkerHealthLogDeleteBeforeSql);
        command.Parameters.Add(Time(cutoff));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task HealthAnomalyInsertAsync(IReadOnlyList<NewAnomaly> anomalies, CancellationToken cancellationToken)
    {
        if (anomalies.Count == 0)
        {
            return;
        }

        await using var command = db.CreateCommand(HealthAnomalyInsertSql);
        command.Parameters.Add(Value(anomalies.Select(a => a.WorkerId).ToArray()));
        command.Parameters.Add(Value(anomalies.Select(a => a.Metric).ToArray()));
        command.Parameters.Add(Value(anomalies.Select(a => a.Baseline).ToArray()));
        command.Parameters.Add(Value(anomalies.Select(a => a.Evidence.Value).ToArray()));
        command.Parameters.Add(Value(anomalies.Select(a => a.Evidence.Mean).ToArray()));
        command.Parameters.Add(Value(anomalies.Select(a => a.Evidence.StdDev).ToArray()));
        command.Parameters.Add(Value(anomalies.Select(a => a.Evidence.ZScore).ToArray()));
        command.Parameters.Add(Value(anomalies.Select(a => a.Evidence.Median).ToArray()));
        command.Parameters.Add(Value(anomalies.Select(a => a.Evidence.Spread).ToArray()));
        command.Parameters.Add(Value(anomalies.Select(a => a.Evidence.Deviation).ToArray()));
        command.Parameters.Add(Value(anomalies.Select(a => a.Evidence.Floor).ToArray()));
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Double, Value = anomalies.Select(a => a.Evidence.FleetMedian).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Anomalies, newest first; <paramref name="beforeId"/> is the previous page's cursor.</summary>
    public async Task<IReadOnlyList<Anomaly>> HealthAnomalyListAsync(Guid? workerId, long? beforeId, int limit, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(HealthAnomalyListSql);
        command.Parameters.Add(Nullable(workerId));
        command.Parameters.Add(Nullable(beforeId));
        command.Parameters.Add(Value(limit));
        var anomalies = new List<Anomaly>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var evidence = new AnomalyEvidence(
                Value: reader.GetDouble(5), Median: reader.GetDouble(10), Spread: reader.GetDouble(11), Mean: reader.GetDouble(6), StdDev: reader.GetDouble(7),
                ZScore: reader.GetDouble(8), Deviation: reader.GetDouble(12), Floor: reader.GetDouble(13), FleetMedian: reader.IsDBNull(14) ? null : reader.GetDouble(14));
            anomalies.Add(new Anomaly(
                reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), evidence, reader.GetFieldValue<DateTimeOffset>(9),
                reader.IsDBNull(15) ? null : reader.GetFieldValue<DateTimeOffset>(15)));
        }

        return anomalies;
    }

    /// <summary>The anomalies that have not ended, whichever monitor recorded them.</summary>
    public async Task<IReadOnlyList<LastingAnomaly>> HealthAnomalyGetLastingAsync(CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(HealthAnomalyGetLastingSql);
        var lasting = new List<LastingAnomaly>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            lasting.Add(new LastingAnomaly(reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3)));
        }

        return lasting;
    }

    public async Task HealthAnomalySetEndedAsync(IReadOnlyCollection<long> ids, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return;
        }

        await using var command = db.CreateCommand(HealthAnomalySetEndedSql);
        command.Parameters.Add(Value(ids.ToArray()));
        command.Parameters.Add(Time(endedAt));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlParameter Real(double? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Real, Value = value.HasValue ? (float)value.Value : DBNull.Value };
}
