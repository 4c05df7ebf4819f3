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
        var (exitCode, output) = await RunAsync();

        Assert.True(exitCode == 0, output);
        Assert.Equal(MigrationCatalog.Embedded.Count, (int)await _db.ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
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

    private Task<(int ExitCode, string Output)> RunAsync() =>
        BuiltService.RunAsync("MigrationService", new Dictionary<string, string?>
        {
            ["ConnectionStrings__jobsdb"] = _db.ConnectionString,
        }, ProcessTimeout);
}
