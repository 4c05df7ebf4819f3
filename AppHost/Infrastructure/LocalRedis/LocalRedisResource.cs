namespace AspireJobs.AppHost.Infrastructure.LocalRedis;

/// <summary>
/// A Redis server run from the machine's <c>redis-server</c>, shaped like Aspire's
/// <c>RedisResource</c>: a <c>tcp</c> endpoint, a secret password parameter, and the same
/// connection string (<c>host:port,password=...</c>) and connection properties.
/// </summary>
public sealed class LocalRedisResource(string name, string directory, ParameterResource password)
    : ExecutableResource(name, ServerPrograms.RedisServer, directory), IResourceWithConnectionString
{
    public const string PrimaryEndpointName = "tcp";

    private EndpointReference? _primaryEndpoint;

    public string Directory { get; } = directory;

    /// <summary>The server's configuration (<see cref="RedisServerConfig"/>), written at each start.</summary>
    public string ConfigFile => Path.Combine(Directory, RedisServerConfig.FileName);

    public ParameterResource PasswordParameter { get; } = password;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, PrimaryEndpointName);

    /// <summary>127.0.0.1, where the server listens.</summary>
    public EndpointReferenceExpression Host => PrimaryEndpoint.Property(EndpointProperty.IPV4Host);

    public EndpointReferenceExpression Port => PrimaryEndpoint.Property(EndpointProperty.Port);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Host}:{Port},password={PasswordParameter}");

    IEnumerable<KeyValuePair<string, ReferenceExpression>> IResourceWithConnectionString.GetConnectionProperties() =>
    [
        new("Host", ReferenceExpression.Create($"{Host}")),
        new("Port", ReferenceExpression.Create($"{Port}")),
        new("Password", ReferenceExpression.Create($"{PasswordParameter}")),
        new("Uri", ReferenceExpression.Create($"redis://:{PasswordParameter:uri}@{Host}:{Port}")),
    ];
}
