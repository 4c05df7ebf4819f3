using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AspireJobs.ServiceDefaults;

/// <summary>
/// An <see cref="NpgsqlDataSource"/> for a connection name, as Aspire.Npgsql registers it: the
/// connection string from <c>ConnectionStrings:&lt;name&gt;</c>, tracing and metrics through
/// OpenTelemetry, and a readiness check named after the connection.
/// </summary>
public static class NpgsqlClient
{
    /// <param name="sessionsKeepNoState">
    /// The service leaves nothing on a session (no SET, LISTEN, advisory lock or temporary table),
    /// so a pooled connection need not be reset when it is returned: the reset is a statement of
    /// its own ahead of the next command, on every command of a busy service.
    /// </param>
    public static IHostApplicationBuilder AddNpgsqlDataSource(this IHostApplicationBuilder builder, string connectionName, bool sessionsKeepNoState = false)
    {
        var connectionString = Parse(ConnectionStrings.Require(builder.Configuration, connectionName), connectionName);
        var tuned = new NpgsqlConnectionStringBuilder(connectionString);
        // Name the process in pg_stat_activity (and so in pg_locks), unless the string names it already.
        tuned.ApplicationName ??= $"{builder.Environment.ApplicationName}:{Environment.ProcessId}";
        // Prepare the statements a service runs over and over, unless the string says otherwise:
        // planning them afresh each time cost PostgreSQL more than running them.
        if (!connectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase)
            && !connectionString.Contains("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            tuned.MaxAutoPrepare = 64;
            tuned.AutoPrepareMinUsages = 2;
        }

        if (sessionsKeepNoState)
        {
            tuned.NoResetOnClose = true;
        }

        connectionString = tuned.ConnectionString;

        builder.Services.AddSingleton(services => new NpgsqlDataSourceBuilder(connectionString)
            .UseLoggerFactory(services.GetService<ILoggerFactory>())
            .Build());

        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            connectionName,
            services => new NpgsqlHealthCheck(services.GetRequiredService<NpgsqlDataSource>()),
            failureStatus: null,
            tags: ["ready"]));

        return builder;
    }

    /// <summary>Checks the connection string's form at start, so a typo stops the service at once.</summary>
    public static string Parse(string connectionString, string connectionName)
    {
        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new ConfigurationException(
                $"ConnectionStrings:{connectionName} is not a PostgreSQL connection string ({e.Message}). Expected Host=...;Port=...;Username=...;Password=...;Database=....", e);
        }

        if (string.IsNullOrWhiteSpace(parsed.Host))
        {
            throw new ConfigurationException($"ConnectionStrings:{connectionName} names no Host. Expected Host=...;Port=...;Username=...;Password=...;Database=....");
        }

        return parsed.ConnectionString;
    }

    private sealed class NpgsqlHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var command = dataSource.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, exception: e);
            }
        }
    }
}
