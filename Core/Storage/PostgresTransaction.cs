using Npgsql;

namespace AspireJobs.Core.Storage;

/// <summary>
/// Runs statements in one transaction. Statements that lock rows across a graph (a finish that
/// releases dependents, a change of priority that lifts ancestors) can meet in a deadlock, which PostgreSQL
/// breaks by aborting one side; that side runs again from the start, as nothing of it was kept.
/// So does a transaction that failed for a passing reason (no connection slot free for a moment).
/// A transaction whose COMMIT went out and whose answer was lost with its connection is not run
/// again: it may have happened, and running it twice would meet its own work (a create its own
/// ids, a cancellation a job no longer pending). Its caller hears of the outage (the Api answers
/// 503, and a create's idempotency key makes the client's retry safe). Work that a second run
/// leaves as the first left it (<c>idempotent</c>: every write guarded by a lease token, or a
/// value set again) is run again, and so is a statement run alone (<c>inTransaction</c> false:
/// a start, a finish, both guarded); its caller reads a job the first run changed as no longer
/// its own.
/// </summary>
internal static class PostgresTransaction
{
    private const int MaxAttempts = 5;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>After a deadlock or a serialization failure: 5-25 ms, times the attempt, at random so the two sides part.</summary>
    private static TimeSpan ConflictDelay(int attempt) => TimeSpan.FromMilliseconds(Random.Shared.Next(5, 25) * attempt);

    public static Task<T> RunAsync<T>(
        NpgsqlDataSource db, Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        RunAsync(db, work, inTransaction: true, cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> on one connection, again from the start after a deadlock or
    /// a passing failure; in one transaction, or (<paramref name="inTransaction"/> false) as a
    /// single statement that is its own transaction. <paramref name="idempotent"/>: a transaction
    /// run a second time after a commit whose answer was lost changes nothing, so it is run again.
    /// </summary>
    public static async Task<T> RunAsync<T>(
        NpgsqlDataSource db, Func<NpgsqlConnection, CancellationToken, Task<T>> work, bool inTransaction, CancellationToken cancellationToken,
        bool idempotent = false)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var connection = await db.OpenConnectionAsync(cancellationToken);
            await using var transaction = inTransaction ? await connection.BeginTransactionAsync(cancellationToken) : null;
            var committing = false;
            try
            {
                var result = await work(connection, cancellationToken);
                if (transaction is not null)
                {
                    committing = true;
                    await transaction.CommitAsync(cancellationToken);
                }

                return result;
            }
            catch (NpgsqlException e) when (attempt < MaxAttempts && e.IsTransient && (!committing || idempotent || e is PostgresException))
            {
                // Rolled back on dispose; go again after a moment: a passing shortage needs it, and
                // so does a deadlock. Run again at once, the side PostgreSQL aborted took its first
                // row back before the other side reached it, and the two met again: five times in
                // a row, a second each, when two parents of one job failed together on a busy
                // machine. A random few milliseconds let the other side finish first.
                var conflict = e is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure };
                await Task.Delay(conflict ? ConflictDelay(attempt) : RetryDelay * attempt, cancellationToken);
            }
        }
    }
}
