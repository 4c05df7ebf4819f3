using Microsoft.Extensions.Hosting;
using Npgsql;

namespace AspireJobs.ServiceDefaults;

/// <summary>
/// The <see cref="NpgsqlDataSource"/> of a service, registered by Aspire.Npgsql's
/// <c>AddNpgsqlDataSource</c> (with its health check, traces and metrics) after the connection
/// string was checked here: Aspire.Npgsql reads it only when the data source is first used, and a
/// service should stop at start, in one line that names the key, not on its first query.
/// </summary>
public static class NpgsqlClient
{
    /// <param name="sessionsKeepNoState">
    /// The service leaves nothing on a session (no SET, LISTEN, advisory lock or temporary table),
    /// so a pooled connection need not be reset when it is returned: the reset is a statement of
    /// its own ahead of the next command, on every command of a busy service.
    /// </param>
    public static IHostApplicationBuilder AddJobsNpgsqlDataSource(this IHostApplicationBuilder builder, string connectionName, bool sessionsKeepNoState = false)
    {
        var given = Parse(ConnectionStrings.Require(builder.Configuration, connectionName), connectionName);
        var applicationName = $"{builder.Environment.ApplicationName}:{Environment.ProcessId}";

        builder.AddNpgsqlDataSource(connectionName, configureDataSourceBuilder: dataSource =>
            Tune(dataSource.ConnectionStringBuilder, given, applicationName, sessionsKeepNoState));
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

    /// <summary>Our settings, each only where the connection string does not choose for itself.</summary>
    internal static void Tune(NpgsqlConnectionStringBuilder settings, string given, string applicationName, bool sessionsKeepNoState)
    {
        // Name the process in pg_stat_activity (and so in pg_locks).
        settings.ApplicationName ??= applicationName;

        // Prepare the statements a service runs over and over: planning them afresh each time
        // cost PostgreSQL more than running them.
        if (!given.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            settings.MaxAutoPrepare = 64;
            settings.AutoPrepareMinUsages = 2;
        }

        if (sessionsKeepNoState && !given.Contains("No Reset On Close", StringComparison.OrdinalIgnoreCase))
        {
            settings.NoResetOnClose = true;
        }
    }
}
