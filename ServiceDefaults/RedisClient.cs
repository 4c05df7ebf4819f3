using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace AspireJobs.ServiceDefaults;

/// <summary>
/// An <see cref="IConnectionMultiplexer"/> for a connection name, as Aspire.StackExchange.Redis
/// registers it: the connection string from <c>ConnectionStrings:&lt;name&gt;</c> in
/// StackExchange.Redis's format, and a readiness check named after the connection.
/// </summary>
public static class RedisClient
{
    public static IHostApplicationBuilder AddRedisClient(this IHostApplicationBuilder builder, string connectionName)
    {
        var options = Parse(ConnectionStrings.Require(builder.Configuration, connectionName), connectionName);

        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));

        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            connectionName,
            services => new RedisHealthCheck(services.GetRequiredService<IConnectionMultiplexer>()),
            failureStatus: null,
            tags: ["ready"]));

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

        // Keep retrying in the background instead of failing the first call: Redis may start
        // after the service, or restart under it, and the reconciler heals what was missed.
        options.AbortOnConnectFail = false;
        // Run socket I/O on the .NET thread pool rather than a dedicated pool of its own: fewer
        // threads and hand-offs per command in processes that are mostly waiting on Redis.
        options.SocketManager = SocketManager.ThreadPool;
        return options;
    }

    private sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await redis.GetDatabase().PingAsync();
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, exception: e);
            }
        }
    }
}
