using Microsoft.Extensions.Configuration;

namespace AspireJobs.ServiceDefaults;

/// <summary>Reads <c>ConnectionStrings:&lt;name&gt;</c>, where an Aspire AppHost puts each reference.</summary>
public static class ConnectionStrings
{
    public static string Require(IConfiguration configuration, string connectionName) =>
        configuration.GetConnectionString(connectionName) is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value)
            ? value
            : throw new ConfigurationException(
                $"ConnectionStrings:{connectionName} is missing. Set it (environment variable ConnectionStrings__{connectionName}), or start the service through the AppHost, which sets it.");
}
