using System.Net;
using AspireJobs.Checker;
using AspireJobs.LocalProcesses;
using AspireJobs.Tests.Infrastructure;
using Npgsql;

namespace AspireJobs.Tests.Worker;

/// <summary>
/// A worker that starts while Redis or PostgreSQL is down: against a real Redis stopped and
/// started again, and a real PostgreSQL reached through a proxy given its target late (until
/// then it closes every connection, as a server that is down would).
/// </summary>
public sealed class ServersDownAtStartTests(TestServers servers)
{
    /// <summary>A safety poll too long to matter: a job created in these tests starts by its wake-up.</summary>
    private static readonly IReadOnlyDictionary<string, string?> WakeUpsOnly = new Dictionary<string, string?> { ["Worker__SafetyPollInterval"] = "00:05:00" };

    [Fact]
    public async Task AWorkerStartedWhileRedisIsDown_WaitsForIt_ThenRunsJobs()
    {
        var redis = await servers.StartOwnRedisAsync();
        await using var system = await TestSystem.CreateAsync(servers, redis.ConnectionString);
        using var http = system.Api();
        redis.Signal(PosixSignals.SIGKILL);
        await redis.DisposeAsync();

        var worker = system.LaunchWorker(WakeUpsOnly);
        await UntilItMeetsTheOutageAsync(system, worker, "Redis");

        await using var restarted = await servers.RestartOwnRedisAsync(redis);
        await worker.UntilHealthyAsync(TimeSpan.FromSeconds(60));
        await RunsAJobAsync(system, http);
    }

    [Fact]
    public async Task AWorkerStartedWhilePostgresIsDown_WaitsForIt_ThenRunsJobs()
    {
        await using var postgres = new ChaosProxy("postgres");
        await using var system = await TestSystem.CreateAsync(servers);
        using var http = system.Api();

        var worker = system.LaunchWorker(new Dictionary<string, string?>(WakeUpsOnly) { ["ConnectionStrings__jobsdb"] = Through(postgres, system) });
        await UntilItMeetsTheOutageAsync(system, worker, "PostgreSQL");
        Assert.Equal(0, await system.Database.ScalarAsync<long>("SELECT count(*) FROM workers"));

        postgres.Target = new IPEndPoint(IPAddress.Loopback, servers.Postgres.Port);
        await worker.UntilHealthyAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, await system.Database.ScalarAsync<long>("SELECT count(*) FROM workers WHERE status = 'active'"));
        await RunsAJobAsync(system, http);
    }

    [Fact]
    public async Task AWorkerStoppedWhileItWaitsForRedis_StopsCleanly()
    {
        var redis = await servers.StartOwnRedisAsync();
        await using var system = await TestSystem.CreateAsync(servers, redis.ConnectionString);
        redis.Signal(PosixSignals.SIGKILL);
        await redis.DisposeAsync();
        var worker = system.LaunchWorker();
        await UntilItMeetsTheOutageAsync(system, worker, "Redis");

        // SIGTERM, as the AppHost stops it: exit code 0, not a crash of a start cut short.
        Assert.Equal(0, await worker.StopAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task AWorkerStoppedWhileItWaitsForPostgres_StopsCleanly()
    {
        await using var postgres = new ChaosProxy("postgres");
        await using var system = await TestSystem.CreateAsync(servers);
        var worker = system.LaunchWorker(new Dictionary<string, string?> { ["ConnectionStrings__jobsdb"] = Through(postgres, system) });
        await UntilItMeetsTheOutageAsync(system, worker, "PostgreSQL");

        Assert.Equal(0, await worker.StopAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task AWorkerThatPostgresRefuses_StillExits()
    {
        await using var system = await TestSystem.CreateAsync(servers);
        var refused = new NpgsqlConnectionStringBuilder(system.Database.ConnectionString) { Password = "not-the-password" }.ConnectionString;
        var worker = system.LaunchWorker(new Dictionary<string, string?> { ["ConnectionStrings__jobsdb"] = refused });

        // No wait mends a refused password: the worker exits (and its orchestrator restarts it).
        var exitCode = await worker.Exited.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.NotEqual(0, exitCode);
        Assert.False(worker.Printed("This worker could not register"), worker.Output());
    }

    /// <summary>
    /// Waits until the worker has logged that it could not register because <paramref name="server"/>
    /// is unavailable, then checks that it waits rather than exits.
    /// </summary>
    private static async Task UntilItMeetsTheOutageAsync(TestSystem system, ServiceProcess worker, string server)
    {
        await system.WaitUntilAsync(
            () => Task.FromResult(worker.Printed($"This worker could not register: {server} is unavailable") || worker.Exited.IsCompleted),
            TimeSpan.FromSeconds(60), $"the worker to meet the outage of {server} as it registers");
        Assert.False(worker.Exited.IsCompleted, $"The worker exited while {server} was down:{Environment.NewLine}{worker.Output()}");
    }

    private static async Task RunsAJobAsync(TestSystem system, HttpClient http)
    {
        var id = (await http.PostJsonAsync("/api/jobs", new { type = "noop" }, HttpStatusCode.Created)).Id();
        await system.WaitUntilAsync(
            async () => await system.Database.ScalarAsync<string>("SELECT status FROM jobs WHERE id = $1", id) == "completed",
            TimeSpan.FromSeconds(30), "the job to complete, started by its wake-up");
    }

    /// <summary>The system's database, reached through <paramref name="proxy"/>.</summary>
    private static string Through(ChaosProxy proxy, TestSystem system) =>
        new NpgsqlConnectionStringBuilder(system.Database.ConnectionString) { Port = proxy.Port }.ConnectionString;
}
