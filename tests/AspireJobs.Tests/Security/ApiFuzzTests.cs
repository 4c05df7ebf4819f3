using AspireJobs.Api.Access;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Workers;
using AspireJobs.Fuzzing;
using AspireJobs.Tests.Infrastructure;
using System.Net;

namespace AspireJobs.Tests.Security;

/// <summary>
/// Thousands of generated requests against every operation of the OpenAPI document (bounded in
/// time): never a 5xx, never a stack trace, nothing written when a request is refused, and the
/// Api still serves afterwards. The seed is printed, so a finding can be replayed.
/// </summary>
public sealed class ApiFuzzTests(TestServers servers, ITestOutputHelper output) : IAsyncLifetime
{
    private TestSystem _system = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _system = await TestSystem.CreateAsync(servers);

    public async ValueTask DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task GeneratedRequests_ToEveryRoute_NeverFailTheServer_NorWriteWhenRefused()
    {
        var admin = _system.Api();
        var document = await admin.GetJsonAsync("/openapi/v1.json");
        var operations = ApiFuzzer.OperationsOf(document);
        Assert.True(operations.Count >= 14, $"only {operations.Count} operations in the document");
        var seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");

        var fuzzer = new ApiFuzzer(admin, _system.Api(ApiScope.Write), _system.Api(ApiScope.Read), _system.Api(scope: null), StoredStateAsync, seed, await ExistingIdsAsync(admin));
        var report = await fuzzer.RunAsync(operations, maxRequests: 4_000, budget: TimeSpan.FromSeconds(40), Token);

        output.WriteLine(report.Summary);
        Assert.True(report.Requests >= 1_000, report.Summary);
        Assert.True(report.Findings.Count == 0, $"seed {seed}: {report.Summary}{Environment.NewLine}{string.Join(Environment.NewLine, report.Findings.Take(10))}");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/queues", Token)).StatusCode);
        await admin.PostJsonAsync("/api/jobs", new { type = "noop" }, HttpStatusCode.Created);
    }

    /// <summary>
    /// Something for each route that takes an id to find: a worker, dead letters, finished jobs with
    /// executions, and a job waiting for another (a graph).
    /// </summary>
    private async Task<List<Guid>> ExistingIdsAsync(HttpClient admin)
    {
        var worker = Guid.NewGuid();
        await new WorkerStore(_system.Database.DataSource, TimeProvider.System).WorkerInsertAsync(new WorkerRegistration(worker, "w", "h", 1, "1", ["noop"], 4), Token);
        var completed = await _system.Store.CompletedJobsAsync(2, "echo", Token);
        var failing = Enumerable.Range(0, 2).Select(_ => TestJobs.New(type: "fail")).ToList();
        await _system.Store.JobInsertBatchAsync(failing, Token);
        var deadLettered = TestHistory.WholeAttempts([.. failing.Select(job => job.Id)])
            .Select(whole => JobFinish.DeadLettered(whole.JobId, whole.LeaseToken, ExecutionStatus.Failed, "boom") with { Start = whole.Start })
            .ToList();
        Assert.Equal(2, (await _system.Store.JobFinishIfRunningAsync(deadLettered, Token)).Finished.Count);
        var workflow = await admin.PostJsonAsync("/api/jobs/batch", new
        {
            jobs = new object[]
            {
                new { @ref = "parent", type = "noop", runAt = DateTime.UtcNow.AddDays(1) },
                new { @ref = "child", type = "noop", dependsOn = new[] { "parent" } },
            },
        }, HttpStatusCode.Created);
        return [worker, .. completed, .. failing.Select(job => job.Id), .. workflow.GetProperty("ids").EnumerateArray().Select(id => id.GetGuid())];
    }

    /// <summary>Every job's id, status and priorities, as one digest.</summary>
    private async Task<string> StoredStateAsync()
    {
        await using var command = _system.Database.DataSource.CreateCommand(ApiFuzzer.StoredStateSql);
        return (string)(await command.ExecuteScalarAsync(Token))!;
    }
}
