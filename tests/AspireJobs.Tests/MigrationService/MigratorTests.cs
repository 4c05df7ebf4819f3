using AspireJobs.MigrationService;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.MigrationService;

public sealed class MigratorTests(TestServers servers) : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync() => _db = await servers.CreateEmptyDatabaseAsync();

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MigrateAsync_CreatesTheWholeSchema_OnAFreshDatabase()
    {
        var applied = await new Migrator(_db.DataSource).MigrateAsync(MigrationCatalog.Embedded, Token);

        Assert.Equal(MigrationCatalog.Embedded.Select(m => m.Version), applied.Select(m => m.Version));
        foreach (var table in new[] { "jobs", "job_dependencies", "job_executions", "job_events", "workers", "worker_health_logs", "health_anomalies", "state_snapshots", "state_snapshot_chunks", "job_event_horizon", "execution_vectors" })
        {
            Assert.True(await _db.ScalarAsync<bool>("SELECT to_regclass($1) IS NOT NULL", table), $"table {table} exists");
        }

        Assert.True(await _db.ScalarAsync<bool>("SELECT EXISTS (SELECT FROM pg_views WHERE viewname = 'dead_letters')"));
        Assert.Equal(MigrationCatalog.Embedded.Count, (int)await _db.ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
        Assert.Equal(MigrationCatalog.Embedded[0].Checksum, await _db.ScalarAsync<string>("SELECT checksum FROM schema_migrations WHERE version = 1"));
    }

    [Fact]
    public async Task MigrateAsync_TurnsJitOff_ForTheDatabasesNewSessions()
    {
        await using var before = Npgsql.NpgsqlDataSource.Create(_db.ConnectionString);
        Assert.Equal("on", await ShowJitAsync(before));

        await new Migrator(_db.DataSource).MigrateAsync(MigrationCatalog.Embedded, Token);

        await using var after = Npgsql.NpgsqlDataSource.Create(_db.ConnectionString);
        Assert.Equal("off", await ShowJitAsync(after));
    }

    [Fact]
    public async Task ATestsDatabase_CopiedFromTheMigratedTemplate_HasJitOffToo()
    {
        // A copy takes a template's schema, not the settings made on it: without them every test
        // ran its graph walks compiled (about half a second a statement), as no migrated system does.
        await using var copy = await servers.CreateDatabaseAsync();
        await using var sessions = Npgsql.NpgsqlDataSource.Create(copy.ConnectionString);

        Assert.Equal("off", await ShowJitAsync(sessions));
    }

    private static async Task<string> ShowJitAsync(Npgsql.NpgsqlDataSource db)
    {
        await using var show = db.CreateCommand("SHOW jit");
        return (string)(await show.ExecuteScalarAsync(Token))!;
    }

    [Fact]
    public async Task MigrateAsync_IsANoOp_WhenTheSchemaIsCurrent()
    {
        await new Migrator(_db.DataSource).MigrateAsync(MigrationCatalog.Embedded, Token);
        var firstAppliedAt = await _db.ScalarAsync<DateTime>("SELECT max(applied_at) FROM schema_migrations");

        var applied = await new Migrator(_db.DataSource).MigrateAsync(MigrationCatalog.Embedded, Token);

        Assert.Empty(applied);
        Assert.Equal(firstAppliedAt, await _db.ScalarAsync<DateTime>("SELECT max(applied_at) FROM schema_migrations"));
    }

    [Fact]
    public async Task MigrateAsync_AppliesEachMigrationOnce_WhenTwoRunConcurrently()
    {
        await using var other = Npgsql.NpgsqlDataSource.Create(_db.ConnectionString);
        var migrations = MigrationCatalog.Embedded;

        var runs = await Task.WhenAll(
            new Migrator(_db.DataSource).MigrateAsync(migrations, Token),
            new Migrator(other).MigrateAsync(migrations, Token));

        Assert.Equal(migrations.Count, runs.Sum(applied => applied.Count));
        Assert.Equal(migrations.Count, (int)await _db.ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task MigrateAsync_RefusesToRun_WhenAnAppliedMigrationWasEdited()
    {
        await new Migrator(_db.DataSource).MigrateAsync(MigrationCatalog.Embedded, Token);
        var edited = MigrationCatalog.Embedded
            .Select(m => m.Version == 1 ? m with { Sql = m.Sql + "\nCREATE TABLE sneaked_in (id int);" } : m)
            .ToList();

        var error = await Assert.ThrowsAsync<MigrationException>(() => new Migrator(_db.DataSource).MigrateAsync(edited, Token));

        Assert.Contains("0001_initial_schema.sql was edited", error.Message, StringComparison.Ordinal);
        Assert.False(await _db.ScalarAsync<bool>("SELECT to_regclass('sneaked_in') IS NOT NULL"));
    }

    [Fact]
    public async Task MigrateAsync_RefusesToRun_WhenTheDatabaseIsNewerThanTheBuild()
    {
        var newer = MigrationCatalog.Embedded.Append(new Migration(MigrationCatalog.Embedded.Count + 1, "from_the_future", "SELECT 1;")).ToList();
        await new Migrator(_db.DataSource).MigrateAsync(newer, Token);

        var error = await Assert.ThrowsAsync<MigrationException>(() => new Migrator(_db.DataSource).MigrateAsync(MigrationCatalog.Embedded, Token));

        Assert.Contains("newer build", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAsync_RollsBackAFailingMigrationWhole_AndRecordsNothingForIt()
    {
        var failing = MigrationCatalog.Embedded
            .Append(new Migration(MigrationCatalog.Embedded.Count + 1, "half_done", "CREATE TABLE half_done (id int); SELECT no_such_function();"))
            .ToList();

        var error = await Assert.ThrowsAsync<MigrationException>(() => new Migrator(_db.DataSource).MigrateAsync(failing, Token));

        Assert.Contains("half_done", error.Message, StringComparison.Ordinal);
        Assert.False(await _db.ScalarAsync<bool>("SELECT to_regclass('half_done') IS NOT NULL"));
        Assert.Equal(MigrationCatalog.Embedded.Count, (int)await _db.ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task AMigrationLongerThanTheConnectionsCommandTimeout_RunsToTheEnd()
    {
        // A migration over a large table takes as long as it takes: Npgsql's command timeout (30 s
        // unless the connection string says otherwise) is not its limit.
        await using var shortTimeout = Npgsql.NpgsqlDataSource.Create(_db.ConnectionString + ";Command Timeout=1");
        var slow = MigrationCatalog.Embedded.Append(new Migration(MigrationCatalog.Embedded.Count + 1, "slow", "SELECT pg_sleep(2.5);")).ToList();

        var applied = await new Migrator(shortTimeout).MigrateAsync(slow, Token);

        Assert.Equal("slow", applied[^1].Name);
    }

    [Fact]
    public async Task ARunWaitingForAnotherRunsLock_WaitsPastTheConnectionsCommandTimeout()
    {
        await using var shortTimeout = Npgsql.NpgsqlDataSource.Create(_db.ConnectionString + ";Command Timeout=1");
        await using var holder = await _db.DataSource.OpenConnectionAsync(Token);
        await using (var take = new Npgsql.NpgsqlCommand("SELECT pg_advisory_lock(hashtext('aspirejobs.migrations'))", holder))
        {
            await take.ExecuteNonQueryAsync(Token);
        }

        var waiting = new Migrator(shortTimeout).MigrateAsync(MigrationCatalog.Embedded, Token);
        // Once the run waits for the lock, it waits past its connection's timeout of 1 s.
        while (!waiting.IsCompleted && !await _db.ScalarAsync<bool>(
                   "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%pg_advisory_lock%' AND pid <> pg_backend_pid())"))
        {
            await Task.Delay(20, Token);
        }

        await Task.Delay(TimeSpan.FromSeconds(2), Token);
        Assert.False(waiting.IsCompleted, $"the run stopped waiting for the lock: {waiting.Exception?.InnerException?.Message}");
        await using (var release = new Npgsql.NpgsqlCommand("SELECT pg_advisory_unlock(hashtext('aspirejobs.migrations'))", holder))
        {
            await release.ExecuteNonQueryAsync(Token);
        }

        Assert.Equal(MigrationCatalog.Embedded.Count, (await waiting).Count);
    }
}
