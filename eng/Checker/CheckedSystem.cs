using AspireJobs.AppHost.Lifecycle;
using Npgsql;

namespace AspireJobs.Checker;

/// <summary>
/// What the checker reaches of a running AspireJobs: its Api (with an admin key), its database
/// and Redis directly (not through the proxies), its data directory (apphost.json, Redis's files),
/// and the proxies the services reach Redis and PostgreSQL through.
/// </summary>
public sealed record CheckedSystem(
    HttpClient Api,
    NpgsqlDataSource Database,
    string RedisConnectionString,
    string DataDirectory,
    ChaosProxy RedisProxy,
    ChaosProxy PostgresProxy,
    TimeSpan HeartbeatTimeout)
{
    public StatusDocument Status() => StatusFile.Read(StatusFile.PathIn(DataDirectory))
        ?? throw new InvalidOperationException("apphost.json is missing or unreadable.");

    /// <summary>The running instances of a resource, by process id.</summary>
    public IReadOnlyList<int> ProcessIdsOf(string resource) =>
        [.. Status().Resources.Where(r => r.Resource == resource && r.State == "Running" && r.ProcessId is not null).Select(r => r.ProcessId!.Value)];
}
