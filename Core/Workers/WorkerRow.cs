using System.Text.Json;
using Npgsql;

namespace AspireJobs.Core.Workers;

/// <summary>Reads a <see cref="WorkerInfo"/> from the column list the worker queries share.</summary>
internal static class WorkerRow
{
    public static WorkerInfo Read(NpgsqlDataReader reader)
    {
        var metrics = reader.GetString(15);
        return new WorkerInfo(
            Id: reader.GetGuid(0),
            Name: reader.GetString(1),
            Host: reader.GetString(2),
            ProcessId: reader.GetInt32(3),
            Version: reader.GetString(4),
            JobTypes: reader.GetFieldValue<string[]>(5),
            Concurrency: reader.GetInt32(6),
            Status: WorkerStatusText.Parse(reader.GetString(7)),
            StartedAt: reader.GetFieldValue<DateTimeOffset>(8),
            LastHeartbeatAt: reader.GetFieldValue<DateTimeOffset>(9),
            StoppedAt: reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10),
            CurrentLoad: reader.GetInt32(11),
            JobsCompleted: reader.GetInt64(12),
            JobsFailed: reader.GetInt64(13),
            HealthScore: reader.IsDBNull(14) ? null : reader.GetFloat(14),
            Metrics: metrics == "{}" ? null : JsonSerializer.Deserialize(metrics, WorkerJson.Default.WorkerMetricsReport),
            DrainedByMonitor: reader.GetBoolean(16),
            ExitOrdered: reader.GetBoolean(17));
    }
}
