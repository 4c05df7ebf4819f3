using Microsoft.Extensions.Options;
using Npgsql;

namespace AspireJobs.MigrationService;

/// <summary>
/// Runs the migrations once and stops the process: exit code 0 when the schema is current,
/// 2 when it cannot be made current (the reason in one line), 1 when the database cannot be
/// reached, 3 when it was stopped before the schema was current (a migration under way is
/// rolled back whole). Every other service waits for this one to exit 0.
/// </summary>
public sealed partial class MigrationWorker(
    Migrator migrator,
    IOptions<MigrationOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<MigrationWorker> logger) : BackgroundService
{
    public const int SchemaErrorExitCode = 2;
    public const int UnreachableExitCode = 1;
    public const int StoppedExitCode = 3;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var applied = await MigrateWhenReachableAsync(stoppingToken);
            var names = applied.Count == 0 ? "none" : string.Join(", ", applied.Select(m => m.FileName));
            LogCurrent(MigrationCatalog.Embedded.Count, names);
        }
        catch (MigrationException e)
        {
            LogSchemaError(e.Message);
            Environment.ExitCode = SchemaErrorExitCode;
        }
        catch (NpgsqlException e) when (!stoppingToken.IsCancellationRequested)
        {
            LogUnreachable(e.Message);
            Environment.ExitCode = UnreachableExitCode;
        }
        catch (Exception e) when (stoppingToken.IsCancellationRequested && e is OperationCanceledException or NpgsqlException)
        {
            // Stopped (Ctrl+C, the dashboard's Stop) while it waited or migrated: the services
            // waiting for it must not start on a schema that is not current.
            LogStopped();
            Environment.ExitCode = StoppedExitCode;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    // PostgreSQL may still be starting, or be restarted while the migrations run (each commits
    // with its version, so a run cut short resumes where it stopped): a server away for a moment
    // is worth trying again for a while.
    private async Task<IReadOnlyList<Migration>> MigrateWhenReachableAsync(CancellationToken stoppingToken)
    {
        var deadline = DateTime.UtcNow + options.Value.ConnectTimeout;
        while (true)
        {
            try
            {
                return await migrator.MigrateAsync(MigrationCatalog.Embedded, stoppingToken);
            }
            catch (NpgsqlException e) when (e.IsTransient && DateTime.UtcNow < deadline)
            {
                LogRetrying(e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL is away; trying again: {Reason}")]
    private partial void LogRetrying(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema is current at version {Version}; applied now: {Applied}")]
    private partial void LogCurrent(int version, string applied);

    [LoggerMessage(Level = LogLevel.Error, Message = "Schema not migrated: {Reason}")]
    private partial void LogSchemaError(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopped before the schema was current")]
    private partial void LogStopped();

    [LoggerMessage(Level = LogLevel.Error, Message = "PostgreSQL unreachable: {Reason}")]
    private partial void LogUnreachable(string reason);
}
