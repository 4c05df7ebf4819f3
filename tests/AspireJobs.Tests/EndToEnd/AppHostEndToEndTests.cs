using System.Net;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using AspireJobs.AppHost.Lifecycle;
using AspireJobs.LocalProcesses;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.EndToEnd;

/// <summary>
/// The whole application through its AppHost with Aspire.Hosting.Testing: Aspire's orchestrator
/// runs the local PostgreSQL and Redis, the migrations, the Api, two worker replicas and the
/// health monitor, all real processes, and the AppHost's own additions (apphost.json, crash
/// restarts) run as they do under <c>dotnet run</c>.
/// </summary>
public sealed class AppHostEndToEndTests(TestServers servers)
{
    internal static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AJobPostedToTheApi_CompletesOnAWorker_AndStoppingLeavesNoProcessBehind()
    {
        List<int> processIds;
        string statusFile;
        await using (var system = await AspireJobsApp.StartAsync(servers.CreateDirectory("apphost")))
        {
            statusFile = StatusFile.PathIn(system.DataDirectory);
            var created = await system.Api.PostJsonAsync("/api/jobs", new { type = "echo", payload = new { x = 1 } }, HttpStatusCode.Created);

            var job = await PollAsync(system.Api, $"/api/jobs/{created.Id()}", j => j.Status() == "completed");
            Assert.Equal("""{"x":1}""", JsonSerializer.Serialize(job.GetProperty("result")));
            Assert.Equal(1, job.GetProperty("attempts").GetInt32());

            // A resource's health is its last probe's: one that timed out on a busy machine reads
            // Unhealthy until the next, a few seconds later. Every resource must be healthy at once.
            var status = system.Status();
            for (var deadline = DateTime.UtcNow + Patience; DateTime.UtcNow < deadline && !AllRunningAndHealthy(status); status = system.Status())
            {
                await Task.Delay(250, Token);
            }

            Assert.Equal("local processes", status.Infrastructure);
            var migrations = status.Resources.Single(r => r.Name == "migrations");
            Assert.Equal((KnownResourceStates.Finished, 0), (migrations.State, migrations.ExitCode));
            Assert.Equal(2, status.Resources.Count(r => r.Resource == "worker" && r.State == KnownResourceStates.Running && r.Name.StartsWith("worker-", StringComparison.Ordinal)));
            Assert.All(status.Resources.Where(r => r.Name != "migrations"), r => Assert.Equal((KnownResourceStates.Running, "Healthy"), (r.State, r.Health)));
            Assert.Equal(["api", "healthmonitor", "indexer", "jobsdb", "migrations", "postgres", "redis", "worker"], status.Resources.Select(r => r.Resource).Distinct());

            processIds = [.. status.Resources.Where(r => r.State == KnownResourceStates.Running && r.ProcessId is not null).Select(r => r.ProcessId!.Value)];
            Assert.Equal(7, processIds.Count); // postgres, redis, api, 2 workers, healthmonitor, indexer
            Assert.All(processIds, pid => Assert.True(PosixSignals.IsAlive(pid)));
        }

        Assert.All(processIds, pid => Assert.False(PosixSignals.IsAlive(pid), $"process {pid} is still alive after the AppHost stopped"));
        // The services were stopped first, and each exited on its own with 0 (a graceful stop);
        // the servers after them, as the AppHost's last act.
        var final = StatusFile.Read(statusFile)!.Resources;
        Assert.All(final.Where(r => r.Resource is "api" or "worker" or "healthmonitor" or "indexer"), r => Assert.Equal((KnownResourceStates.Finished, 0), (r.State, r.ExitCode)));
        Assert.All(final.Where(r => r.Resource is "postgres" or "redis" or "jobsdb"), r => Assert.Equal(StatusFile.StoppedState, r.State));
    }

    [Fact]
    public async Task AWorkerStoppedThroughAspiresStopCommand_StaysStopped_UntilStartedAgain()
    {
        await using var system = await AspireJobsApp.StartAsync(servers.CreateDirectory("apphost"), workers: 1);
        var worker = system.Status().Resources.Single(r => r.Resource == "worker").Name;

        // What the dashboard's Stop button does.
        var stopped = await system.App.ResourceCommands.ExecuteCommandAsync(worker, KnownResourceCommands.StopCommand, Token);
        Assert.True(stopped.Success, stopped.Message);
        await WaitUntilAsync(() => system.Status().Resources.Single(r => r.Name == worker).State is { } s && KnownResourceStates.TerminalStates.Contains(s), "the worker to stop");

        // A crash would be restarted after InstanceWatch.FirstDelay; a stop is not.
        await Task.Delay(InstanceWatch.FirstDelay * 3, Token);
        var afterStop = system.Status().Resources.Single(r => r.Name == worker);
        Assert.NotEqual(KnownResourceStates.Running, afterStop.State);
        Assert.Equal(0, afterStop.Restarts);

        var started = await system.App.ResourceCommands.ExecuteCommandAsync(worker, KnownResourceCommands.StartCommand, Token);
        Assert.True(started.Success, started.Message);
        await WaitUntilAsync(() => system.Status().Resources.Single(r => r.Name == worker).State == KnownResourceStates.Running, "the worker to run again");
    }

    [Fact]
    public async Task TheAppHostManifest_DescribesContainersAndProjects_ForAzd()
    {
        var manifestPath = Path.Combine(servers.CreateDirectory("manifest"), "aspire-manifest.json");

        var (exitCode, output) = await BuiltService.RunAsync("AppHost",
            new Dictionary<string, string?>(), Patience, ["--publisher", "manifest", "--output-path", manifestPath]);

        Assert.True(exitCode == 0, output);
        var resources = JsonDocument.Parse(await File.ReadAllTextAsync(manifestPath, Token)).RootElement.GetProperty("resources");
        string TypeOf(string name) => resources.GetProperty(name).GetProperty("type").GetString()!;
        Assert.Equal("container.v0", TypeOf("postgres"));
        Assert.Equal("value.v0", TypeOf("jobsdb"));
        Assert.Equal("container.v0", TypeOf("redis"));
        Assert.Equal("parameter.v0", TypeOf("postgres-password"));
        Assert.True(resources.GetProperty("postgres-password").GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
        Assert.Equal("container.v0", TypeOf("qdrant"));
        Assert.True(resources.GetProperty("qdrant-Key").GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
        foreach (var project in new[] { "migrations", "api", "worker", "healthmonitor", "indexer" })
        {
            Assert.Equal("project.v0", TypeOf(project));
        }

        foreach (var service in new[] { "api", "worker", "healthmonitor" })
        {
            var env = resources.GetProperty(service).GetProperty("env");
            Assert.Equal("{jobsdb.connectionString}", env.GetProperty("ConnectionStrings__jobsdb").GetString());
            Assert.Equal("{redis.connectionString}", env.GetProperty("ConnectionStrings__redis").GetString());
        }

        foreach (var service in new[] { "api", "indexer" })
        {
            Assert.Equal("{qdrant.connectionString}", resources.GetProperty(service).GetProperty("env").GetProperty("ConnectionStrings__qdrant").GetString());
        }

        Assert.False(resources.GetProperty("worker").GetProperty("env").TryGetProperty("ConnectionStrings__qdrant", out _));
        // The Api is reached from outside the deployed environment; the other services are not.
        Assert.True(resources.GetProperty("api").GetProperty("bindings").GetProperty("http").TryGetProperty("external", out var external) && external.GetBoolean());
        foreach (var service in new[] { "worker", "healthmonitor", "indexer" })
        {
            Assert.False(resources.GetProperty(service).GetProperty("bindings").GetProperty("http").TryGetProperty("external", out var internalOnly) && internalOnly.GetBoolean());
        }
        Assert.Equal("{jobsdb.connectionString}", resources.GetProperty("migrations").GetProperty("env").GetProperty("ConnectionStrings__jobsdb").GetString());
    }

    private static bool AllRunningAndHealthy(StatusDocument status) =>
        status.Resources.Where(r => r.Name != "migrations").All(r => (r.State, r.Health) == (KnownResourceStates.Running, "Healthy"));

    internal static async Task<JsonElement> PollAsync(HttpClient http, string path, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var job = await http.GetJsonAsync(path);
            if (done(job))
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"not done in time: {job}");
            await Task.Delay(50, Token);
        }
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, string what, Func<Task<string>>? explain = null, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Patience);
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail($"timed out waiting for {what}{(explain is null ? "" : "\n" + await explain())}");
            }

            await Task.Delay(50, Token);
        }
    }
}
