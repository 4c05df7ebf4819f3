using AspireJobs.Core.Workflows;
using Npgsql;

namespace AspireJobs.Core.Jobs;

/// <summary>
/// Reads a <see cref="Job"/> from the column list the job queries share: id, type, status,
/// priority, payload, result, error, attempts, max_retries, timeout_ms, depends_on, worker_id,
/// created_at, scheduled_at, started_at, completed_at, effective_priority, on_dependency_failure.
/// </summary>
internal static class JobRow
{
    /// <summary>How many columns a job takes; a query's own columns come after them.</summary>
    public const int ColumnCount = 18;

    public static Job Read(NpgsqlDataReader reader) => new(
        Id: reader.GetGuid(0),
        Type: reader.GetString(1),
        Status: JobStatusText.Parse(reader.GetString(2)),
        Priority: reader.GetInt16(3),
        PayloadJson: reader.GetString(4),
        ResultJson: reader.IsDBNull(5) ? null : reader.GetString(5),
        Error: reader.IsDBNull(6) ? null : reader.GetString(6),
        Attempts: reader.GetInt32(7),
        MaxRetries: reader.GetInt32(8),
        Timeout: TimeSpan.FromMilliseconds(reader.GetInt32(9)),
        DependsOn: reader.GetFieldValue<Guid[]>(10),
        WorkerId: reader.IsDBNull(11) ? null : reader.GetGuid(11),
        CreatedAt: reader.GetFieldValue<DateTimeOffset>(12),
        ScheduledAt: reader.GetFieldValue<DateTimeOffset>(13),
        StartedAt: reader.IsDBNull(14) ? null : reader.GetFieldValue<DateTimeOffset>(14),
        CompletedAt: reader.IsDBNull(15) ? null : reader.GetFieldValue<DateTimeOffset>(15),
        EffectivePriority: reader.GetInt16(16),
        OnDependencyFailure: DependencyFailurePolicyText.Parse(reader.GetString(17)));
}
