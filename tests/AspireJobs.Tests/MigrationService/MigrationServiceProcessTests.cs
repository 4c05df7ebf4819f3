using AspireJobs.MigrationService;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.MigrationService;

/// <summary>The MigrationService as the AppHost runs it: a process whose exit code gates every other service.</summary>
public sealed class MigrationServiceProcessTests(TestServers servers) : IAsyncLifetime
{
    private static readonly TimeSpan ProcessTimeout = TimeSpan.FromSeconds(90);
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync() => _db = await servers.CreateEmptyDatabaseAsync();

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task Exits0_AfterMigratingAFreshDatabase()
    {
        await AssertMigratedWholeAsync(RunAsync());
    }

    [Fact]
    public async Task ExitsWithTheSchemaErrorCode_AndSaysWhy_WhenAnAppliedMigrationWasEdited()
    {
        await new Migrator(_db.DataSource).MigrateAsync(MigrationCatalog.Embedded, TestContext.Current.CancellationToken);
        await _db.ExecuteAsync("UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE version = 1");

        var (exitCode, output) = await RunAsync();

        Assert.Equal(MigrationWorker.SchemaErrorExitCode, exitCode);
        Assert.Contains("0001_initial_schema.sql was edited after it was applied", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exits0_WhenItsSessionIsEndedWhileItRuns()
    {
        // The migration lock held here keeps the run waiting in its session, which is then ended as
        // a PostgreSQL restart ends it (57P01); the run tries again once the lock is free.
        await using var holder = await _db.DataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using (var take = new Npgsql.NpgsqlCommand("SELECT pg_advisory_lock(hashtext('aspirejobs.migrations'))", holder))
        {
            await take.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var run = RunAsync();
        var session = await WaitingSessionAsync("%pg_advisory_lock%", run);
        Assert.True(await _db.ScalarAsync<bool>("SELECT pg_terminate_backend($1)", session));
        await using (var release = new Npgsql.NpgsqlCommand("SELECT pg_advisory_unlock(hashtext('aspirejobs.migrations'))", holder))
        {
            await release.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await AssertMigratedWholeAsync(run);
    }

    [Fact]
    public async Task Exits0_WhenItsSessionIsEndedInTheMiddleOfAMigration()
    {
        // The schema up to the last migration that alters workers; that table locked here, so the
        // run waits inside that migration, holding the migration lock, when its session is ended.
        var target = MigrationCatalog.Embedded.Last(m => m.Sql.Contains("ALTER TABLE workers", StringComparison.Ordinal));
        await new Migrator(_db.DataSource).MigrateAsync([.. MigrationCatalog.Embedded.Where(m => m.Version < target.Version)], TestContext.Current.CancellationToken);
        await using var holder = await _db.DataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using var transaction = await holder.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await using (var take = new Npgsql.NpgsqlCommand("LOCK TABLE workers IN ACCESS EXCLUSIVE MODE", holder, transaction))
        {
            await take.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var run = RunAsync();
        var session = await WaitingSessionAsync("%ALTER TABLE workers%", run);
        Assert.True(await _db.ScalarAsync<bool>("SELECT pg_terminate_backend($1)", session));
        await transaction.RollbackAsync(TestContext.Current.CancellationToken);

        await AssertMigratedWholeAsync(run);
    }

    [Fact]
    public async Task ExitsWithTheStoppedCode_NotZero_WhenStoppedBeforeTheSchemaIsCurrent()
    {
        // Held here, the migration lock keeps the run waiting; a stop (SIGTERM, as the AppHost and
        // the dashboard's Stop send) then ends it with nothing migrated: what waits for it must not start.
        await using var holder = await _db.DataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using (var take = new Npgsql.NpgsqlCommand("SELECT pg_advisory_lock(hashtext('aspirejobs.migrations'))", holder))
        {
            await take.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using var service = ServiceProcess.Launch("MigrationService", new Dictionary<string, string?>
        {
            ["ConnectionStrings__jobsdb"] = _db.ConnectionString,
        });
        await WaitingSessionAsync("%pg_advisory_lock%", service.Exited);

        var exitCode = await service.StopAsync(TimeSpan.FromSeconds(30));

        Assert.True(exitCode == MigrationWorker.StoppedExitCode, $"exit code {exitCode}: {service.Output()}");
        Assert.True(service.Printed("Stopped before the schema was current"), service.Output());
        Assert.False(await _db.ScalarAsync<bool>("SELECT to_regclass('jobs') IS NOT NULL"));
    }

    /// <summary>The run exited 0, and every migration of the build is recorded.</summary>
    private async Task AssertMigratedWholeAsync(Task<(int ExitCode, string Output)> run)
    {
        var (exitCode, output) = await run;
        Assert.True(exitCode == 0, output);
        Assert.Equal(MigrationCatalog.Embedded.Count, (int)await _db.ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
    }

    /// <summary>The session of the run that waits for a lock in a statement like <paramref name="query"/>.</summary>
    private async Task<int> WaitingSessionAsync(string query, Task run)
    {
        var deadline = DateTime.UtcNow + ProcessTimeout;
        int? session;
        while ((session = await _db.ScalarAsync<int?>(
                   "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1", query)) is null
               && !run.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.True(session is not null, $"the run never waited in a statement like {query}");
        return session.Value;
    }

    private Task<(int ExitCode, string Output)> RunAsync() =>
        BuiltService.RunAsync("MigrationService", new Dictionary<string, string?>
        {
            ["ConnectionStrings__jobsdb"] = _db.ConnectionString,
        }, ProcessTimeout);
}
