using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using AspireJobs.LocalProcesses;
using Npgsql;

namespace AspireJobs.Checker;

/// <summary>
/// AspireJobs through its AppHost, for the checker: the api, the workers and the health monitor
/// reach Redis and PostgreSQL through a <see cref="ChaosProxy"/> each (the migrations and the
/// checker itself go direct), with short heartbeats and retry delays so a run stays short.
/// </summary>
public sealed class CheckedAppHost : IAsyncDisposable
{
    public static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(2);

    private static readonly Dictionary<string, string> Worker = new()
    {
        ["Worker__HeartbeatInterval"] = "00:00:00.400",
        ["Worker__HeartbeatTimeout"] = HeartbeatTimeout.ToString(),
        ["Worker__RetryBaseDelay"] = "00:00:00.200",
        ["Worker__RetryMaxDelay"] = "00:00:05",
    };

    private static readonly Dictionary<string, string> Monitor = new()
    {
        ["HealthMonitor__LivenessInterval"] = "00:00:00.200",
        ["HealthMonitor__RedisLossGrace"] = HeartbeatTimeout.ToString(),
        ["HealthMonitor__LeaderPollInterval"] = "00:00:00.500",
    };

    // What reaches the servers through the proxies: every service but the migrations.
    private static readonly string[] Services = ["api", "worker", "healthmonitor"];

    private readonly ChaosProxy _redisProxy;
    private readonly ChaosProxy _postgresProxy;
    private readonly NpgsqlDataSource _database;

    private CheckedAppHost(DistributedApplication app, CheckedSystem system, ChaosProxy redisProxy, ChaosProxy postgresProxy, NpgsqlDataSource database)
    {
        App = app;
        System = system;
        _redisProxy = redisProxy;
        _postgresProxy = postgresProxy;
        _database = database;
    }

    public DistributedApplication App { get; }

    public CheckedSystem System { get; }

    public static async Task<CheckedAppHost> StartAsync(string dataDirectory, int workers, CancellationToken cancellationToken)
    {
        var redisProxy = new ChaosProxy("redis");
        var postgresProxy = new ChaosProxy("postgres");
        var app = await AspireJobsAppHost.StartAsync(dataDirectory, workers, builder =>
        {
            builder.WithEnvironment(new Dictionary<string, IReadOnlyDictionary<string, string>> { ["worker"] = Worker, ["healthmonitor"] = Monitor });
            var redis = ConnectionStringResource(builder, "redis");
            var jobsdb = ConnectionStringResource(builder, "jobsdb");
            foreach (var service in Services)
            {
                builder.CreateResourceBuilder<ProjectResource>(service).WithEnvironment(async context =>
                {
                    var redisDirect = (await redis.ConnectionStringExpression.GetValueAsync(context.CancellationToken))!;
                    var jobsdbDirect = (await jobsdb.ConnectionStringExpression.GetValueAsync(context.CancellationToken))!;
                    context.EnvironmentVariables["ConnectionStrings__redis"] = ThroughRedisProxy(redisDirect, redisProxy);
                    context.EnvironmentVariables["ConnectionStrings__jobsdb"] = ThroughPostgresProxy(jobsdbDirect, postgresProxy);
                });
            }
        }, dashboard: false, cancellationToken);

        var redisConnectionString = (await app.GetConnectionStringAsync("redis", cancellationToken))!;
        var jobsdbConnectionString = (await app.GetConnectionStringAsync("jobsdb", cancellationToken))!;
        var database = NpgsqlDataSource.Create(jobsdbConnectionString);
        var api = app.CreateHttpClient("api");
        api.DefaultRequestHeaders.Add("X-Api-Key", AspireJobs.AppHost.Services.ApiKeys.Read(dataDirectory));
        var system = new CheckedSystem(api, database, redisConnectionString, dataDirectory, redisProxy, postgresProxy, HeartbeatTimeout);
        return new CheckedAppHost(app, system, redisProxy, postgresProxy, database);
    }

    private static IResourceWithConnectionString ConnectionStringResource(IDistributedApplicationTestingBuilder builder, string name) =>
        builder.Resources.OfType<IResourceWithConnectionString>().Single(r => r.Name == name);

    /// <summary><c>127.0.0.1:6379,password=...</c> with the proxy's port, the proxy aimed at the server's.</summary>
    private static string ThroughRedisProxy(string connectionString, ChaosProxy proxy)
    {
        var (endpoint, rest) = connectionString.IndexOf(',', StringComparison.Ordinal) is var comma and >= 0
            ? (connectionString[..comma], connectionString[comma..])
            : (connectionString, "");
        proxy.Target = IPEndPoint.Parse(endpoint);
        return $"127.0.0.1:{proxy.Port}{rest}";
    }

    private static string ThroughPostgresProxy(string connectionString, ChaosProxy proxy)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        proxy.Target = new IPEndPoint(IPAddress.Parse(builder.Host!), builder.Port);
        builder.Port = proxy.Port;
        return builder.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        System.Api.Dispose();
        await App.DisposeAsync();
        await _redisProxy.DisposeAsync();
        await _postgresProxy.DisposeAsync();
        await _database.DisposeAsync();
    }
}
