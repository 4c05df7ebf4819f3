using Npgsql;

namespace AspireJobs.Core.Storage;

/// <summary>
/// Batches of statements that find rows by key, so that the plan a session settles on goes by key
/// whatever the tables' size then: the first statement turns sequential scans off until the
/// batch's transaction ends (Sql/SeqScansOffForTransaction.sql says why). It holds only if every
/// run of such a statement goes through here, since the setting is part of what its plan was made
/// under. That statement answers one empty row, which <see cref="ExecuteReaderPastSettingAsync"/> passes.
/// </summary>
public static class ByKeyBatch
{
    private static readonly string SeqScansOffSql = EmbeddedFile.Core("SeqScansOffForTransaction.sql");

    /// <summary>A batch on a connection, in its open transaction if it has one (where the setting then holds until the end).</summary>
    public static NpgsqlBatch On(NpgsqlConnection connection) => WithSetting(new NpgsqlBatch(connection));

    /// <summary>A batch on a pooled connection, in an implicit transaction of its own.</summary>
    public static NpgsqlBatch On(NpgsqlDataSource db) => WithSetting(db.CreateBatch());

    /// <summary>Runs the batch; the reader starts at the result of the first statement added after the setting.</summary>
    public static async Task<NpgsqlDataReader> ExecuteReaderPastSettingAsync(this NpgsqlBatch batch, CancellationToken cancellationToken)
    {
        var reader = await batch.ExecuteReaderAsync(cancellationToken);
        try
        {
            // A later statement's error surfaces here; the reader holds a pooled connection until disposed.
            await reader.NextResultAsync(cancellationToken);
            return reader;
        }
        catch
        {
            try
            {
                await reader.DisposeAsync();
            }
            catch (Exception)
            {
                // The statement's own error is the one to throw: it says what went wrong, and
                // whether the write is worth trying again (a finish is retried only when transient).
            }

            throw;
        }
    }

    private static NpgsqlBatch WithSetting(NpgsqlBatch batch)
    {
        batch.BatchCommands.Add(new NpgsqlBatchCommand(SeqScansOffSql));
        return batch;
    }
}
