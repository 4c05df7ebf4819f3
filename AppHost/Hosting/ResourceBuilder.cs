namespace AspireJobs.AppHost.Hosting;

/// <summary>Fluent configuration of one resource, shaped like Aspire's IResourceBuilder.</summary>
public sealed class ResourceBuilder<T>(DistributedApplicationBuilder applicationBuilder, T resource) where T : Resource
{
    public DistributedApplicationBuilder ApplicationBuilder { get; } = applicationBuilder;

    public T Resource { get; } = resource;
}

/// <summary>The Aspire-shaped verbs of the model: references, waits, replicas, endpoints.</summary>
public static class ResourceBuilderExtensions
{
    public static ResourceBuilder<PostgresDatabaseResource> AddDatabase(this ResourceBuilder<PostgresServerResource> server, string name, string? databaseName = null)
    {
        var database = new PostgresDatabaseResource(name, server.Resource, databaseName ?? name);
        server.Resource.Databases.Add(database);
        return server.ApplicationBuilder.Add(database);
    }

    /// <summary>Injects <c>ConnectionStrings__&lt;name&gt;</c> and the connection properties.</summary>
    public static ResourceBuilder<ProjectResource> WithReference<T>(this ResourceBuilder<ProjectResource> project, ResourceBuilder<T> source)
        where T : Resource, IResourceWithConnectionString
    {
        project.Resource.ConnectionReferences.Add(source.Resource);
        return project;
    }

    /// <summary>Injects <c>services__&lt;name&gt;__http__0</c> and <c>&lt;NAME&gt;_HTTP</c> (service discovery).</summary>
    public static ResourceBuilder<ProjectResource> WithReference(this ResourceBuilder<ProjectResource> project, ResourceBuilder<ProjectResource> service)
    {
        project.Resource.ServiceReferences.Add(service.Resource);
        return project;
    }

    /// <summary>Starts only once <paramref name="dependency"/> is running and healthy.</summary>
    public static ResourceBuilder<T> WaitFor<T, TDependency>(this ResourceBuilder<T> builder, ResourceBuilder<TDependency> dependency)
        where T : Resource where TDependency : Resource
    {
        builder.Resource.Waits.Add(new Wait(dependency.Resource, WaitBehavior.UntilReady));
        return builder;
    }

    /// <summary>Starts only once <paramref name="dependency"/> has exited with code 0; it then runs to completion.</summary>
    public static ResourceBuilder<T> WaitForCompletion<T>(this ResourceBuilder<T> builder, ResourceBuilder<ProjectResource> dependency)
        where T : Resource
    {
        dependency.Resource.RunsToCompletion = true;
        builder.Resource.Waits.Add(new Wait(dependency.Resource, WaitBehavior.UntilCompleted));
        return builder;
    }

    public static ResourceBuilder<ProjectResource> WithReplicas(this ResourceBuilder<ProjectResource> project, int replicas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        project.Resource.Replicas = replicas;
        return project;
    }

    /// <summary>An HTTP endpoint on 127.0.0.1; <paramref name="port"/> null or 0 takes a free port per replica.</summary>
    public static ResourceBuilder<ProjectResource> WithHttpEndpoint(this ResourceBuilder<ProjectResource> project, int? port = null)
    {
        project.Resource.HttpPort = port ?? 0;
        return project;
    }

    /// <summary>The project counts as healthy when GET <paramref name="path"/> answers 200.</summary>
    public static ResourceBuilder<ProjectResource> WithHttpHealthCheck(this ResourceBuilder<ProjectResource> project, string path = "/health")
    {
        project.Resource.HealthCheckPath = path;
        return project;
    }

    public static ResourceBuilder<ProjectResource> WithEnvironment(this ResourceBuilder<ProjectResource> project, string name, string value)
    {
        project.Resource.Environment[name] = value;
        return project;
    }
}
