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
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = JsonSerializer.Serialize(sample.RunDurationsMs) });
        command.Parameters.Add(Real(sample.Prediction.SlopePerMinute));
        command.Parameters.Add(Value((float)sample.Prediction.FailureProbability));
        command.Parameters.Add(Real(sample.Prediction.TimeToFailure?.TotalSeconds));
        command.Parameters.Add(Value(RecommendedActionText.Of(sample.Prediction.RecommendedAction)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A worker's samples since <paramref name="since"/>, oldest first, at most the newest <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<HealthHistoryPoint>> WorkerHealthLogGetSinceAsync(Guid workerId, DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(WorkerHealthLogGetSinceSql);
        command.Parameters.Add(Value(workerId));
        command.Parameters.Add(Time(since));
        command.Parameters.Add(Value(limit));
        var points = new List<HealthHistoryPoint>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            points.Add(new HealthHistoryPoint(
                reader.GetFieldValue<DateTimeOffset>(0),
                reader.GetFloat(1),
                reader.IsDBNull(2) ? null : reader.GetFloat(2),
                reader.IsDBNull(3) ? null : reader.GetInt64(3),
                reader.IsDBNull(4) ? null : reader.GetFloat(4),
                JsonSerializer.Deserialize<Dictionary<string, double>>(reader.GetString(5)) ?? [],
                new Prediction(
                    reader.GetFloat(1),
                    reader.IsDBNull(6) ? null : reader.GetFloat(6),
                    reader.IsDBNull(8) ? null : TimeSpan.FromSeconds(reader.GetFloat(8)),
                    reader.GetFloat(7),
                    RecommendedActionText.Parse(reader.GetString(9)))));
        }

        return points;
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
        command.Parameters.Add(Value(anomalies.Select(a => a.Result.Value).ToArray()));
        command.Parameters.Add(Value(anomalies.Select(a => a.Result.Mean).ToArray()));
        command.Parameters.Add(Value(anomalies.Select(a => a.Result.StdDev).ToArray()));
        command.Parameters.Add(Value(anomalies.Select(a => a.Result.Z).ToArray()));
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
            anomalies.Add(new Anomaly(
                reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetDouble(5), reader.GetDouble(6), reader.GetDouble(7), reader.GetDouble(8), reader.GetFieldValue<DateTimeOffset>(9)));
        }

        return anomalies;
    }

    private static NpgsqlParameter Real(double? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Real, Value = value.HasValue ? (float)value.Value : DBNull.Value };
}
