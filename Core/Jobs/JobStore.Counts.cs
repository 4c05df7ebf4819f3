using AspireJobs.Core.Storage;
using static AspireJobs.Core.Storage.NpgsqlParameters;

namespace AspireJobs.Core.Jobs;

/// <summary>
/// Counts per state and what moved lately, kept by the triggers of migration 0003 in ledgers that
/// the health monitor folds: reads that cost the same at ten jobs as at ten million.
/// </summary>
public sealed partial class JobStore
{
    private static readonly string JobCountByStateSql = EmbeddedFile.Core("JobCountByState.sql");
    private static readonly string JobCountFoldSql = EmbeddedFile.Core("JobCountFold.sql");
    private static readonly string JobCountReconcileSql = EmbeddedFile.Core("JobCountReconcile.sql");
    private static readonly string JobActivitySinceSql = EmbeddedFile.Core("JobActivitySince.sql");
    private static readonly string JobActivityDeleteBeforeSql = EmbeddedFile.Core("JobActivityDeleteBefore.sql");

    public async Task<JobCounts> JobCountByStateAsync(CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobCountByStateSql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new JobCounts(
            reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
            reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8));
    }

    /// <summary>Folds the ledgers of changes into the totals; returns how many ledger rows it folded.</summary>
    public async Task<long> JobCountFoldAsync(CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobCountFoldSql);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Counts jobs by scanning them, corrects the kept counts where they differ, and returns the corrections.</summary>
    public async Task<IReadOnlyList<JobCountDrift>> JobCountReconcileAsync(CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobCountReconcileSql);
        command.CommandTimeout = 0; // a scan of every job: as long as it takes
        var drift = new List<JobCountDrift>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            drift.Add(new JobCountDrift(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        }

        return drift;
    }

    /// <summary>What moved in each 10 seconds since <paramref name="since"/>, oldest first.</summary>
    public async Task<IReadOnlyList<JobActivity>> JobActivitySinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobActivitySinceSql);
        command.Parameters.Add(Time(since));
        var activity = new List<JobActivity>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            activity.Add(new JobActivity(
                reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
                reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6)));
        }

        return activity;
    }

    public async Task<int> JobActivityDeleteBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(JobActivityDeleteBeforeSql);
        command.Parameters.Add(Time(cutoff));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
