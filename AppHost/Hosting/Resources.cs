using AspireJobs.AppHost.Infrastructure;

namespace AspireJobs.AppHost.Hosting;

/// <summary>
/// A resource of the application model: something the AppHost runs (a server, a project) or
/// provides (a database on a server). The model only describes; <see cref="DistributedApplication"/>
/// runs it.
/// </summary>
public abstract class Resource(string name)
{
    public string Name { get; } = name;

    /// <summary>What must be ready (or finished) before this resource starts.</summary>
    public List<Wait> Waits { get; } = [];
}

/// <summary>A dependency that gates a start: the resource must be ready, or must have exited 0.</summary>
public sealed record Wait(Resource Resource, WaitBehavior Behavior);

public enum WaitBehavior
{
    /// <summary>Running and healthy (for a server: accepting connections; for a database: created).</summary>
    UntilReady,

    /// <summary>Exited with code 0 (a run-to-completion resource such as the migrations).</summary>
    UntilCompleted,
}

/// <summary>A resource that other resources reach through a connection string (<c>ConnectionStrings__&lt;name&gt;</c>).</summary>
public interface IResourceWithConnectionString
{
    string Name { get; }

    string ConnectionString { get; }

    /// <summary>The per-property variables Aspire 13 also injects (<c>JOBSDB_HOST</c>, ...), without the prefix.</summary>
    IEnumerable<KeyValuePair<string, string>> ConnectionProperties { get; }
}

/// <summary>A PostgreSQL server. How it runs (here: local programs) is the runner's business, not the model's.</summary>
public sealed class PostgresServerResource(string name, LocalPostgres server) : Resource(name)
{
    public LocalPostgres Server { get; } = server;

    public List<PostgresDatabaseResource> Databases { get; } = [];
}

/// <summary>A database created on a <see cref="PostgresServerResource"/> once the server is ready.</summary>
public sealed class PostgresDatabaseResource(string name, PostgresServerResource parent, string databaseName)
    : Resource(name), IResourceWithConnectionString
{
    public PostgresServerResource Parent { get; } = parent;

    public string DatabaseName { get; } = databaseName;

    public string ConnectionString => Parent.Server.ConnectionString(DatabaseName);

    public IEnumerable<KeyValuePair<string, string>> ConnectionProperties
    {
        get
        {
            var server = Parent.Server;
            var port = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            yield return new("HOST", "127.0.0.1");
            yield return new("PORT", port);
            yield return new("USERNAME", LocalPostgres.UserName);
            yield return new("PASSWORD", server.Password);
            yield return new("DATABASENAME", DatabaseName);
            yield return new("URI", $"postgresql://{LocalPostgres.UserName}:{server.Password}@127.0.0.1:{port}/{DatabaseName}");
            yield return new("JDBCCONNECTIONSTRING", $"jdbc:postgresql://127.0.0.1:{port}/{DatabaseName}");
        }
    }
}

/// <summary>
/// A connection string to something the AppHost does not run (Aspire's AddConnectionString): an
/// existing database or server. Ready at once.
/// </summary>
public sealed class ConnectionStringResource(string name, string connectionString) : Resource(name), IResourceWithConnectionString
{
    public string ConnectionString { get; } = connectionString;

    public IEnumerable<KeyValuePair<string, string>> ConnectionProperties => [];
}

/// <summary>A Redis server.</summary>
public sealed class RedisResource(string name, LocalRedis server) : Resource(name), IResourceWithConnectionString
{
    public LocalRedis Server { get; } = server;

    public string ConnectionString => Server.ConnectionString;

    public IEnumerable<KeyValuePair<string, string>> ConnectionProperties
    {
        get
        {
            var port = Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            yield return new("HOST", "127.0.0.1");
            yield return new("PORT", port);
            yield return new("PASSWORD", Server.Password);
            yield return new("URI", $"redis://:{Server.Password}@127.0.0.1:{port}");
        }
    }
}

/// <summary>
/// A .NET project of this repository, started from its build output, as many replicas as asked.
/// A project that another resource waits on with <see cref="WaitBehavior.UntilCompleted"/> runs
/// to completion and is not restarted; any other is restarted when it exits.
/// </summary>
public sealed class ProjectResource(string name, string projectDirectory) : Resource(name)
{
    /// <summary>The project's folder under the repository root, which is also its name (<c>Api</c>).</summary>
    public string ProjectDirectory { get; } = projectDirectory;

    public int Replicas { get; set; } = 1;

    /// <summary>Null: no HTTP endpoint. 0: a free port per replica. Otherwise a fixed port (one replica only).</summary>
    public int? HttpPort { get; set; }

    public string? HealthCheckPath { get; set; }

    public List<IResourceWithConnectionString> ConnectionReferences { get; } = [];

    public List<ProjectResource> ServiceReferences { get; } = [];

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    public bool RunsToCompletion { get; set; }

    /// <summary>How long a stop waits after SIGTERM before it kills: longer than a worker's drain.</summary>
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(45);
}
