using System.Net;
using System.Text.Json;
using AspireJobs.Tests.Infrastructure;

namespace AspireJobs.Tests.Memory;

/// <summary>
/// Execution memory end to end on real processes: a worker fails jobs with two kinds of error, the
/// indexer embeds their attempts with the real model, and the Api finds the same kind of error
/// ahead of the other, by job and by text, and forecasts a failing job's outcome.
/// </summary>
public sealed class ExecutionMemoryApiTests(TestServers servers) : IAsyncLifetime
{
    // The default settle delay (30 s): a gap in the log's ids, such as a finish whose commit came
    // after the next create's on a busy machine, is waited for; a short one could pass such a
    // finish over.
    private static readonly Dictionary<string, string?> FastIndexer = new()
    {
        ["Indexer__PollInterval"] = "00:00:00.100",
        // Each batch stored, with the cursor it reached, in the output a failure prints.
        ["Logging__LogLevel__AspireJobs.Indexer"] = "Debug",
    };

    private TestSystem _system = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _system = await TestSystem.CreateAsync(servers);

    public async ValueTask DisposeAsync() => await _system.DisposeAsync();

    [Fact]
    public async Task SimilarAndSearch_RankTheSameKindOfError_AheadOfAnUnrelatedOne()
    {
        await Task.WhenAll(_system.StartWorkerAsync(), _system.StartIndexerAsync(FastIndexer));
        var http = _system.Api();
        var timeouts = new List<Guid>();
        var nullReferences = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            timeouts.Add((await http.PostJsonAsync("/api/jobs", new
            {
                type = "fail",
                maxRetries = 0,
                payload = new { always = true, message = $"TimeoutException: payment gateway 10.2.0.{i} did not answer within {30 + i} s (order {5510 + i})" },
            }, HttpStatusCode.Created)).Id());
            nullReferences.Add((await http.PostJsonAsync("/api/jobs", new
            {
                type = "fail",
                maxRetries = 0,
                payload = new { always = true, message = $"NullReferenceException: Object reference not set to an instance of an object in InvoiceRenderer line {100 + i}" },
            }, HttpStatusCode.Created)).Id());
        }

        await _system.WaitUntilAsync(
            async () => await _system.Database.ScalarAsync<long>("SELECT count(*) FROM execution_vectors") == 8,
            TimeSpan.FromSeconds(60), "the eight dead-lettered attempts to be indexed");

        var similar = (await http.GetJsonAsync($"/api/jobs/{timeouts[0]}/similar?limit=10")).GetProperty("items").EnumerateArray().ToList();
        var ids = similar.Select(item => item.GetProperty("jobId").GetGuid()).ToList();
        Assert.Equal(7, ids.Count);
        Assert.DoesNotContain(timeouts[0], ids);
        Assert.Equal(timeouts.Skip(1).Order(), ids.Take(3).Order());
        Assert.Equal(nullReferences.Order(), ids.Skip(3).Order());
        var best = similar[0];
        Assert.True(best.GetProperty("score").GetSingle() > similar[3].GetProperty("score").GetSingle());
        Assert.Equal("fail", best.GetProperty("type").GetString());
        Assert.Equal("dead_lettered", best.GetProperty("outcome").GetString());
        Assert.Equal("dead_lettered", best.GetProperty("jobStatus").GetString());
        Assert.Equal(1, best.GetProperty("attempts").GetInt32());
        Assert.StartsWith("InvalidOperationException: TimeoutException: payment gateway", best.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal($"/api/jobs/{ids[0]}", best.GetProperty("href").GetString());

        var found = (await http.PostJsonAsync("/api/executions/search", new { text = "TimeoutException: the payment gateway did not answer", limit = 4 }, HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().Select(item => item.GetProperty("jobId").GetGuid()).ToList();
        Assert.Equal(timeouts.Order(), found.Order());
        var renderer = (await http.PostJsonAsync("/api/executions/search", new { text = "null reference in the invoice renderer", type = "fail", outcome = "dead_lettered", limit = 1 }, HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().Single().GetProperty("jobId").GetGuid();
        Assert.Contains(renderer, nullReferences);
        Assert.Empty((await http.PostJsonAsync("/api/executions/search", new { text = "timeout", outcome = "completed" }, HttpStatusCode.OK)).GetProperty("items").EnumerateArray());
        Assert.Empty((await http.PostJsonAsync("/api/executions/search", new { text = "timeout", type = "noop" }, HttpStatusCode.OK)).GetProperty("items").EnumerateArray());

        // Three earlier jobs failed this way, and all three ended in the dead letters.
        var likely = (await http.GetJsonAsync($"/api/jobs/{timeouts[0]}")).GetProperty("likelyOutcome");
        Assert.Equal(3, likely.GetProperty("basedOn").GetInt32());
        Assert.True(likely.GetProperty("enough").GetBoolean());
        Assert.Equal(0.0, likely.GetProperty("completed").GetDouble());
        Assert.Equal(1.0, likely.GetProperty("deadLettered").GetDouble());
    }

    [Fact]
    public async Task TheIndexer_ResumesFromItsSavedCursor_AndRemembersSuccessesOnlyAsSampled()
    {
        var rememberEcho = new Dictionary<string, string?>(FastIndexer) { ["Indexer__SuccessSampleRates__echo"] = "1" };
        var indexer = await _system.StartIndexerAsync(rememberEcho);
        await _system.StartWorkerAsync();
        var http = _system.Api();
        var echo = (await http.PostJsonAsync("/api/jobs", new { type = "echo" }, HttpStatusCode.Created)).Id();
        var noop = (await http.PostJsonAsync("/api/jobs", new { type = "noop" }, HttpStatusCode.Created)).Id();
        // The noop job falls in the default 5 % sample of successes for one id in twenty: then it
        // is remembered too, beside the echo job or a moment after it.
        var noopSampled = AspireJobs.Core.Memory.RememberPolicy.IsSampled(noop, 0.05);
        await _system.WaitUntilAsync(
            async () => await _system.Database.ScalarAsync<long>("SELECT count(*) FROM execution_vectors") == (noopSampled ? 2 : 1),
            TimeSpan.FromSeconds(60), "the echo job's success (and the noop's, if sampled) to be indexed");
        Assert.Equal("completed", await _system.Database.ScalarAsync<string>("SELECT outcome FROM execution_vectors WHERE job_id = $1", echo));

        // Stopped once the cursor is saved past them too (it is saved after the vectors).
        await _system.WaitUntilAsync(
            async () => await _system.Database.ScalarAsync<bool>(
                "SELECT coalesce((SELECT last_event_id FROM job_event_cursors WHERE name = 'indexer'), 0) >= (SELECT max(id) FROM job_events WHERE job_id = ANY($1))", new[] { echo, noop }),
            TimeSpan.FromSeconds(60), "the indexer's cursor to pass the two jobs");
        await indexer.StopAsync(TimeSpan.FromSeconds(10));
        // Every row offered takes the next number, one already stored too (then dropped): an
        // indexer that read the log again from its start would number the failure later than next.
        var lastNumber = await _system.Database.ScalarAsync<long>("SELECT max(seq) FROM execution_vectors");
        var failed = (await http.PostJsonAsync("/api/jobs", new { type = "fail", maxRetries = 0, payload = new { always = true } }, HttpStatusCode.Created)).Id();
        await _system.WaitUntilAsync(async () => (await http.GetJsonAsync($"/api/jobs/{failed}")).Status() == "dead_lettered", TimeSpan.FromSeconds(30), "the job to fail");
        var cursor = await _system.Database.ScalarAsync<long>("SELECT last_event_id FROM job_event_cursors WHERE name = 'indexer'");
        Assert.True(cursor > 0);

        await _system.StartIndexerAsync(rememberEcho);
        await _system.WaitUntilAsync(
            async () => await _system.Database.ScalarAsync<long>("SELECT count(*) FROM execution_vectors WHERE job_id = $1", failed) == 1,
            TimeSpan.FromSeconds(60), "the failure to be indexed after the restart");
        Assert.Equal(noopSampled ? 3L : 2L, await _system.Database.ScalarAsync<long>("SELECT count(*) FROM execution_vectors"));
        Assert.Equal(lastNumber + 1, await _system.Database.ScalarAsync<long>("SELECT seq FROM execution_vectors WHERE job_id = $1", failed));
    }

    [Fact]
    public async Task TheIndexer_PassesTheGapOfARolledBackWrite_WithoutWaitingOutTheSettleDelay()
    {
        // An hour: were the gap passed only by the settle delay, the failure after it would not
        // be indexed within this test's wait.
        await Task.WhenAll(
            _system.StartWorkerAsync(),
            _system.StartIndexerAsync(new Dictionary<string, string?>(FastIndexer) { ["Indexer__SettleDelay"] = "01:00:00" }));
        var http = _system.Api();

        // A writer that rolled back after its event took an id, as one killed mid-write does: a gap.
        await http.PostJsonAsync("/api/jobs", new { type = "noop" }, HttpStatusCode.Created);
        await using (var connection = await _system.Database.DataSource.OpenConnectionAsync(Token))
        await using (var transaction = await connection.BeginTransactionAsync(Token))
        {
            await TestEvents.LogInAsync(transaction, Token);
            await transaction.RollbackAsync(Token);
        }

        var failed = (await http.PostJsonAsync("/api/jobs", new { type = "fail", maxRetries = 0, payload = new { always = true } }, HttpStatusCode.Created)).Id();

        await _system.WaitUntilAsync(
            async () => await _system.Database.ScalarAsync<long>("SELECT count(*) FROM execution_vectors WHERE job_id = $1", failed) == 1,
            TimeSpan.FromSeconds(60), "the failure after the gap to be indexed");
        Assert.True(await _system.Database.ScalarAsync<long>("SELECT max(id) - count(*) FROM job_events") > 0, "the rolled-back write left no gap in the ids");
    }

    [Fact]
    public async Task Similar_OfAJobNotIndexedYet_EmbedsItsLatestAttemptInTheApi()
    {
        var http = _system.Api();
        var fresh = (await http.PostJsonAsync("/api/jobs", new { type = "report.build" }, HttpStatusCode.Created)).Id();
        var earlier = (await http.PostJsonAsync("/api/jobs", new { type = "report.build" }, HttpStatusCode.Created)).Id();
        foreach (var (job, error) in new[] { (fresh, "IOException: disk full while writing /tmp/r-17.csv"), (earlier, "IOException: disk full while writing /tmp/r-3.csv") })
        {
            // What a worker leaves behind when the job's only attempt failed (no worker runs here).
            await _system.Database.ExecuteAsync(
                "UPDATE jobs SET status = 'dead_lettered', attempts = 1, failures = 1, error = $2, completed_at = now() WHERE id = $1", job, error);
            await _system.Database.ExecuteAsync(
                "INSERT INTO job_executions (job_id, attempt, worker_id, status, started_at, finished_at, error) VALUES ($1, 1, $2, 'failed', now(), now(), $3)",
                job, Guid.NewGuid(), error);
        }

        // Only the earlier one is indexed.
        using var store = new AspireJobs.Core.Memory.PostgresVectorStore(_system.Database.DataSource, TimeProvider.System);
        var text = AspireJobs.Core.Memory.ExecutionText.Build("report.build", AspireJobs.Core.Memory.ExecutionOutcome.DeadLettered, "IOException: disk full while writing /tmp/r-3.csv", TimeSpan.Zero);
        await store.UpsertAsync([new(earlier, 1, "report.build", AspireJobs.Core.Memory.ExecutionOutcome.DeadLettered, (await TestEmbedder.Shared.EmbedAsync([text], Token))[0])], Token);

        var item = (await http.GetJsonAsync($"/api/jobs/{fresh}/similar")).GetProperty("items").EnumerateArray().Single();

        Assert.Equal(earlier, item.GetProperty("jobId").GetGuid());
        Assert.True(item.GetProperty("score").GetSingle() > 0.9f, item.ToString());
        Assert.False((await http.GetJsonAsync($"/api/jobs/{fresh}")).TryGetProperty("likelyOutcome", out _)); // not indexed: no opinion
    }
}
