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
        var password = builder.AddParameter($"{name}-password", RedisServerConfig.ReadOrCreatePassword(directory), secret: true);
        var redis = new LocalRedisResource(name, directory, password.Resource);

        return builder.AddResource(redis)
            .WithEndpoint(name: LocalRedisResource.PrimaryEndpointName, scheme: "redis", isProxied: false)
            .WithArgs(context =>
            {
                context.Args.Add(redis.ConfigFile);
                context.Args.Add("--port");
                context.Args.Add(redis.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
            })
            .WithIconName("Memory")
            .WithConnectionStringHealthCheck((checks, connectionString, check) => checks.AddRedis(connectionString, name: check))
            .OnBeforeResourceStarted(async (resource, _, cancellationToken) =>
                RedisServerConfig.Write(resource.Directory, await resource.PasswordParameter.GetValueAsync(cancellationToken) ?? ""));
    }
}
