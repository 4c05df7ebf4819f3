using Microsoft.Extensions.DependencyInjection;

namespace AspireJobs.AppHost.Infrastructure;

/// <summary>
/// A health check named <c>&lt;resource&gt;_check</c> on a resource's own connection string, as
/// Aspire's hosting integrations register theirs: the check is registered while the model is built,
/// and reads the connection string Aspire resolves once the resource's endpoints are allocated.
/// </summary>
public static class ConnectionStringHealthCheck
{
    /// <param name="register">Adds the check, given the connection string's source and the check's name.</param>
    public static IResourceBuilder<T> WithConnectionStringHealthCheck<T>(
        this IResourceBuilder<T> resource, Action<IHealthChecksBuilder, Func<IServiceProvider, string>, string> register)
        where T : IResourceWithConnectionString
    {
        string? connectionString = null;
        var name = $"{resource.Resource.Name}_check";
        register(
            resource.ApplicationBuilder.Services.AddHealthChecks(),
            _ => connectionString ?? throw new InvalidOperationException($"{resource.Resource.Name}'s connection string is not available yet."),
            name);

        return resource
            .WithHealthCheck(name)
            .OnConnectionStringAvailable(async (target, _, cancellationToken) =>
                connectionString = await target.ConnectionStringExpression.GetValueAsync(cancellationToken));
    }
}
