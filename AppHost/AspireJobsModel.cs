using AspireJobs.AppHost.Infrastructure;
using AspireJobs.AppHost.Infrastructure.LocalPostgres;
using AspireJobs.AppHost.Infrastructure.LocalRedis;
using AspireJobs.AppHost.Infrastructure.Qdrant;
using AspireJobs.AppHost.Lifecycle;
using AspireJobs.AppHost.Services;

namespace AspireJobs.AppHost;

/// <summary>
/// The architecture of AspireJobs as an Aspire application model: every process, what it
/// references, and what it waits for. Program.cs runs it; the end-to-end tests start it through
/// Aspire.Hosting.Testing.
/// </summary>
public static class AspireJobsModel
{
    /// <summary>How long a stopping worker lets running jobs finish: inside the orchestrator's 6 s.</summary>
    public const string ShutdownGracePeriod = "00:00:04";

    private static readonly Dictionary<string, string> LocalPostgresSettings = new() { ["max_connections"] = "500" };

    public static IDistributedApplicationBuilder AddAspireJobs(this IDistributedApplicationBuilder builder, AppHostOptions options)
    {
        var dataDirectory = options.DataDirectory
            ?? Path.Combine(Path.GetDirectoryName(builder.AppHostDirectory)!, AppHostOptions.DefaultDataDirectoryName);
        if (builder.ExecutionContext.IsRunMode)
        {
            // Before anything is made: a run refused here leaves nothing behind.
            AppHostOptions.ThrowIfDataDirectoryUnusable(dataDirectory);
        }

        var infrastructure = InfrastructureModes.Resolve(options.Infrastructure, builder.ExecutionContext, builder.Configuration);
        var dataDirectoryLock = builder.AddLifecycle(new AppHostRun(dataDirectory, infrastructure));
        try
        {
            if (builder.ExecutionContext.IsRunMode)
            {
                // After the lock: an AppHost started again on a directory in use is told so, not
                // that the port its first run's Api holds is taken.
                options.ThrowIfApiPortInUse();
            }

            return builder.AddResources(options, dataDirectory, infrastructure);
        }
        catch
        {
            // A model that cannot be made runs nothing: a start after it, in this process too
            // (Aspire.Hosting.Testing), may have the directory.
            dataDirectoryLock?.Dispose();
            throw;
        }
    }

    /// <summary>Every resource of AspireJobs, what it references and what it waits for.</summary>
    private static IDistributedApplicationBuilder AddResources(
        this IDistributedApplicationBuilder builder, AppHostOptions options, string dataDirectory, InfrastructureMode infrastructure)
    {
        // Infrastructure: PostgreSQL is the system of record, Redis the dispatch index. Aspire's
        // containers where a container runtime answers (and always in the published manifest),
        // the machine's own servers otherwise; the services see the same names either way.
        var (jobsdb, redis) = infrastructure == InfrastructureMode.Containers
            ? builder.AddContainerInfrastructure()
            : builder.AddLocalInfrastructure(dataDirectory);

        // Execution memory's vector store: Qdrant where containers run (and in the manifest);
        // without it the vectors stay in PostgreSQL, searched exactly by the Api.
        var qdrant = infrastructure == InfrastructureMode.Containers ? builder.AddQdrantContainer("qdrant") : null;

        // Schema: the migrations run once against jobsdb, then exit; everything else waits for that.
        var migrations = builder.AddService<Projects.MigrationService>("migrations")
            .WithReference(jobsdb)
            .WaitForServer(jobsdb);

        // Api: the HTTP contract, on a fixed loopback port of its own (no proxy in front), behind
        // API keys the AppHost generates. External in the manifest: deployed, its clients and the
        // job dashboard are outside the environment (azd gives it public ingress).
        var api = builder.AddService<Projects.Api>("api")
            .WithEndpoint("http", endpoint =>
            {
                endpoint.Port = options.ApiPort == 0 ? null : options.ApiPort;
                endpoint.IsProxied = false;
            })
            .WithExternalHttpEndpoints()
            .WithHttpHealthCheck("/health")
            .WithUrls(urls =>
            {
                urls.AddLinkBeside("http", "/dashboard", "Job dashboard");
                urls.AddLinkBeside("http", "/scalar", "API reference");
                urls.AddLinkBeside("http", "/openapi/v1.json", "OpenAPI document");
            })
            .WithGeneratedApiKeys(dataDirectory)
            .WithReference(jobsdb)
            .WithReference(redis)
            .WithQdrant(qdrant)
            .WaitForServer(redis)
            .WaitForCompletion(migrations)
            .WithRestartOnCrash();

        // Workers: as many replicas as asked, each pulling jobs from Redis. Aspire's orchestrator
        // kills a process 6 s after asking it to stop: running jobs get 4 s to finish, then are
        // handed back to their bands instead of being cut off. A worker runs compiled natively, as
        // the AppHost's build published it: full speed from its first job, and a small process.
        builder.AddService<Projects.Worker>("worker", published: true)
            .WithReplicas(options.Workers)
            .WithEnvironment("Worker__ShutdownGracePeriod", ShutdownGracePeriod)
            .WithEndpoint("http", endpoint => endpoint.Port = null) // any free port: only /health is served
            .WithHttpHealthCheck("/health")
            .WithReference(jobsdb)
            .WithReference(redis)
            .WithReference(api)
            .WaitForServer(redis)
            .WaitForCompletion(migrations)
            .WithRestartOnCrash();

        // HealthMonitor: liveness, recovery, reconciliation, health analytics. Compiled natively, as
        // the AppHost's build published it: its sweeps take no JIT time from a fresh system's first jobs.
        builder.AddService<Projects.HealthMonitor>("healthmonitor", published: true)
            .WithEndpoint("http", endpoint => endpoint.Port = null)
            .WithHttpHealthCheck("/health")
            .WithReference(jobsdb)
            .WithReference(redis)
            .WaitForServer(redis)
            .WaitForCompletion(migrations)
            .WithRestartOnCrash();

        // Indexer: execution memory's embedding model, in a process of its own: its memory (about
        // 400 MB) and CPU stay out of the workers and the health monitor, and it can be stopped
        // without touching dispatch. It reads finished attempts from PostgreSQL and stores vectors.
        builder.AddService<Projects.Indexer>("indexer")
            .WithEndpoint("http", endpoint => endpoint.Port = null)
            .WithHttpHealthCheck("/health")
            .WithReference(jobsdb)
            .WithQdrant(qdrant)
            .WaitForCompletion(migrations)
            .WithRestartOnCrash();

        return builder;
    }

    /// <summary>
    /// Waits for a server through its restarts: the AppHost restarts a server that dies, during a
    /// start too, and what waits for it goes on once it is back instead of failing at its exit.
    /// </summary>
    private static IResourceBuilder<T> WaitForServer<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> server)
        where T : IResourceWithWaitSupport =>
        builder.WaitFor(server, WaitBehavior.WaitOnResourceUnavailable);

    private static (IResourceBuilder<IResourceWithConnectionString> Jobsdb, IResourceBuilder<IResourceWithConnectionString> Redis) AddContainerInfrastructure(
        this IDistributedApplicationBuilder builder)
    {
        var postgres = builder.AddPostgres("postgres").WithDataVolume();
        var redis = builder.AddRedis("redis").WithDataVolume().WithPersistence();
        return (postgres.AddDatabase("jobsdb"), redis);
    }

    private static (IResourceBuilder<IResourceWithConnectionString> Jobsdb, IResourceBuilder<IResourceWithConnectionString> Redis) AddLocalInfrastructure(
        this IDistributedApplicationBuilder builder, string dataDirectory)
    {
        // Room for the fleet's pools: every worker may hold a connection per running job whose
        // handler uses the database, beside its own; PostgreSQL's default of 100 ran out with two.
        var postgres = builder.AddLocalPostgres("postgres", Path.Combine(dataDirectory, "postgres"), LocalPostgresSettings).WithRestartOnCrash();
        var redis = builder.AddLocalRedis("redis", Path.Combine(dataDirectory, "redis")).WithRestartOnCrash();
        return (postgres.AddDatabase("jobsdb"), redis);
    }
}
