namespace AspireJobs.AppHost.Infrastructure.LocalPostgres;

/// <summary>
/// A database on a <see cref="LocalPostgresServerResource"/>, shaped like Aspire's
/// <c>PostgresDatabaseResource</c>: the server's connection string with <c>Database=</c>, and the
/// server's connection properties plus <c>DatabaseName</c>, <c>Uri</c> and <c>JdbcConnectionString</c>.
/// </summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresServerResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresServerResource>, IResourceWithConnectionString
{
    public LocalPostgresServerResource Parent { get; } = parent;

    public string DatabaseName { get; } = databaseName;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={DatabaseName}");

    IEnumerable<KeyValuePair<string, ReferenceExpression>> IResourceWithConnectionString.GetConnectionProperties() =>
        ((IResourceWithConnectionString)Parent).GetConnectionProperties()
            .Where(property => property.Key is not ("Uri" or "JdbcConnectionString"))
            .Concat(
            [
                new("DatabaseName", ReferenceExpression.Create($"{DatabaseName}")),
                new("Uri", Parent.UriExpression(DatabaseName)),
                new("JdbcConnectionString", Parent.JdbcConnectionString(DatabaseName)),
            ]);
}
