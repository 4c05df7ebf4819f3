using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AspireJobs.AppHost.Infrastructure.LocalPostgres;

/// <summary>
/// <c>AddLocalPostgres</c> and <c>AddDatabase</c>: Aspire's <c>AddPostgres(...).AddDatabase(...)</c>
/// for a machine without a container runtime. The same names, connection strings, health checks
/// (<c>&lt;name&gt;_check</c>) and readiness: a <c>WaitFor</c> on the database passes once the
/// server accepts connections and the database exists.
/// </summary>
public static partial class LocalPostgresBuilderExtensions
{
    /// <param name="directory">The cluster's directory (created on first start, kept across runs).</param>
    /// <param name="settings">Extra server settings, each passed as <c>-c name=value</c>.</param>
    public static IResourceBuilder<LocalPostgresServerResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, string directory, IReadOnlyDictionary<string, string>? settings = null)
    {
        var cluster = new PostgresCluster(directory);
        // The programs first: where PostgreSQL is not installed, neither is its user, and saying
        // the user cannot reach the directory would send one looking for the wrong fault.
        var (command, runAs) = cluster.ServerProgram();
        cluster.ThrowIfUnreachableByServer();
        var password = builder.AddParameter($"{name}-password", cluster.ReadOrCreatePassword(), secret: true);
        var server = new LocalPostgresServerResource(name, command, cluster, password.Resource);

        return builder.AddResource(server)
            .WithEndpoint(name: LocalPostgresServerResource.PrimaryEndpointName, scheme: "tcp", isProxied: false)
            .WithArgs(context =>
            {
                foreach (var argument in runAs.Concat(cluster.ServerArguments(server.PrimaryEndpoint.Property(EndpointProperty.TargetPort), settings)))
                {
                    context.Args.Add(argument);
                }
            })
            .WithIconName("DatabaseMultiple")
            .WithConnectionStringHealthCheck((checks, connectionString, check) => checks.AddNpgSql(
                services => Unpooled(connectionString(services)),
                name: check,
                configure: connection => connection.ConnectionString += ";Database=postgres"))
            .OnBeforeResourceStarted((_, _, cancellationToken) => cluster.InitializeAsync(cancellationToken))
            .OnResourceReady(CreateDatabasesAsync)
            .OnResourceStopped(async (resource, stopped, _) =>
            {
                var notifications = stopped.Services.GetRequiredService<ResourceNotificationService>();
                foreach (var database in resource.Databases.Values)
                {
                    await notifications.PublishUpdateAsync(database, s => s with
                    {
                        State = stopped.ResourceEvent.Snapshot.State,
                        StopTimeStamp = stopped.ResourceEvent.Snapshot.StopTimeStamp,
                    });
                }
            });
    }

    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<LocalPostgresServerResource> server, string name, string? databaseName = null)
    {
        var database = new LocalPostgresDatabaseResource(name, databaseName ?? name, server.Resource);
        server.Resource.Databases.Add(name, database);

        // A child of an executable gets no state from the orchestrator (it copies state only to
        // children of containers): CreateDatabasesAsync reports it running once it exists.
        return server.ApplicationBuilder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [],
            })
            .WithIconName("Database")
            .WithConnectionStringHealthCheck((checks, connectionString, check) => checks.AddNpgSql(
                services => Unpooled(connectionString(services)), name: check));
    }

    /// <summary>
    /// The health checks' connections close after each check: PostgreSQL's shutdown on SIGTERM
    /// waits for every session to end, and an idle pooled one in the AppHost would hold it until
    /// the orchestrator killed the server.
    /// </summary>
    private static string Unpooled(string connectionString) => connectionString + ";Pooling=false";

    /// <summary>
    /// What Aspire's PostgreSQL integration does when its server is ready: create each database. A
    /// database that cannot be created says why in its own log and fails to start, so what waits
    /// for it fails too instead of waiting forever; but a server that went away meanwhile (killed,
    /// crashed) leaves its databases waiting for its restart, whose readiness creates them.
    /// </summary>
    private static async Task CreateDatabasesAsync(LocalPostgresServerResource server, ResourceReadyEvent ready, CancellationToken cancellationToken)
    {
        var notifications = ready.Services.GetRequiredService<ResourceNotificationService>();
        var logs = ready.Services.GetRequiredService<ResourceLoggerService>();
        var connectionString = await server.ConnectionStringExpression.GetValueAsync(cancellationToken)
            ?? throw new InvalidOperationException($"{server.Name} is ready but has no connection string.");
        foreach (var database in server.Databases.Values)
        {
            string state;
            try
            {
                await PostgresCluster.CreateDatabaseAsync(connectionString, database.DatabaseName, template: null, cancellationToken);
                state = KnownResourceStates.Running;
            }
            catch (Npgsql.NpgsqlException e) when (e.IsTransient)
            {
                LogServerGone(logs.GetLogger(database), database.DatabaseName, e.Message);
                continue;
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                LogCreateFailed(logs.GetLogger(database), e, database.DatabaseName, e.Message);
                state = KnownResourceStates.FailedToStart;
            }

            await notifications.PublishUpdateAsync(database, s => s with
            {
                State = state,
                StartTimeStamp = DateTime.UtcNow,
                StopTimeStamp = null,
            });
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database {Database} waits for its server's restart: {Reason}")]
    private static partial void LogServerGone(ILogger logger, string database, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not create the database {Database}: {Reason}")]
    private static partial void LogCreateFailed(ILogger logger, Exception exception, string database, string reason);
}
