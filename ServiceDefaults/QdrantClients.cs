using System.Data.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Qdrant.Client;

namespace AspireJobs.ServiceDefaults;

/// <summary>
/// The <see cref="QdrantClient"/> (gRPC) of a service, registered as Aspire.Qdrant.Client's
/// <c>AddQdrantClient</c> would (that package is not served here): from
/// <c>ConnectionStrings:&lt;name&gt;</c> in the form Aspire's Qdrant integration writes,
/// <c>Endpoint=http://host:6334;Key=...</c> (or a bare absolute URI), checked at start, with a
/// readiness check that asks Qdrant for its health.
/// </summary>
public static class QdrantClients
{
    /// <summary>The name the AppHost gives its Qdrant resource, and so the connection string's.</summary>
    public const string ConnectionName = "qdrant";

    /// <summary>
    /// The deadline of every call to Qdrant. Without one (the client's default), a Qdrant that
    /// takes connections and never answers (paused, or behind a dropped route) holds each call for
    /// good: a job's read waiting on its likely outcome, a search, the indexer's writes.
    /// </summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Whether the connection string is set at all: execution memory uses Qdrant only then.</summary>
    public static bool IsConfigured(IConfiguration configuration, string connectionName) =>
        !string.IsNullOrWhiteSpace(configuration.GetConnectionString(connectionName));

    /// <summary>Registers the client when <c>ConnectionStrings:&lt;name&gt;</c> is set; false when it is not.</summary>
    public static bool TryAddJobsQdrantClient(this IHostApplicationBuilder builder, string connectionName = ConnectionName)
    {
        if (!IsConfigured(builder.Configuration, connectionName))
        {
            return false;
        }

        builder.AddJobsQdrantClient(connectionName);
        return true;
    }

    public static IHostApplicationBuilder AddJobsQdrantClient(this IHostApplicationBuilder builder, string connectionName)
    {
        var (endpoint, key) = Parse(ConnectionStrings.Require(builder.Configuration, connectionName), connectionName);
        builder.Services.AddSingleton(services => new QdrantClient(endpoint, key, CallTimeout, services.GetService<ILoggerFactory>()));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            $"{connectionName}_check",
            services => new QdrantHealthCheck(services.GetRequiredService<QdrantClient>()),
            failureStatus: null,
            tags: null));
        return builder;
    }

    /// <summary>The endpoint and API key of a Qdrant connection string; a bad one stops the service in one line naming the key.</summary>
    public static (Uri Endpoint, string? Key) Parse(string connectionString, string connectionName)
    {
        if (Uri.TryCreate(connectionString, UriKind.Absolute, out var bare) && bare.Scheme is "http" or "https")
        {
            return (bare, null);
        }

        var parts = new DbConnectionStringBuilder();
        try
        {
            parts.ConnectionString = connectionString;
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException($"ConnectionStrings:{connectionName} is not a Qdrant connection string ({e.Message}). Expected Endpoint=http://host:6334;Key=....", e);
        }

        if (!parts.TryGetValue("Endpoint", out var endpointValue)
            || !Uri.TryCreate(endpointValue?.ToString(), UriKind.Absolute, out var endpoint)
            || endpoint.Scheme is not ("http" or "https"))
        {
            throw new ConfigurationException($"ConnectionStrings:{connectionName} names no http(s) Endpoint. Expected Endpoint=http://host:6334;Key=....");
        }

        var key = parts.TryGetValue("Key", out var keyValue) && keyValue?.ToString() is { Length: > 0 } text ? text : null;
        return (endpoint, key);
    }

    private sealed class QdrantHealthCheck(QdrantClient client) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var health = await client.HealthAsync(cancellationToken);
                return string.IsNullOrEmpty(health.Title) ? HealthCheckResult.Unhealthy("Qdrant answered without a title.") : HealthCheckResult.Healthy();
            }
            catch (Exception e) when (e is Grpc.Core.RpcException or HttpRequestException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy("Qdrant does not answer.", e);
            }
        }
    }
}
