using AspireJobs.AppHost.Processes;

namespace AspireJobs.AppHost.Hosting;

/// <summary>A PostgreSQL server process; ready once it accepts connections and its databases exist.</summary>
public sealed class PostgresInstance(PostgresServerResource resource, ApplicationRuntime runtime)
    : ProcessInstance(resource.Name, resource, runtime)
{
    public override string Type => "postgres";

    public override IReadOnlyList<string> Endpoints => [$"tcp://127.0.0.1:{resource.Server.Port}"];

    // SIGINT is PostgreSQL's fast shutdown: it rolls back open transactions and checkpoints.
    protected override int StopSignal => PosixSignals.SIGINT;

    protected override Task PrepareAsync(CancellationToken stopping) => resource.Server.PrepareAsync(stopping);

    protected override ProcessSpec CreateProcessSpec() => resource.Server.ServerProcess();

    protected override Task<bool> IsReadyAsync(CancellationToken cancellationToken) => resource.Server.IsReadyAsync(cancellationToken);

    protected override async Task OnReadyAsync(CancellationToken stopping)
    {
        foreach (var database in resource.Databases)
        {
            await resource.Server.CreateDatabaseIfMissingAsync(database.DatabaseName, template: null, stopping);
        }
    }
}

/// <summary>A Redis server process; ready once it answers an authenticated PING.</summary>
public sealed class RedisInstance(RedisResource resource, ApplicationRuntime runtime)
    : ProcessInstance(resource.Name, resource, runtime)
{
    public override string Type => "redis";

    public override IReadOnlyList<string> Endpoints => [$"tcp://127.0.0.1:{resource.Server.Port}"];

    protected override TimeSpan StopGrace => TimeSpan.FromSeconds(10);

    protected override Task PrepareAsync(CancellationToken stopping) => resource.Server.PrepareAsync(stopping);

    protected override ProcessSpec CreateProcessSpec() => resource.Server.ServerProcess();

    protected override Task<bool> IsReadyAsync(CancellationToken cancellationToken) => resource.Server.IsReadyAsync(cancellationToken);
}

/// <summary>A database: no process of its own, ready when its server is ready (which creates it).</summary>
public sealed class DatabaseInstance(PostgresDatabaseResource resource, ApplicationRuntime runtime)
    : ResourceInstance(resource.Name, resource, runtime)
{
    public override string Type => "postgres.database";

    public override async Task RunAsync(CancellationToken stopping)
    {
        SetState(ResourceState.Waiting);
        try
        {
            await Runtime.WaitAsync(new Wait(resource.Parent, WaitBehavior.UntilReady)).WaitAsync(stopping);
        }
        catch (ResourceFailedException e)
        {
            SetState(ResourceState.FailedToStart);
            Fail($"its server failed: {e.Message}");
            return;
        }

        SetState(ResourceState.Running, HealthStatus.Healthy);
        MarkReady();
    }

    public override Task StopAsync()
    {
        SetState(ResourceState.Stopped, HealthStatus.Unknown);
        return Task.CompletedTask;
    }
}

/// <summary>Something outside the AppHost, known by its connection string: ready at once.</summary>
public sealed class ExternalInstance(ConnectionStringResource resource, ApplicationRuntime runtime)
    : ResourceInstance(resource.Name, resource, runtime)
{
    public override string Type => "connection-string";

    public override Task RunAsync(CancellationToken stopping)
    {
        SetState(ResourceState.Running, HealthStatus.Healthy);
        MarkReady();
        return Task.CompletedTask;
    }

    public override Task StopAsync()
    {
        SetState(ResourceState.Stopped, HealthStatus.Unknown);
        return Task.CompletedTask;
    }
}
