using AspireJobs.AppHost.Infrastructure;
using AspireJobs.AppHost.Processes;

namespace AspireJobs.AppHost.Hosting;

/// <summary>
/// Builds the application model, in the shape of Aspire's builder: <c>AddPostgres</c>,
/// <c>AddRedis</c>, <c>AddProject</c>, then references and waits on each.
/// </summary>
public sealed class DistributedApplicationBuilder(AppHostOptions options, string repositoryRoot)
{
    private readonly List<Resource> _resources = [];

    public AppHostOptions Options { get; } = options;

    public string RepositoryRoot { get; } = repositoryRoot;

    /// <summary>Where resources' output lines go; the console unless a test collects them.</summary>
    public IProcessOutput Output { get; set; } = new ConsoleProcessOutput();

    /// <summary>Extra PostgreSQL settings (<c>-c name=value</c>) for every Postgres resource added after.</summary>
    public Dictionary<string, string> PostgresSettings { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<Resource> Resources => _resources;

    public ResourceBuilder<PostgresServerResource> AddPostgres(string name) =>
        Add(new PostgresServerResource(name, new LocalPostgres(
            Path.Combine(Options.DataDirectory, name), FreePort.Next(), new Dictionary<string, string>(PostgresSettings))));

    public ResourceBuilder<RedisResource> AddRedis(string name) =>
        Add(new RedisResource(name, new LocalRedis(Path.Combine(Options.DataDirectory, name), FreePort.Next())));

    /// <summary>A connection string to a resource this AppHost does not run.</summary>
    public ResourceBuilder<ConnectionStringResource> AddConnectionString(string name, string connectionString) =>
        Add(new ConnectionStringResource(name, connectionString));

    /// <summary>A project of this repository, by its folder name (<c>Api</c>).</summary>
    public ResourceBuilder<ProjectResource> AddProject(string name, string projectDirectory) =>
        Add(new ProjectResource(name, projectDirectory));

    internal ResourceBuilder<T> Add<T>(T resource) where T : Resource
    {
        if (_resources.Any(r => string.Equals(r.Name, resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException($"A resource named '{resource.Name}' already exists.");
        }

        _resources.Add(resource);
        return new ResourceBuilder<T>(this, resource);
    }

    public DistributedApplication Build()
    {
        Directory.CreateDirectory(Options.DataDirectory);
        var runtime = new ApplicationRuntime(RepositoryRoot, Output, new StatusFile(Path.Combine(Options.DataDirectory, "apphost.json")));
        foreach (var resource in _resources)
        {
            foreach (var instance in CreateInstances(resource, runtime))
            {
                runtime.Add(instance);
            }
        }

        return new DistributedApplication(_resources, runtime, Path.Combine(Options.DataDirectory, "apphost.json"));
    }

    private static IEnumerable<ResourceInstance> CreateInstances(Resource resource, ApplicationRuntime runtime)
    {
        switch (resource)
        {
            case PostgresServerResource postgres:
                yield return new PostgresInstance(postgres, runtime);
                break;
            case PostgresDatabaseResource database:
                yield return new DatabaseInstance(database, runtime);
                break;
            case RedisResource redis:
                yield return new RedisInstance(redis, runtime);
                break;
            case ConnectionStringResource external:
                yield return new ExternalInstance(external, runtime);
                break;
            case ProjectResource project:
                if (project.HttpPort is > 0 && project.Replicas > 1)
                {
                    throw new InvalidOperationException($"{project.Name}: a fixed port cannot serve {project.Replicas} replicas.");
                }

                if (project.HttpPort is > 0 and var fixedPort && !FreePort.IsFree(fixedPort))
                {
                    throw new ResourceFailedException($"{project.Name}: port {fixedPort} is already in use; choose another (--api-port P, or 0 for any free port).");
                }

                for (var replica = 0; replica < project.Replicas; replica++)
                {
                    var instanceId = InstanceIds.Next();
                    var name = project.Replicas == 1 ? project.Name : $"{project.Name}-{instanceId}";
                    int? port = project.HttpPort switch { null => null, 0 => FreePort.Next(), var p => p };
                    yield return new ProjectInstance(name, instanceId, project, port, runtime);
                }

                break;
            default:
                throw new InvalidOperationException($"No runner for {resource.GetType().Name}.");
        }
    }
}

/// <summary>Eight random lower-case letters per replica, like the suffixes Aspire's orchestrator gives.</summary>
internal static class InstanceIds
{
    public static string Next() => System.Security.Cryptography.RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz", 8);
}
