namespace AspireJobs.AppHost.Infrastructure.LocalPostgres;

/// <summary>
/// A PostgreSQL server run from the machine's own programs (see <see cref="PostgresCluster"/>),
/// shaped like Aspire's <c>PostgresServerResource</c>: a <c>tcp</c> endpoint, the user
/// <c>postgres</c> with a secret password parameter, and the same connection string and
/// connection properties, so a service cannot tell it from Aspire's container.
/// </summary>
public sealed class LocalPostgresServerResource(string name, string command, PostgresCluster cluster, ParameterResource password)
    : ExecutableResource(name, command, cluster.Directory), IResourceWithConnectionString
{
    public const string PrimaryEndpointName = "tcp";

    private EndpointReference? _primaryEndpoint;

    public PostgresCluster Cluster { get; } = cluster;

    public ParameterResource PasswordParameter { get; } = password;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, PrimaryEndpointName);

    /// <summary>127.0.0.1, where the server listens (it does not listen on ::1, which "localhost" may mean first).</summary>
    public EndpointReferenceExpression Host => PrimaryEndpoint.Property(EndpointProperty.IPV4Host);

    public EndpointReferenceExpression Port => PrimaryEndpoint.Property(EndpointProperty.Port);

    /// <summary>The databases on this server, by resource name; each is created when the server is ready.</summary>
    public Dictionary<string, LocalPostgresDatabaseResource> Databases { get; } = new(StringComparer.OrdinalIgnoreCase);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Host={Host};Port={Port};Username={PostgresCluster.UserName};Password={PasswordParameter}");

    internal ReferenceExpression UriExpression(string? database = null) => database is null
        ? ReferenceExpression.Create($"postgresql://{PostgresCluster.UserName}:{PasswordParameter:uri}@{Host}:{Port}")
        : ReferenceExpression.Create($"postgresql://{PostgresCluster.UserName}:{PasswordParameter:uri}@{Host}:{Port}/{database:uri}");

    internal ReferenceExpression JdbcConnectionString(string? database = null) => database is null
        ? ReferenceExpression.Create($"jdbc:postgresql://{Host}:{Port}")
        : ReferenceExpression.Create($"jdbc:postgresql://{Host}:{Port}/{database:uri}");

    IEnumerable<KeyValuePair<string, ReferenceExpression>> IResourceWithConnectionString.GetConnectionProperties() =>
    [
        new("Host", ReferenceExpression.Create($"{Host}")),
        new("Port", ReferenceExpression.Create($"{Port}")),
        new("Username", ReferenceExpression.Create($"{PostgresCluster.UserName}")),
        new("Password", ReferenceExpression.Create($"{PasswordParameter}")),
        new("Uri", UriExpression()),
        new("JdbcConnectionString", JdbcConnectionString()),
    ];
}
