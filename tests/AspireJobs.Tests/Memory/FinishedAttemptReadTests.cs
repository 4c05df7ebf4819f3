using System.Text.Json;
using AspireJobs.Core.Jobs;
using AspireJobs.Core.Memory;
using AspireJobs.Core.Storage;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Memory;

/// <summary>The indexer's read of the log (<c>FinishedAttemptGetAfter.sql</c>) against a real database.</summary>
public sealed class FinishedAttemptReadTests(TestServers servers) : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private JobStore _jobs = null!;
    private ExecutionMemoryStore _memory = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await servers.CreateDatabaseAsync();
        _jobs = new JobStore(_db.DataSource, TimeProvider.System);
        _memory = new ExecutionMemoryStore(_db.DataSource);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task ReturnsEachFinishWithItsAttemptAndType_AndReadsPastTheOtherEvents()
    {
        var ids = await CreateAndRunAsync(3, type: "echo");

        var page = await _memory.FinishedAttemptGetAfterAsync(0, 100, DateTimeOffset.UtcNow.AddMinutes(1), Token);

        // Each job logged its creation, its start and its finish; only the finishes come back.
        Assert.Equal(9, page.EventsRead);
        Assert.Equal(await _db.ScalarAsync<long>("SELECT max(id) FROM job_events"), page.LastEventId);
        Assert.Equal(ids.Order(), page.Attempts.Select(attempt => attempt.JobId).Order());
        Assert.All(page.Attempts, attempt =>
        {
            Assert.Equal(("echo", 1, ExecutionStatus.Completed, JobStatus.Completed), (attempt.JobType, attempt.Attempt, attempt.Status, attempt.JobStatusAfter));
            Assert.NotNull(attempt.Duration);
        });
    }

    [Fact]
    public async Task LooksUpEachFinishByKey_NotByScanningTheHistory()
    {
        // Enough history that hashing every attempt looks cheap to the planner; a generic plan, as
        // a prepared statement gets after a few runs.
        await CreateAndRunAsync(2_000, type: "noop");
        await _db.ExecuteAsync("ANALYZE jobs, job_executions, job_events");
        var sql = EmbeddedFile.Read(typeof(ExecutionMemoryStore).Assembly, "FinishedAttemptGetAfter.sql").TrimEnd().TrimEnd(';');

        await using var connection = await _db.DataSource.OpenConnectionAsync(Token);
        await using (var prepare = connection.CreateCommand())
        {
            prepare.CommandText = $"SET plan_cache_mode = force_generic_plan; PREPARE page(bigint, integer, timestamptz) AS {sql}";
            await prepare.ExecuteNonQueryAsync(Token);
        }

        await using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN (FORMAT JSON) EXECUTE page(0, 256, now())";
        using var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync(Token))!);

        var scanned = Nodes(plan.RootElement[0].GetProperty("Plan"))
            .Where(node => node.GetProperty("Node Type").GetString() == "Seq Scan")
            .Select(node => node.GetProperty("Relation Name").GetString())
            .Where(relation => relation is "job_executions" or "jobs")
            .ToList();
        Assert.Empty(scanned);
    }

    private static IEnumerable<JsonElement> Nodes(JsonElement node)
    {
        yield return node;
        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var descendant in children.EnumerateArray().SelectMany(Nodes))
            {
                yield return descendant;
            }
        }
    }

    /// <summary>Creates jobs and records each one's attempt whole, as a worker does for a short job.</summary>
    private async Task<IReadOnlyList<Guid>> CreateAndRunAsync(int count, string type)
    {
        var requests = Enumerable.Range(0, count).Select(_ => TestJobs.New(type: type)).ToList();
        await _jobs.JobInsertBatchAsync(requests, Token);
        var workerId = Guid.NewGuid();
        var finishes = requests.Select(request =>
        {
            var lease = Guid.NewGuid();
            var start = new JobStart(request.Id, workerId, JobStoreStarts.NextFence(), lease, DateTimeOffset.UtcNow, TimeSpan.FromSeconds(30));
            return JobFinish.Completed(request.Id, lease, null) with { Start = start };
        }).ToList();
        var finished = await _jobs.JobFinishIfRunningAsync(finishes, Token);
        Assert.Equal(count, finished.Finished.Count);
        return [.. requests.Select(request => request.Id)];
    }
}
