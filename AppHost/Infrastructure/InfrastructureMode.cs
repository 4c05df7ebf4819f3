namespace AspireJobs.AppHost.Infrastructure;

/// <summary>How the AppHost provides PostgreSQL and Redis. Either way the services see the same names and connection strings.</summary>
public enum InfrastructureMode
{
    /// <summary>Containers when a container runtime answers, local processes otherwise.</summary>
    Auto,

    /// <summary>The machine's own <c>postgres</c> and <c>redis-server</c>, run as Aspire executables.</summary>
    Local,

    /// <summary>Aspire's PostgreSQL and Redis containers, with data volumes.</summary>
    Containers,
}
