using System.Data;
using AspireJobs.Core.Storage;
using Npgsql;

namespace AspireJobs.MigrationService;

/// <summary>
/// Brings a database's schema to the migrations given: under an advisory lock, checks every
/// applied migration against its file (an edited file is an error), then applies the missing
/// ones in order, each in its own transaction together with its record in schema_migrations.
/// Its statements have no command timeout (the commit keeps Npgsql's): a migration over a large
/// table takes as long as it takes, and a run waits for another's lock as long as that one works.
/// Npgsql's default (30 s, or the connection string's) would fail such a run, and every retry of
/// it, the same way.
/// </summary>
public sealed class Migrator(NpgsqlDataSource db)
{
    private static readonly string LockAcquireSql = Read("MigrationLockAcquire.sql");
    private static readonly string LockReleaseSql = Read("MigrationLockRelease.sql");
    private static readonly string CreateIfMissingSql = Read("SchemaMigrationsCreateIfMissing.sql");
    private static readonly string GetAllSql = Read("SchemaMigrationGetAll.sql");
    private static readonly string InsertSql = Read("SchemaMigrationInsert.sql");

    /// <summary>Applies what is missing; returns the migrations applied by this call, in order.</summary>
    /// <exception cref="MigrationException">The schema cannot be brought to these migrations.</exception>
    public async Task<IReadOnlyList<Migration>> MigrateAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, LockAcquireSql, cancellationToken);
        try
        {
            await ExecuteAsync(connection, CreateIfMissingSql, cancellationToken);
            var applied = await ReadAppliedAsync(connection, cancellationToken);
            var pending = Pending(migrations, applied);
            foreach (var migration in pending)
            {
                await ApplyAsync(connection, migration, cancellationToken);
            }

            return pending;
        }
        finally
        {
            // A session lost meanwhile (a restart of PostgreSQL) released its lock with it.
            if (connection.FullState == ConnectionState.Open)
            {
                await ExecuteAsync(connection, LockReleaseSql, CancellationToken.None);
            }
        }
    }

    /// <summary>The migrations still to apply, after checking the applied ones against their files.</summary>
    internal static IReadOnlyList<Migration> Pending(IReadOnlyList<Migration> migrations, IReadOnlyList<AppliedMigration> applied)
    {
        var known = migrations.ToDictionary(m => m.Version);
        foreach (var record in applied)
        {
            if (!known.TryGetValue(record.Version, out var migration))
            {
                throw new MigrationException(
                    $"The database has migration {record.Version:D4}_{record.Name}, which this build does not know: it was migrated by a newer build.");
            }

            if (migration.Checksum != record.Checksum)
            {
                throw new MigrationException(
                    $"Migration {migration.FileName} was edited after it was applied (checksum {record.Checksum[..12]}… applied, {migration.Checksum[..12]}… now). Applied migrations must not change: restore the file and add a new migration instead.");
            }
        }

        var newest = applied.Count == 0 ? 0 : applied.Max(a => a.Version);
        var pending = migrations.Where(m => applied.All(a => a.Version != m.Version)).ToList();
        if (pending.FirstOrDefault(m => m.Version < newest) is { } skipped)
        {
            throw new MigrationException(
                $"Migration {skipped.FileName} is missing from a database already at version {newest}: migrations must be applied in order.");
        }

        return pending;
    }

    private static async Task ApplyAsync(NpgsqlConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await using (var apply = new NpgsqlCommand(migration.Sql, connection, transaction) { CommandTimeout = 0 })
            {
                await apply.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = new NpgsqlCommand(InsertSql, connection, transaction) { CommandTimeout = 0 })
            {
                record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = migration.Version });
                record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = migration.Name });
                record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = migration.Checksum });
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        catch (PostgresException e) when (!e.IsTransient)
        {
            // A transient error (the server going away) is no fault of the migration's: left to the caller to try again.
            throw new MigrationException($"Migration {migration.FileName} failed and was rolled back: {e.MessageText} (SQLSTATE {e.SqlState}).", e);
        }
    }

    private static async Task<IReadOnlyList<AppliedMigration>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var applied = new List<AppliedMigration>();
        await using var command = new NpgsqlCommand(GetAllSql, connection) { CommandTimeout = 0 };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied.Add(new AppliedMigration(reader.GetInt32(0), reader.GetString(1), reader.GetString(2)));
        }

        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Read(string name) => EmbeddedFile.Read(typeof(Migrator).Assembly, "Sql/" + name);
}

/// <summary>A row of schema_migrations.</summary>
internal sealed record AppliedMigration(int Version, string Name, string Checksum);
