using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace AspireJobs.ServiceDefaults;

/// <summary>
/// The <see cref="IConnectionMultiplexer"/> of a service, registered by Aspire.StackExchange.Redis's
/// <c>AddRedisClient</c> (with its health check) after the connection string was checked here,
/// plus the options the dispatcher needs.
/// </summary>
public static class RedisClient
{
    /// <summary>Aspire.StackExchange.Redis's section, for all connections and (below it) for one.</summary>
    public const string Section = "Aspire:StackExchange:Redis";

    public static IHostApplicationBuilder AddJobsRedisClient(this IHostApplicationBuilder builder, string connectionName)
    {
        Parse(ConnectionStrings.Require(builder.Configuration, connectionName), connectionName);
        var tracingChosen = builder.Configuration[$"{Section}:DisableTracing"] is not null
            || builder.Configuration[$"{Section}:{connectionName}:DisableTracing"] is not null;
        builder.AddRedisClient(connectionName, settings =>
        {
            // A span per Redis command is off unless configuration turns it on: a worker's
            // acquisitions and heartbeats run outside any request, so each became a trace of its
            // own (thousands a second under load), and the command profiling behind the spans
            // held 40 MiB more in the Api at the benchmark's load.
            settings.DisableTracing = tracingChosen ? settings.DisableTracing : true;
        }, Tune);
        return builder;
    }

    /// <summary>Checks the connection string's form at start, so a typo stops the service at once.</summary>
    public static ConfigurationOptions Parse(string connectionString, string connectionName)
    {
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or RedisConnectionException)
        {
            throw new ConfigurationException(
                $"ConnectionStrings:{connectionName} is not a Redis connection string ({e.Message}). Expected host:port[,password=...].", e);
        }

        if (options.EndPoints.Count == 0)
        {
            throw new ConfigurationException($"ConnectionStrings:{connectionName} names no endpoint. Expected host:port[,password=...].");
        }

        Tune(options);
        return options;
    }

    internal static void Tune(ConfigurationOptions options)
    {
        // Keep retrying in the background instead of failing the first call: Redis may start
        // after the service, or restart under it, and the reconciler heals what was missed.
        options.AbortOnConnectFail = false;
        // Reconnect every half second while Redis is away, rather than backing off for seconds:
        // Redis is the dispatch index and the workers' liveness, and every service should be
        // back on a restarted Redis as soon as it answers.
        options.ReconnectRetryPolicy = new LinearRetry(500);
        // Run socket I/O on the .NET thread pool rather than a dedicated pool of its own: fewer
        // threads and hand-offs per command in processes that are mostly waiting on Redis.
        options.SocketManager = SocketManager.ThreadPool;
    }
}
