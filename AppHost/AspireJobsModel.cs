using AspireJobs.AppHost.Hosting;

namespace AspireJobs.AppHost;

/// <summary>
/// The architecture of AspireJobs as an Aspire application model: every process, what it
/// references, and what it waits for. Program.cs runs it; the end-to-end tests start the same model.
/// </summary>
public static class AspireJobsModel
{
    public static DistributedApplicationBuilder AddAspireJobs(this DistributedApplicationBuilder builder)
    {
        // Infrastructure: PostgreSQL is the system of record, Redis the dispatch index.
        var postgres = builder.AddPostgres("postgres");
        var jobsdb = postgres.AddDatabase("jobsdb");
        var redis = builder.AddRedis("redis");

        return builder.AddAspireJobsServices(jobsdb, redis);
    }

    /// <summary>The services alone, on infrastructure given (servers the AppHost runs, or connection strings to others).</summary>
    public static DistributedApplicationBuilder AddAspireJobsServices<TDatabase, TRedis>(
        this DistributedApplicationBuilder builder, ResourceBuilder<TDatabase> jobsdb, ResourceBuilder<TRedis> redis)
        where TDatabase : Resource, IResourceWithConnectionString
        where TRedis : Resource, IResourceWithConnectionString
    {
        // Schema: the migrations run once against jobsdb, then exit; everything else waits for that.
        var migrations = builder.AddProject("migrations", "MigrationService")
            .WithReference(jobsdb)
            .WaitFor(jobsdb);

        // Api: the HTTP contract and dashboard.
        var api = builder.AddProject("api", "Api")
            .WithHttpEndpoint(port: builder.Options.ApiPort)
            .WithHttpHealthCheck("/health")
            .WithReference(jobsdb)
            .WithReference(redis)
            .WaitFor(redis)
            .WaitForCompletion(migrations);

        // Workers: as many replicas as asked, each pulling jobs from Redis.
        builder.AddProject("worker", "Worker")
            .WithReplicas(builder.Options.Workers)
            .WithHttpEndpoint()
            .WithHttpHealthCheck("/health")
            .WithReference(jobsdb)
            .WithReference(redis)
            .WithReference(api)
            .WaitFor(redis)
            .WaitForCompletion(migrations);

        // HealthMonitor: liveness, recovery, reconciliation, health analytics.
        builder.AddProject("healthmonitor", "HealthMonitor")
            .WithHttpEndpoint()
            .WithHttpHealthCheck("/health")
            .WithReference(jobsdb)
            .WithReference(redis)
            .WaitFor(redis)
            .WaitForCompletion(migrations);

        return builder;
    }
}
