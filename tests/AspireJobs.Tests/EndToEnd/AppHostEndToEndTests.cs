using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AspireJobs.AppHost;
using AspireJobs.AppHost.Hosting;
using AspireJobs.AppHost.Processes;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.EndToEnd;

/// <summary>
/// The whole application, started through the AppHost's own model (the role
/// Aspire.Hosting.Testing plays for an Aspire AppHost): its own PostgreSQL and Redis, the
/// migrations, the Api, two workers and the health monitor, all real processes.
/// </summary>
public sealed class AppHostEndToEndTests(TestServers servers)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AJobPostedToTheApi_CompletesOnAWorker_AndStoppingLeavesNoProcessBehind()
    {
        var output = new TestOutput();
        var builder = new DistributedApplicationBuilder(
            new AppHostOptions(Workers: 2, ApiPort: 0, servers.CreateDirectory("apphost")), RepositoryRoot.Find())
        {
            Output = output,
        };
        builder.AddAspireJobs();

        List<int> processIds;
        string statusFile;
        await using (var app = builder.Build())
        {
            statusFile = app.StatusFilePath;
            await app.StartAsync(Token);
            await WhileShowingOutputOnFailure(output, async () =>
            {
                foreach (var resource in new[] { "api", "worker", "healthmonitor" })
                {
                    await app.WaitForResourceReadyAsync(resource, Token).WaitAsync(StartTimeout, Token);
                }
            });

            using var http = new HttpClient { BaseAddress = app.GetEndpoint("api") };
            var created = await http.PostAsJsonAsync("/api/jobs", new { type = "echo", payload = new { x = 1 } }, Token);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var location = created.Headers.Location!;

            var job = await PollAsync(http, location, j => j.GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(30));
            Assert.Equal("""{"x":1}""", JsonSerializer.Serialize(job.GetProperty("result")));
            Assert.Equal(1, job.GetProperty("attempts").GetInt32());

            var status = StatusFile.Read(statusFile)!;
            Assert.Equal(ResourceState.Finished, status.Resources.Single(r => r.Name == "migrations").State);
            Assert.Equal(0, status.Resources.Single(r => r.Name == "migrations").ExitCode);
            Assert.Equal(2, status.Resources.Count(r => r.Resource == "worker" && r.State == ResourceState.Running));
            Assert.All(status.Resources.Where(r => r.Name != "migrations"), r => Assert.Equal(ResourceState.Running, r.State));

            processIds = app.Instances.Where(i => i.ProcessId is not null).Select(i => i.ProcessId!.Value).ToList();
            Assert.Equal(7, processIds.Count); // postgres, redis, migrations, api, 2 workers, healthmonitor
        }

        Assert.All(processIds, pid => Assert.False(PosixSignals.IsAlive(pid), $"process {pid} is still alive after the AppHost stopped"));
        Assert.All(StatusFile.Read(statusFile)!.Resources.Where(r => r.Name != "migrations"),
            r => Assert.Equal(ResourceState.Stopped, r.State));
    }

    [Fact]
    public async Task AKilledWorker_IsRestarted_AndTheRestartIsCounted()
    {
        var output = new TestOutput();
        var builder = new DistributedApplicationBuilder(
            new AppHostOptions(Workers: 1, ApiPort: 0, servers.CreateDirectory("apphost")), RepositoryRoot.Find())
        {
            Output = output,
        };
        builder.AddAspireJobs();

        await using var app = builder.Build();
        await app.StartAsync(Token);
        await WhileShowingOutputOnFailure(output, () => app.WaitForResourceReadyAsync("worker", Token).WaitAsync(StartTimeout, Token));
        var worker = app.InstancesOf("worker").Single();
        var firstProcess = worker.ProcessId!.Value;

        PosixSignals.Send(firstProcess, PosixSignals.SIGKILL);

        await WhileShowingOutputOnFailure(output, async () =>
        {
            var deadline = DateTime.UtcNow + StartTimeout;
            while (!(worker.Restarts == 1 && worker.State == ResourceState.Running && worker.ProcessId != firstProcess))
            {
                Assert.True(DateTime.UtcNow < deadline, $"worker not restarted: {worker.State}, {worker.Restarts} restarts");
                await Task.Delay(100, Token);
            }
        });
        var recorded = StatusFile.Read(app.StatusFilePath)!.Resources.Single(r => r.Resource == "worker");
        Assert.Equal(1, recorded.Restarts);
        Assert.Equal(worker.ProcessId, recorded.ProcessId);
    }

    private static async Task<JsonElement> PollAsync(HttpClient http, Uri location, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var job = await http.GetFromJsonAsync<JsonElement>(location, Token);
            if (done(job))
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job did not finish in time: {job}");
            await Task.Delay(50, Token);
        }
    }

    private static async Task WhileShowingOutputOnFailure(TestOutput output, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is not OperationCanceledException || !Token.IsCancellationRequested)
        {
            throw new InvalidOperationException($"{e.Message}{Environment.NewLine}Last output:{Environment.NewLine}{output.Tail()}", e);
        }
    }
}
