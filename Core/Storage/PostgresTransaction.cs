using Npgsql;

namespace AspireJobs.Core.Storage;

/// <summary>
/// Runs statements in one transaction. Statements that lock rows across a graph (a finish that
/// releases dependents and lowers ancestors' boosts) can meet in a deadlock, which PostgreSQL
/// breaks by aborting one side; that side runs again from the start, as nothing of it was kept.
/// </summary>
internal static class PostgresTransaction
{
    private const int MaxAttempts = 5;

    public static async Task<T> RunAsync<T>(
        NpgsqlDataSource db, Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            try
            {
                var result = await work(connection, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch (PostgresException e) when (attempt < MaxAttempts
                                              && e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                // Rolled back on dispose; go again.
            }
        }
    }
}
