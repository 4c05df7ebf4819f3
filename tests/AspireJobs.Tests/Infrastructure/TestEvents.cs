using Npgsql;

namespace AspireJobs.Tests.Infrastructure;

/// <summary>Events written straight into the transition log, for tests of the readers of its ids.</summary>
public static class TestEvents
{
    /// <summary>
    /// Logs one event of an unknown job in <paramref name="transaction"/>: it takes the next id at
    /// once, and is visible only if the transaction commits (a gap in the ids until then, for good
    /// if it rolls back).
    /// </summary>
    public static async Task LogInAsync(NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand(
            "INSERT INTO job_events (job_id, to_status) VALUES (gen_random_uuid(), 'queued')", transaction.Connection, transaction);
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }
}
