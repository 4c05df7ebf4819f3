using Microsoft.Extensions.DependencyInjection;

namespace AspireJobs.AppHost.Infrastructure.LocalRedis;

/// <summary>
/// <c>AddLocalRedis</c>: Aspire's <c>AddRedis(...).WithPersistence()</c> for a machine without a
/// container runtime. Loopback only, a generated password kept in the directory, append-only
/// persistence there, and a health check named <c>&lt;name&gt;_check</c>.
/// </summary>
public static class LocalRedisBuilderExtensions
{
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(this IDistributedApplicationBuilder builder, string name, string directory)
    {
        directory = Path.GetFullPath(directory);
        var password = builder.AddParameter($"{name}-password", GeneratedSecret.ReadOrCreate(Path.Combine(directory, "password")), secret: true);
        var redis = new LocalRedisResource(name, directory, password.Resource);

        string? connectionString = null;
        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().AddRedis(
            _ => connectionString ?? throw new InvalidOperationException($"{name}'s connection string is not available yet."),
            name: healthCheck);

        return builder.AddResource(redis)
            .WithEndpoint(name: LocalRedisResource.PrimaryEndpointName, scheme: "redis", isProxied: false)
            .WithArgs(context =>
            {
                context.Args.Add(redis.ConfigFile);
                context.Args.Add("--port");
                context.Args.Add(redis.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
            })
            .WithIconName("Memory")
            .WithHealthCheck(healthCheck)
            .OnConnectionStringAvailable(async (resource, _, cancellationToken) =>
                connectionString = await resource.ConnectionStringExpression.GetValueAsync(cancellationToken))
            .OnBeforeResourceStarted(async (resource, _, cancellationToken) =>
                RedisServerConfig.Write(resource.Directory, await resource.PasswordParameter.GetValueAsync(cancellationToken) ?? ""));
    }
}
